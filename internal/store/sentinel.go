package store

import "context"

// Sentinel vocabulary, as Logto names it (packages/schemas: SentinelActivityTargetType,
// SentinelActivityAction, SentinelActionResult, SentinelDecision).
const (
	// SentinelTargetUser: the attempts are about one account (or one identifier nobody owns).
	SentinelTargetUser = "User"

	// SentinelActionPassword is a password check. Logto pools it with verification codes and
	// one-time tokens: failures of any of the three count together.
	SentinelActionPassword         = "Password"
	SentinelActionVerificationCode = "VerificationCode"
	SentinelActionOneTimeToken     = "OneTimeToken"

	SentinelResultSuccess = "Success"
	SentinelResultFailed  = "Failed"

	SentinelDecisionAllowed = "Allowed"
	SentinelDecisionBlocked = "Blocked"
)

// SentinelActivity is one recorded credential attempt (Logto's sentinel_activities row).
type SentinelActivity struct {
	ID         string
	TargetType string // SentinelTargetUser
	// TargetHash is the hex SHA-256 of what was attacked, never the identifier itself, so the
	// table does not become a list of who tried to sign in as whom.
	TargetHash   string
	Action       string // SentinelAction*
	ActionResult string // SentinelResult*
	Decision     string // SentinelDecision*
	// DecisionExpiresAt is, for a Blocked activity, when the lock ends (epoch ms); for an
	// Allowed one, the time of the decision.
	DecisionExpiresAt int64
	CreatedAt         int64 // epoch ms
}

// SentinelTarget selects the activities a lockout decision looks at: one target and the pool of
// actions that count together.
type SentinelTarget struct {
	Type    string
	Hash    string
	Actions []string
}

// Sentinel persists sign-in attempts for lockout (Logto's sentinel_activities). Rows are written
// without bumping the tenant's generation (nothing caches them), and every node sees them at
// once, so a lock holds across all nodes.
type Sentinel interface {
	// Record inserts an activity.
	Record(ctx context.Context, a SentinelActivity) error
	// BlockedUntil returns the latest DecisionExpiresAt of the target's Blocked activities that
	// is later than now (epoch ms), or 0 when the target is not locked.
	BlockedUntil(ctx context.Context, t SentinelTarget, now int64) (int64, error)
	// CountFailures counts the target's Failed activities that did not themselves lock it,
	// created after since and after the target's latest Success (a successful sign-in starts the
	// count again).
	CountFailures(ctx context.Context, t SentinelTarget, since int64) (int, error)
	// Block turns activity id into the one that locked its target until expiresAt (epoch ms).
	Block(ctx context.Context, id string, expiresAt int64) error
	// DeleteBefore removes activities created before cutoff whose lock (if any) has ended by
	// then, and returns how many it removed.
	DeleteBefore(ctx context.Context, cutoff int64) (int64, error)
}
