package eventrows

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Deliveries is store.Deliveries over a Scope.
type Deliveries struct{ s Scope }

// NewDeliveries returns the outbox of s's tenant.
func NewDeliveries(s Scope) Deliveries { return Deliveries{s: s} }

const deliveryColumns = `tenant_id, id, hook_id, event, body, status, attempts, next_attempt_at, claim_token,
	last_status, last_error, created_at, updated_at`

func scanDelivery(sc sqlx.Scanner) (model.Delivery, error) {
	var d model.Delivery
	var body string
	var token, lastErr sql.NullString
	var lastStatus sql.NullInt64
	if err := sc.Scan(&d.TenantID, &d.ID, &d.HookID, &d.Event, &body, &d.Status, &d.Attempts, &d.NextAttemptAt,
		&token, &lastStatus, &lastErr, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return d, err
	}
	d.Body, d.ClaimToken = []byte(body), token.String
	if lastStatus.Valid {
		n := int(lastStatus.Int64)
		d.LastStatus = &n
	}
	if lastErr.Valid {
		d.LastError = &lastErr.String
	}
	return d, nil
}

// Enqueue inserts pending deliveries in one write.
func (r Deliveries) Enqueue(ctx context.Context, ds []model.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	for _, d := range ds {
		if err := sqlx.CheckLen("delivery id", d.ID, true, maxIDLen); err != nil {
			return err
		}
		if err := sqlx.CheckLen("delivery event", d.Event, true, maxEventLen); err != nil {
			return err
		}
	}
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		for _, d := range ds {
			if _, err := c.Exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, hook_id, event, body, status, attempts,
				next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
				r.s.TenantID(), d.ID, d.HookID, d.Event, string(d.Body), d.NextAttemptAt, d.CreatedAt, d.UpdatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	return sqlx.WrapErr("queue deliveries", err)
}

func (r Deliveries) Get(ctx context.Context, id string) (model.Delivery, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.Delivery{}, err
	}
	d, err := scanDelivery(c.QueryRow(ctx, "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE tenant_id = ? AND id = ?",
		r.s.TenantID(), id))
	return d, sqlx.WrapErr("get delivery "+id, err)
}

func (r Deliveries) List(ctx context.Context, f model.DeliveryFilter, p store.Page) ([]model.Delivery, int, error) {
	c, err := r.s.Reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: deliveryColumns, From: "webhook_deliveries", OrderBy: "created_at DESC, id DESC", Page: p}
	q.Where.Add("tenant_id = ?", r.s.TenantID())
	if f.HookID != "" {
		q.Where.Add("hook_id = ?", f.HookID)
	}
	if f.Status != "" {
		q.Where.Add("status = ?", string(f.Status))
	}
	ds, total, err := sqlx.ListRows(ctx, c, q, r.s.TenantID(), func(_ string, sc sqlx.Scanner) (model.Delivery, error) {
		return scanDelivery(sc)
	})
	return ds, total, sqlx.WrapErr("list deliveries", err)
}

// Finish records an attempt's outcome, only for the worker holding the claim.
func (r Deliveries) Finish(ctx context.Context, id, claimToken string, o model.DeliveryOutcome) error {
	if claimToken == "" {
		return fmt.Errorf("sqlstore: finish delivery %s: no claim token", id)
	}
	var lastErr *string
	if o.Error != nil {
		clipped := clip(*o.Error, 1000)
		lastErr = &clipped
	}
	if o.NotAttempted {
		err := r.s.Write(ctx, sqlx.ExecRow(ctx, `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, last_error = ?,
			claim_token = NULL, claimed_until = NULL, updated_at = ? WHERE tenant_id = ? AND id = ? AND claim_token = ?`,
			string(o.Status), o.NextAttemptAt, lastErr, o.At, r.s.TenantID(), id, claimToken))
		return sqlx.WrapErr("finish delivery "+id, err)
	}
	err := r.s.Write(ctx, sqlx.ExecRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?,
		next_attempt_at = ?, last_status = ?, last_error = ?, claim_token = NULL, claimed_until = NULL, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND claim_token = ?`,
		string(o.Status), o.NextAttemptAt, o.ResponseCode, lastErr, o.At, r.s.TenantID(), id, claimToken))
	return sqlx.WrapErr("finish delivery "+id, err)
}

// Redeliver makes a finished delivery pending again, due at now.
func (r Deliveries) Redeliver(ctx context.Context, id string, now int64) error {
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
			claim_token = NULL, claimed_until = NULL, updated_at = ? WHERE tenant_id = ? AND id = ? AND status <> 'pending'`,
			now, now, r.s.TenantID(), id)
		if err != nil {
			return err
		}
		if sqlx.ExpectRow(res) == nil {
			return nil
		}
		// Nothing changed: pending already (fine), or absent.
		var one int
		return c.QueryRow(ctx, "SELECT 1 FROM webhook_deliveries WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id).Scan(&one)
	})
	return sqlx.WrapErr("redeliver "+id, err)
}

// DeleteFinishedBefore removes delivered and dead deliveries last updated before cutoff.
func (r Deliveries) DeleteFinishedBefore(ctx context.Context, cutoff int64) (int64, error) {
	var n int64
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "DELETE FROM webhook_deliveries WHERE tenant_id = ? AND status <> 'pending' AND updated_at < ?",
			r.s.TenantID(), cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, sqlx.WrapErr("delete finished deliveries", err)
}

// ReleaseClaims frees every claim of the tenant's pending deliveries.
func (r Deliveries) ReleaseClaims(ctx context.Context) (int64, error) {
	var n int64
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, `UPDATE webhook_deliveries SET claim_token = NULL, claimed_until = NULL
			WHERE tenant_id = ? AND claim_token IS NOT NULL`, r.s.TenantID())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, sqlx.WrapErr("release delivery claims", err)
}

// Claim takes due deliveries of every tenant for one worker, in the caller's write transaction
// c. On PostgreSQL, FOR UPDATE SKIP LOCKED makes concurrent claimers (other nodes) pass over the
// rows this one locked instead of waiting for them or taking them too; on SQLite the single
// writer serializes claimers. Each row gets its own random token, so a worker whose lease ran
// out cannot record the outcome of an attempt another worker made since.
func Claim(ctx context.Context, c sqlx.Conn, now, leaseUntil int64, limit int) ([]model.Delivery, error) {
	lock := ""
	if c.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	type key struct{ tenant, id string }
	var due []key
	err := sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var k key
		if err := sc.Scan(&k.tenant, &k.id); err != nil {
			return err
		}
		due = append(due, k)
		return nil
	}, `SELECT tenant_id, id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
		AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at LIMIT ?`+lock, now, now, limit)
	if err != nil {
		return nil, sqlx.WrapErr("find due deliveries", err)
	}
	out := make([]model.Delivery, 0, len(due))
	for _, k := range due {
		token, err := newClaimToken()
		if err != nil {
			return nil, err
		}
		d, err := scanDelivery(c.QueryRow(ctx, `UPDATE webhook_deliveries SET claim_token = ?, claimed_until = ?
			WHERE tenant_id = ? AND id = ? RETURNING `+deliveryColumns, token, leaseUntil, k.tenant, k.id))
		if err != nil {
			return nil, sqlx.WrapErr("claim delivery "+k.id, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// PendingCount counts pending deliveries of every tenant.
func PendingCount(ctx context.Context, c sqlx.Conn) (int, error) {
	var n int
	err := c.QueryRow(ctx, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'").Scan(&n)
	return n, sqlx.WrapErr("count pending deliveries", err)
}

func newClaimToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("claim token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
