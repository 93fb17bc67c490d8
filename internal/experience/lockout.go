package experience

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Lockout follows Logto's BasicSentinel (core/src/sentinel/basic-sentinel.ts): failed password,
// verification-code and one-time-token attempts on one target are pooled; once maxAttempts of
// them fall within the last hour, the target is locked for lockoutDuration minutes. Two things
// are done better than Logto:
//   - a locked target is refused before the password is checked (Logto checks it anyway and
//     throws away the result), so a locked account costs no hashing;
//   - a successful sign-in starts the count again, so occasional typos never add up to a lock.
//
// The rows live in the database (store.Sentinel), so a lock holds on every node at once.

// lockoutWindow is how far back failures are counted (Logto: created_at > now() - 1 hour).
const lockoutWindow = time.Hour

// Logto's defaultSentinelPolicy (packages/schemas/src/consts/sentinel.ts).
const (
	defaultMaxAttempts     = 100
	defaultLockoutDuration = 60 * time.Minute
)

// lockoutPolicy is the tenant's SentinelPolicy with the defaults filled in.
type lockoutPolicy struct {
	maxAttempts int
	duration    time.Duration
}

func resolveLockoutPolicy(p model.SentinelPolicy) lockoutPolicy {
	out := lockoutPolicy{maxAttempts: defaultMaxAttempts, duration: defaultLockoutDuration}
	if p.MaxAttempts != nil && *p.MaxAttempts > 0 {
		out.maxAttempts = *p.MaxAttempts
	}
	if p.LockoutDuration != nil && *p.LockoutDuration > 0 {
		out.duration = time.Duration(*p.LockoutDuration) * time.Minute
	}
	return out
}

// pooledActions are the actions whose failures count together (BasicSentinel.pooledActions).
var pooledActions = []string{model.SentinelActionPassword, model.SentinelActionVerificationCode, model.SentinelActionOneTimeToken}

// lockoutTarget names what an attempt attacks. A known account is the target itself, whichever
// identifier (username, email, any letter case) was typed, so switching identifiers does not
// escape a lock; an unknown identifier is its own target, so unknown and known identifiers lock
// alike and the lock tells nothing about who exists. Only a SHA-256 of the name is stored.
func lockoutTarget(user *model.User, kind, value string) model.SentinelTarget {
	key := "identifier:" + kind + ":" + normalizeIdentifier(kind, value)
	if user != nil {
		key = "user:" + user.ID
	}
	sum := sha256.Sum256([]byte(key))
	return model.SentinelTarget{Type: model.SentinelTargetUser, Hash: hex.EncodeToString(sum[:]), Actions: pooledActions}
}

func normalizeIdentifier(kind, value string) string {
	value = strings.TrimSpace(value)
	if kind == identifierEmail {
		return strings.ToLower(value)
	}
	return value
}

// attemptLog keeps the lockout's rows; *service.Service implements it.
type attemptLog interface {
	SignInLockedUntil(ctx context.Context, tenantID string, target model.SentinelTarget, now time.Time) (int64, error)
	RecordSignInAttempt(ctx context.Context, tenantID string, a model.SentinelActivity) error
	CountFailedSignIns(ctx context.Context, tenantID string, target model.SentinelTarget, since time.Time) (int, error)
	LockSignIn(ctx context.Context, tenantID, activityID string, until time.Time) error
}

// lockout records attempts and decides locks.
type lockout struct {
	log attemptLog
	clk clock.Clock
}

// lockedUntil reports whether target is locked now, and until when.
func (l *lockout) lockedUntil(ctx context.Context, tenantID string, target model.SentinelTarget) (time.Time, bool, error) {
	now := l.clk.Now()
	until, err := l.log.SignInLockedUntil(ctx, tenantID, target, now)
	if err != nil {
		return time.Time{}, false, err
	}
	if until == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(until), true, nil
}

// report records an attempt. A failure that brings the target's failures in the window to the
// policy's maximum locks it; the lock's end is returned. The attempt is written before the
// failures are counted, so of several concurrent attempts (on any nodes) the last to count sees
// them all and the lock cannot be raced past.
func (l *lockout) report(ctx context.Context, tenantID string, target model.SentinelTarget, success bool, policy lockoutPolicy) (time.Time, bool, error) {
	now := l.clk.Now()
	result := model.SentinelResultFailed
	if success {
		result = model.SentinelResultSuccess
	}
	id := ids.New()
	err := l.log.RecordSignInAttempt(ctx, tenantID, model.SentinelActivity{
		ID: id, TargetType: target.Type, TargetHash: target.Hash, Action: model.SentinelActionPassword,
		ActionResult: result, Decision: model.SentinelDecisionAllowed,
		DecisionExpiresAt: now.UnixMilli(), CreatedAt: now.UnixMilli(),
	})
	if err != nil {
		return time.Time{}, false, err
	}
	if success {
		return time.Time{}, false, nil
	}
	failures, err := l.log.CountFailedSignIns(ctx, tenantID, target, now.Add(-lockoutWindow))
	if err != nil {
		return time.Time{}, false, err
	}
	if failures < policy.maxAttempts {
		return time.Time{}, false, nil
	}
	until := now.Add(policy.duration)
	if err := l.log.LockSignIn(ctx, tenantID, id, until); err != nil {
		return time.Time{}, false, err
	}
	return until, true, nil
}

// minutesLeft rounds the time left of a lock up to whole minutes, at least one.
func minutesLeft(now, until time.Time) int {
	left := until.Sub(now)
	m := int((left + time.Minute - 1) / time.Minute)
	return max(m, 1)
}

// RateLimit is the per-address token bucket in front of credential checks: a cheap first
// filter that keeps one address from spending the server's hashing time, before the lockout
// (which is per account and stored) applies.
type RateLimit struct {
	// PerSecond is the sustained rate per client address; Burst how many may come at once.
	// Zero values take the defaults (20/s, burst 40); Disabled turns the filter off.
	PerSecond float64
	Burst     int
	Disabled  bool
}

const (
	defaultRatePerSecond = 20
	defaultRateBurst     = 40
	// maxTrackedAddresses bounds the limiter's memory: beyond it, idle addresses are forgotten
	// (an idle bucket is full again, so forgetting it changes nothing).
	maxTrackedAddresses = 10_000
)

type addressLimiter struct {
	clk       clock.Clock
	perSecond rate.Limit
	burst     int
	disabled  bool

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newAddressLimiter(o RateLimit, clk clock.Clock) *addressLimiter {
	if o.PerSecond <= 0 {
		o.PerSecond = defaultRatePerSecond
	}
	if o.Burst <= 0 {
		o.Burst = defaultRateBurst
	}
	return &addressLimiter{clk: clk, perSecond: rate.Limit(o.PerSecond), burst: o.Burst, disabled: o.Disabled,
		buckets: map[string]*bucket{}}
}

// allow takes one token from addr's bucket.
func (a *addressLimiter) allow(addr string) bool {
	if a.disabled {
		return true
	}
	now := a.clk.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.buckets[addr]
	if !ok {
		if len(a.buckets) >= maxTrackedAddresses {
			a.forgetIdle(now)
		}
		b = &bucket{limiter: rate.NewLimiter(a.perSecond, a.burst)}
		a.buckets[addr] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// forgetIdle drops the buckets that have refilled; if every address is busy, it starts over.
func (a *addressLimiter) forgetIdle(now time.Time) {
	refill := time.Duration(float64(a.burst) / float64(a.perSecond) * float64(time.Second))
	for addr, b := range a.buckets {
		if now.Sub(b.seen) > refill {
			delete(a.buckets, addr)
		}
	}
	if len(a.buckets) >= maxTrackedAddresses {
		a.buckets = map[string]*bucket{}
	}
}
