package consolerows

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Sessions is store.ConsoleSessions over a sqlx.TenantScope.
type Sessions struct{ s sqlx.TenantScope }

// New returns the console sessions of s's tenant.
func New(s sqlx.TenantScope) Sessions { return Sessions{s: s} }

func (r Sessions) Create(ctx context.Context, cs model.ConsoleSession) error {
	err := r.s.Write(ctx, sqlx.ExecStmt(ctx, `INSERT INTO console_sessions (tenant_id, id, user_id, id_token, csrf, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.s.TenantID(), cs.ID, cs.UserID, cs.IDToken, cs.CSRF, cs.CreatedAt, cs.ExpiresAt))
	return sqlx.WrapErr("create console session", err)
}

func (r Sessions) Get(ctx context.Context, id string, now int64) (model.ConsoleSession, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.ConsoleSession{}, err
	}
	cs := model.ConsoleSession{TenantID: r.s.TenantID()}
	err = c.QueryRow(ctx, `SELECT id, user_id, id_token, csrf, created_at, expires_at FROM console_sessions
		WHERE tenant_id = ? AND id = ? AND expires_at > ?`, r.s.TenantID(), id, now).
		Scan(&cs.ID, &cs.UserID, &cs.IDToken, &cs.CSRF, &cs.CreatedAt, &cs.ExpiresAt)
	return cs, sqlx.WrapErr("get console session", err)
}

func (r Sessions) Delete(ctx context.Context, id string) error {
	err := r.s.Write(ctx, sqlx.ExecStmt(ctx, "DELETE FROM console_sessions WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return sqlx.WrapErr("delete console session", err)
}

func (r Sessions) DeleteExpired(ctx context.Context, now int64) (int64, error) {
	var n int64
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "DELETE FROM console_sessions WHERE tenant_id = ? AND expires_at <= ?", r.s.TenantID(), now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, sqlx.WrapErr("delete expired console sessions", err)
}
