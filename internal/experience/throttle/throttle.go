package throttle

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

// The lockout follows Logto's BasicSentinel (core/src/sentinel/basic-sentinel.ts): failed password,
// verification-code and one-time-token attempts on one target are pooled; once maxAttempts of
// them fall within the last hour, the target is locked for lockoutDuration minutes. Two things
// are done better than Logto:
//   - a locked target is refused before the password is checked (Logto checks it anyway and
//     throws away the result), so a locked account costs no hashing;
//   - a successful sign-in starts the count again, so occasional typos never add up to a lock.
//
// The rows live in the database (store.Sentinel), so a lock holds on every node at once.

// Window is how far back failures are counted (Logto: created_at > now() - 1 hour).
const Window = time.Hour

// Logto's defaultSentinelPolicy (packages/schemas/src/consts/sentinel.ts).
const (
	defaultMaxAttempts     = 100
	defaultLockoutDuration = 60 * time.Minute
)

// Policy is the tenant's SentinelPolicy with the defaults filled in.
type Policy struct {
	MaxAttempts int
	Duration    time.Duration
}

// ResolvePolicy is the tenant's sentinel policy with Logto's defaults for what it leaves unset.
func ResolvePolicy(p model.SentinelPolicy) Policy {
	out := Policy{MaxAttempts: defaultMaxAttempts, Duration: defaultLockoutDuration}
	if p.MaxAttempts != nil && *p.MaxAttempts > 0 {
		out.MaxAttempts = *p.MaxAttempts
	}
	if p.LockoutDuration != nil && *p.LockoutDuration > 0 {
		out.Duration = time.Duration(*p.LockoutDuration) * time.Minute
	}
	return out
}

// PooledActions are the actions whose failures count together (BasicSentinel.pooledActions).
var PooledActions = []string{model.SentinelActionPassword, model.SentinelActionVerificationCode, model.SentinelActionOneTimeToken}

// Target names what an attempt attacks. A known account is the target itself, whichever
// identifier (username, email, any letter case) was typed, so switching identifiers does not
// escape a lock; an unknown identifier is its own target, so unknown and known identifiers lock
// alike and the lock tells nothing about who exists. Only a SHA-256 of the name is stored.
func Target(user *model.User, kind, value string) model.SentinelTarget {
	key := "identifier:" + kind + ":" + normalizeIdentifier(kind, value)
	if user != nil {
		key = "user:" + user.ID
	}
	sum := sha256.Sum256([]byte(key))
	return model.SentinelTarget{Type: model.SentinelTargetUser, Hash: hex.EncodeToString(sum[:]), Actions: PooledActions}
}

// normalizeIdentifier folds what a user may type differently for one identifier.
func normalizeIdentifier(kind, value string) string {
	value = strings.TrimSpace(value)
	if kind == model.IdentifierEmail {
		return strings.ToLower(value)
	}
	return value
}

// AttemptLog keeps the lockout's rows; the service's users package implements it.
type AttemptLog interface {
	SignInLockedUntil(ctx context.Context, tenantID string, target model.SentinelTarget, now time.Time) (int64, error)
	RecordSignInAttempt(ctx context.Context, tenantID string, a model.SentinelActivity) error
	CountFailedSignIns(ctx context.Context, tenantID string, target model.SentinelTarget, since time.Time) (int, error)
	LockSignIn(ctx context.Context, tenantID, activityID string, until time.Time) error
}

// Lockout records attempts and decides locks.
type Lockout struct {
	log AttemptLog
	clk clock.Clock
}

// NewLockout returns the lockout keeping its rows in log.
func NewLockout(log AttemptLog, clk clock.Clock) *Lockout { return &Lockout{log: log, clk: clk} }

// LockedUntil reports whether target is locked now, and until when.
func (l *Lockout) LockedUntil(ctx context.Context, tenantID string, target model.SentinelTarget) (time.Time, bool, error) {
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

// Report records an attempt. A failure that brings the target's failures in the window to the
// policy's maximum locks it; the lock's end is returned. The attempt is written before the
// failures are counted, so of several concurrent attempts (on any nodes) the last to count sees
// them all and the lock cannot be raced past.
func (l *Lockout) Report(ctx context.Context, tenantID string, target model.SentinelTarget, success bool, policy Policy) (time.Time, bool, error) {
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
	failures, err := l.log.CountFailedSignIns(ctx, tenantID, target, now.Add(-Window))
	if err != nil {
		return time.Time{}, false, err
	}
	if failures < policy.MaxAttempts {
		return time.Time{}, false, nil
	}
	until := now.Add(policy.Duration)
	if err := l.log.LockSignIn(ctx, tenantID, id, until); err != nil {
		return time.Time{}, false, err
	}
	return until, true, nil
}

// MinutesLeft rounds the time left of a lock up to whole minutes, at least one.
func MinutesLeft(now, until time.Time) int {
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

// AddressLimiter is a token bucket per client address.
type AddressLimiter struct {
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

// NewAddressLimiter returns the limiter o describes.
func NewAddressLimiter(o RateLimit, clk clock.Clock) *AddressLimiter {
	if o.PerSecond <= 0 {
		o.PerSecond = defaultRatePerSecond
	}
	if o.Burst <= 0 {
		o.Burst = defaultRateBurst
	}
	return &AddressLimiter{clk: clk, perSecond: rate.Limit(o.PerSecond), burst: o.Burst, disabled: o.Disabled,
		buckets: map[string]*bucket{}}
}

// Allow takes one token from addr's bucket.
func (a *AddressLimiter) Allow(addr string) bool {
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
func (a *AddressLimiter) forgetIdle(now time.Time) {
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
