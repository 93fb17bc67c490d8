package sentinelrows

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Sentinel is store.Sentinel over a sqlx.TenantScope, whose writes leave the tenant's generation
// alone: a burst of sign-in attempts must not flush every node's client, role and key caches.
type Sentinel struct{ s sqlx.TenantScope }

// New returns the sign-in attempts of s's tenant.
func New(s sqlx.TenantScope) Sentinel { return Sentinel{s: s} }

// Column limits of sentinel_activities (varchar(64) in Logto's schema).
const maxSentinelWordLen = 64

func checkSentinelActivity(a store.SentinelActivity) error {
	if err := sqlx.CheckLen("sentinel activity id", a.ID, true, sqlx.MaxIDLen); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{
		{"sentinel target type", a.TargetType},
		{"sentinel target hash", a.TargetHash},
		{"sentinel action", a.Action},
		{"sentinel action result", a.ActionResult},
		{"sentinel decision", a.Decision},
	} {
		if err := sqlx.CheckLen(f.name, f.value, true, maxSentinelWordLen); err != nil {
			return err
		}
	}
	switch a.TargetType {
	case store.SentinelTargetUser, "App":
	default:
		return fmt.Errorf("sqlstore: sentinel target type %q is not User or App", a.TargetType)
	}
	switch a.ActionResult {
	case store.SentinelResultSuccess, store.SentinelResultFailed:
	default:
		return fmt.Errorf("sqlstore: sentinel action result %q is not Success or Failed", a.ActionResult)
	}
	switch a.Decision {
	case store.SentinelDecisionAllowed, store.SentinelDecisionBlocked, "Undecided", "Challenge":
	default:
		return fmt.Errorf("sqlstore: sentinel decision %q is not one of Logto's decisions", a.Decision)
	}
	return nil
}

func (r Sentinel) Record(ctx context.Context, a store.SentinelActivity) error {
	if err := checkSentinelActivity(a); err != nil {
		return err
	}
	err := r.s.WriteSingle(ctx, sqlx.ExecStmt(ctx, `INSERT INTO sentinel_activities
			(tenant_id, id, target_type, target_hash, action, action_result, decision, decision_expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.s.TenantID(), a.ID, a.TargetType, a.TargetHash, a.Action, a.ActionResult, a.Decision,
		a.DecisionExpiresAt, a.CreatedAt))
	return sqlx.WrapErr("record sentinel activity", err)
}

// targetFilter is the WHERE clause selecting t's activities, and its arguments.
func (r Sentinel) targetFilter(t store.SentinelTarget) (string, []any, error) {
	if t.Type == "" || t.Hash == "" || len(t.Actions) == 0 {
		return "", nil, fmt.Errorf("sqlstore: a sentinel target needs a type, a hash and at least one action")
	}
	args := []any{r.s.TenantID(), t.Type, t.Hash}
	marks := make([]string, len(t.Actions))
	for i, a := range t.Actions {
		marks[i] = "?"
		args = append(args, a)
	}
	return "tenant_id = ? AND target_type = ? AND target_hash = ? AND action IN (" + strings.Join(marks, ", ") + ")", args, nil
}

// targetReader is the connection to read t's activities with, and targetFilter's clause and
// arguments.
func (r Sentinel) targetReader(t store.SentinelTarget) (sqlx.Conn, string, []any, error) {
	where, args, err := r.targetFilter(t)
	if err != nil {
		return sqlx.Conn{}, "", nil, err
	}
	c, err := r.s.Reader()
	return c, where, args, err
}

func (r Sentinel) BlockedUntil(ctx context.Context, t store.SentinelTarget, now int64) (int64, error) {
	c, where, args, err := r.targetReader(t)
	if err != nil {
		return 0, err
	}
	var until sql.NullInt64
	err = c.QueryRow(ctx, "SELECT MAX(decision_expires_at) FROM sentinel_activities WHERE "+where+
		" AND decision = ? AND decision_expires_at > ?",
		append(args, store.SentinelDecisionBlocked, now)...).Scan(&until)
	if err != nil {
		return 0, sqlx.WrapErr("read sentinel lock", err)
	}
	return until.Int64, nil
}

func (r Sentinel) CountFailures(ctx context.Context, t store.SentinelTarget, since int64) (int, error) {
	c, where, args, err := r.targetReader(t)
	if err != nil {
		return 0, err
	}
	query := "SELECT COUNT(*) FROM sentinel_activities WHERE " + where +
		" AND action_result = ? AND decision <> ? AND created_at > ?" +
		" AND created_at > COALESCE((SELECT MAX(created_at) FROM sentinel_activities WHERE " + where +
		" AND action_result = ?), 0)"
	all := append([]any{}, args...)
	all = append(all, store.SentinelResultFailed, store.SentinelDecisionBlocked, since)
	all = append(all, args...)
	all = append(all, store.SentinelResultSuccess)
	var n int
	if err := c.QueryRow(ctx, query, all...).Scan(&n); err != nil {
		return 0, sqlx.WrapErr("count sentinel failures", err)
	}
	return n, nil
}

func (r Sentinel) Block(ctx context.Context, id string, expiresAt int64) error {
	if err := sqlx.CheckLen("sentinel activity id", id, true, sqlx.MaxIDLen); err != nil {
		return err
	}
	err := r.s.WriteSingle(ctx, sqlx.ExecRow(ctx, "UPDATE sentinel_activities SET decision = ?, decision_expires_at = ? WHERE tenant_id = ? AND id = ?",
		store.SentinelDecisionBlocked, expiresAt, r.s.TenantID(), id))
	return sqlx.WrapErr("block sentinel target", err)
}

func (r Sentinel) DeleteBefore(ctx context.Context, cutoff int64) (int64, error) {
	var n int64
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "DELETE FROM sentinel_activities WHERE tenant_id = ? AND created_at < ? AND decision_expires_at <= ?",
			r.s.TenantID(), cutoff, cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, sqlx.WrapErr("prune sentinel activities", err)
}
