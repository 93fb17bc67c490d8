package model

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
