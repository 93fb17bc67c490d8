package webhook

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Policy is when a failed delivery is tried again and when it is given up.
//
// The wait after attempt n (1-based) is Base·2^(n-1), capped at Max, with ±20% jitter so a
// receiver that comes back is not hit by every queued delivery at the same instant. With
// DefaultPolicy (12 attempts, 10 s doubling to at most 1 h) the waits are 10 s, 20 s, 40 s,
// 80 s, 160 s, 320 s, 640 s, 1280 s, 2560 s, then 1 h twice: a receiver may be away for about
// four hours before a delivery is dead.
type Policy struct {
	MaxAttempts int
	Base, Max   time.Duration
	// Jitter returns a number in [0, 1); nil uses math/rand. Tests set a fixed one.
	Jitter func() float64
}

// DefaultPolicy is the policy of GATEHOUSE_WEBHOOK_MAX_ATTEMPTS and _RETRY_BASE_MS' defaults.
var DefaultPolicy = Policy{MaxAttempts: 12, Base: 10 * time.Second, Max: time.Hour}

// Backoff is the wait after the attempt-th failed attempt.
func (p Policy) Backoff(attempt int) time.Duration {
	base, limit := p.Base, p.Max
	if base <= 0 {
		base = DefaultPolicy.Base
	}
	if limit <= 0 {
		limit = DefaultPolicy.Max
	}
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	j := rand.Float64
	if p.Jitter != nil {
		j = p.Jitter
	}
	return time.Duration(float64(d) * (0.8 + 0.4*j()))
}

// Outcome is what attempt (1-based: the attempt just made) leaves: delivered on a 2xx answer;
// dead when the attempts are used up, the error is permanent, or the receiver answered 410 Gone
// (it says the endpoint will never accept again); otherwise pending until now + Backoff.
func (p Policy) Outcome(attempt int, res Result, now time.Time) model.DeliveryOutcome {
	out := model.DeliveryOutcome{At: now.UnixMilli()}
	if res.StatusCode != 0 {
		code := res.StatusCode
		out.ResponseCode = &code
	}
	if res.OK() {
		out.Status = model.DeliveryDelivered
		return out
	}
	msg := failure(res)
	out.Error = &msg
	var perm *PermanentError
	maxAttempts := p.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultPolicy.MaxAttempts
	}
	if attempt >= maxAttempts || errors.As(res.Err, &perm) || res.StatusCode == http.StatusGone {
		out.Status = model.DeliveryDead
		return out
	}
	out.Status = model.DeliveryPending
	out.NextAttemptAt = now.Add(p.Backoff(attempt)).UnixMilli()
	return out
}

// failure words a failed attempt for the delivery's lastError: the transport error, or the
// status the receiver answered. It never holds the body sent, the headers or the key.
func failure(res Result) string {
	if res.Err != nil {
		return res.Err.Error()
	}
	return "the receiver answered " + http.StatusText(res.StatusCode) + " (" + strconv.Itoa(res.StatusCode) + ")"
}
