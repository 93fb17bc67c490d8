package connectorrows

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// ConfigPlace binds a connector's sealed config to its tenant and instance.
func ConfigPlace(tenantID, id string) secretbox.Place {
	return secretbox.Place{Table: "connectors", Column: "config", Tenant: tenantID, Row: id}
}

// Connectors is store.Connectors over a sqlx.TenantScope.
type Connectors struct {
	s    sqlx.TenantScope
	seal sqlx.Sealer
}

// New returns the connectors of s's tenant; configs go through seal.
func New(s sqlx.TenantScope, seal sqlx.Sealer) Connectors { return Connectors{s: s, seal: seal} }

const columns = "id, connector_id, config, metadata, sync_profile, enable_token_storage, created_at"

// maxIDLen is Logto's varchar(128) of connectors.id and connector_id.
const maxIDLen = 128

func (r Connectors) encode(c model.Connector) (config, metadata string, err error) {
	for _, f := range []struct{ name, v string }{{"connector id", c.ID}, {"connector factory id", c.ConnectorID}} {
		if f.v == "" || utf8.RuneCountInString(f.v) > maxIDLen {
			return "", "", fmt.Errorf("sqlstore: %s must be 1 to %d characters", f.name, maxIDLen)
		}
	}
	if config, err = sqlx.EncodeObject("connector config", c.Config); err != nil {
		return "", "", err
	}
	if metadata, err = sqlx.EncodeObject("connector metadata", c.Metadata); err != nil {
		return "", "", err
	}
	config, err = r.seal.Seal(ConfigPlace(r.s.TenantID(), c.ID), config)
	return config, metadata, err
}

func (r Connectors) Create(ctx context.Context, c model.Connector) error {
	config, metadata, err := r.encode(c)
	if err != nil {
		return err
	}
	err = r.s.Write(ctx, sqlx.ExecStmt(ctx, "INSERT INTO connectors (tenant_id, "+columns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		r.s.TenantID(), c.ID, c.ConnectorID, config, metadata, c.SyncProfile, c.EnableTokenStorage, c.CreatedAt))
	return sqlx.WrapErr("create connector "+c.ID, err)
}

func (r Connectors) scan(sc sqlx.Scanner) (model.Connector, error) {
	c := model.Connector{TenantID: r.s.TenantID()}
	var config, metadata string
	if err := sc.Scan(&c.ID, &c.ConnectorID, &config, &metadata, &c.SyncProfile, &c.EnableTokenStorage, &c.CreatedAt); err != nil {
		return c, err
	}
	plain, err := r.seal.Open(ConfigPlace(r.s.TenantID(), c.ID), config)
	if err != nil {
		return c, err
	}
	c.Config, c.Metadata = json.RawMessage(plain), json.RawMessage(metadata)
	return c, nil
}

func (r Connectors) Get(ctx context.Context, id string) (model.Connector, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.Connector{}, err
	}
	got, err := r.scan(c.QueryRow(ctx, "SELECT "+columns+" FROM connectors WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return got, sqlx.WrapErr("get connector "+id, err)
}

func (r Connectors) List(ctx context.Context) ([]model.Connector, error) {
	c, err := r.s.Reader()
	if err != nil {
		return nil, err
	}
	out := []model.Connector{}
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		got, err := r.scan(sc)
		out = append(out, got)
		return err
	}, "SELECT "+columns+" FROM connectors WHERE tenant_id = ? ORDER BY created_at, id", r.s.TenantID())
	return out, sqlx.WrapErr("list connectors", err)
}

func (r Connectors) Update(ctx context.Context, c model.Connector) error {
	config, metadata, err := r.encode(c)
	if err != nil {
		return err
	}
	err = r.s.Write(ctx, sqlx.ExecRow(ctx, `UPDATE connectors SET config = ?, metadata = ?, sync_profile = ?, enable_token_storage = ?
		WHERE tenant_id = ? AND id = ?`, config, metadata, c.SyncProfile, c.EnableTokenStorage, r.s.TenantID(), c.ID))
	return sqlx.WrapErr("update connector "+c.ID, err)
}

func (r Connectors) Delete(ctx context.Context, id string) error {
	err := r.s.Write(ctx, sqlx.ExecRow(ctx, "DELETE FROM connectors WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return sqlx.WrapErr("delete connector "+id, err)
}
