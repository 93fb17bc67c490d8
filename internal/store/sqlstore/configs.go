package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

type configs struct{ s *tenantScope }

func (r configs) Get(ctx context.Context, key string) (json.RawMessage, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	var value []byte
	if err := c.QueryRow(ctx, "SELECT value FROM logto_configs WHERE tenant_id = ? AND key = ?", r.s.tenantID, key).Scan(&value); err != nil {
		return nil, wrapErr("get config "+key, err)
	}
	return r.s.db.sealer.OpenConfig(r.s.tenantID, key, value)
}

func (r configs) Put(ctx context.Context, key string, value json.RawMessage) error {
	if err := sqlx.CheckLen("config key", key, true, maxConfigKeyLen); err != nil {
		return err
	}
	encoded, err := sqlx.EncodeJSON("config "+key, value)
	if err != nil {
		return wrapErr("put config", err)
	}
	// Key rows are sealed (package sealing); the JSON is validated above, before it disappears.
	if encoded, err = r.s.db.sealer.SealConfig(r.s.tenantID, key, encoded); err != nil {
		return err
	}
	// The same upsert syntax works on PostgreSQL and SQLite (≥ 3.24).
	err = r.s.write(ctx, sqlx.ExecStmt(ctx, `INSERT INTO logto_configs (tenant_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`, r.s.tenantID, key, encoded))
	return wrapErr("put config "+key, err)
}
