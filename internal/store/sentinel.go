package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// The sentinel vocabulary and rows are model types (model/sentinel.go).
const (
	SentinelTargetUser             = model.SentinelTargetUser
	SentinelActionPassword         = model.SentinelActionPassword
	SentinelActionVerificationCode = model.SentinelActionVerificationCode
	SentinelActionOneTimeToken     = model.SentinelActionOneTimeToken
	SentinelResultSuccess          = model.SentinelResultSuccess
	SentinelResultFailed           = model.SentinelResultFailed
	SentinelDecisionAllowed        = model.SentinelDecisionAllowed
	SentinelDecisionBlocked        = model.SentinelDecisionBlocked
)

// Sentinel rows and selections.
type (
	SentinelActivity = model.SentinelActivity
	SentinelTarget   = model.SentinelTarget
)

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
