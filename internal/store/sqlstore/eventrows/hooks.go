package eventrows

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// HookKeyPlace binds a hook's sealed signing key to its tenant and hook.
func HookKeyPlace(tenantID, hookID string) secretbox.Place {
	return secretbox.Place{Table: "hooks", Column: "signing_key", Tenant: tenantID, Row: hookID}
}

// Hooks is store.Hooks over a Scope.
type Hooks struct {
	s    Scope
	seal Sealer
}

// NewHooks returns the hooks of s's tenant; signing keys go through seal.
func NewHooks(s Scope, seal Sealer) Hooks { return Hooks{s: s, seal: seal} }

const hookColumns = "id, name, event, events, config, signing_key, enabled, created_at"

func checkHook(h model.Hook) error {
	if err := sqlx.CheckLen("hook id", h.ID, true, maxIDLen); err != nil {
		return err
	}
	if err := sqlx.CheckLen("hook name", h.Name, false, maxNameLen); err != nil {
		return err
	}
	if h.Event != nil {
		if err := sqlx.CheckLen("hook event", *h.Event, true, maxEventLen); err != nil {
			return err
		}
	}
	return sqlx.CheckLen("hook signing key", h.SigningKey, true, 256)
}

// encode returns the stored forms of a hook's events, config and sealed key.
func (r Hooks) encode(h model.Hook) (events, config, key string, err error) {
	if err = checkHook(h); err != nil {
		return
	}
	list := h.Events
	if list == nil {
		list = []string{}
	}
	var b []byte
	if b, err = json.Marshal(list); err != nil {
		return "", "", "", fmt.Errorf("encode hook events: %w", err)
	}
	events = string(b)
	if b, err = json.Marshal(h.Config); err != nil {
		return "", "", "", fmt.Errorf("encode hook config: %w", err)
	}
	config = string(b)
	key, err = r.seal.Seal(HookKeyPlace(r.s.TenantID(), h.ID), h.SigningKey)
	return events, config, key, err
}

func (r Hooks) Create(ctx context.Context, h model.Hook) error {
	events, config, key, err := r.encode(h)
	if err != nil {
		return err
	}
	err = r.s.Write(ctx, sqlx.ExecStmt(ctx, `INSERT INTO hooks (tenant_id, `+hookColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.s.TenantID(), h.ID, h.Name, h.Event, events, config, key, h.Enabled, h.CreatedAt))
	return sqlx.WrapErr("create hook "+h.ID, err)
}

func (r Hooks) scan(sc sqlx.Scanner) (model.Hook, error) {
	h := model.Hook{TenantID: r.s.TenantID()}
	var event sql.NullString
	var events, config, key string
	if err := sc.Scan(&h.ID, &h.Name, &event, &events, &config, &key, &h.Enabled, &h.CreatedAt); err != nil {
		return h, err
	}
	if event.Valid {
		h.Event = &event.String
	}
	if err := json.Unmarshal([]byte(events), &h.Events); err != nil || h.Events == nil {
		h.Events = []string{}
	}
	if err := json.Unmarshal([]byte(config), &h.Config); err != nil {
		return h, fmt.Errorf("decode config of hook %s: %w", h.ID, err)
	}
	var err error
	h.SigningKey, err = r.seal.Open(HookKeyPlace(r.s.TenantID(), h.ID), key)
	return h, err
}

func (r Hooks) Get(ctx context.Context, id string) (model.Hook, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.Hook{}, err
	}
	h, err := r.scan(c.QueryRow(ctx, "SELECT "+hookColumns+" FROM hooks WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return h, sqlx.WrapErr("get hook "+id, err)
}

func (r Hooks) List(ctx context.Context, p store.Page) ([]model.Hook, int, error) {
	c, err := r.s.Reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: hookColumns, From: "hooks", OrderBy: "created_at, id", Page: p}
	q.Where.Add("tenant_id = ?", r.s.TenantID())
	hs, total, err := sqlx.ListRows(ctx, c, q, r.s.TenantID(), func(_ string, sc sqlx.Scanner) (model.Hook, error) {
		return r.scan(sc)
	})
	return hs, total, sqlx.WrapErr("list hooks", err)
}

func (r Hooks) Update(ctx context.Context, h model.Hook) error {
	events, config, key, err := r.encode(h)
	if err != nil {
		return err
	}
	err = r.s.Write(ctx, sqlx.ExecRow(ctx, `UPDATE hooks SET name = ?, event = ?, events = ?, config = ?, signing_key = ?, enabled = ?
		WHERE tenant_id = ? AND id = ?`, h.Name, h.Event, events, config, key, h.Enabled, r.s.TenantID(), h.ID))
	return sqlx.WrapErr("update hook "+h.ID, err)
}

// Delete removes the hook; its deliveries go with it (ON DELETE CASCADE).
func (r Hooks) Delete(ctx context.Context, id string) error {
	err := r.s.Write(ctx, sqlx.ExecRow(ctx, "DELETE FROM hooks WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return sqlx.WrapErr("delete hook "+id, err)
}
