package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Tenant returns tenantID's repositories outside any transaction.
func (d *DB) Tenant(tenantID string) store.Tenant {
	return &tenantScope{db: d, tenantID: tenantID}
}

// Tenants lists all tenants, oldest first.
func (d *DB) Tenants(ctx context.Context) ([]model.Tenant, error) {
	rows, err := d.readConn().Query(ctx, "SELECT id, name, created_at FROM tenants ORDER BY created_at, id")
	if err != nil {
		return nil, wrapErr("list tenants", err)
	}
	defer rows.Close()
	out := []model.Tenant{}
	for rows.Next() {
		var t model.Tenant
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt); err != nil {
			return nil, wrapErr("list tenants", err)
		}
		out = append(out, t)
	}
	return out, wrapErr("list tenants", rows.Err())
}

// CreateTenant inserts a tenant and its generation counter.
func (d *DB) CreateTenant(ctx context.Context, t model.Tenant) error {
	if err := checkID("tenant id", t.ID); err != nil {
		return err
	}
	if err := sqlx.CheckLen("tenant name", t.Name, false, maxTenantNameLen); err != nil {
		return err
	}
	err := sqlx.WithTx(ctx, d.write, func(tx *sql.Tx) error {
		c := sqlx.Conn{Postgres: d.postgres(), Runner: tx}
		if _, err := c.Exec(ctx, "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)", t.ID, t.Name, t.CreatedAt); err != nil {
			return err
		}
		_, err := c.Exec(ctx, "INSERT INTO tenant_generations (tenant_id, generation) VALUES (?, 0)", t.ID)
		return err
	})
	return wrapErr("create tenant "+t.ID, err)
}

// Generation returns the tenant's change counter (store.ErrNotFound for an unknown tenant).
func (d *DB) Generation(ctx context.Context, tenantID string) (int64, error) {
	var gen int64
	err := d.readConn().QueryRow(ctx, "SELECT generation FROM tenant_generations WHERE tenant_id = ?", tenantID).Scan(&gen)
	if err != nil {
		return 0, wrapErr(fmt.Sprintf("generation of tenant %s", tenantID), err)
	}
	return gen, nil
}

func (s *tenantScope) ID() string                        { return s.tenantID }
func (s *tenantScope) Applications() store.Applications  { return applications{s} }
func (s *tenantScope) Secrets() store.ApplicationSecrets { return secrets{s} }
func (s *tenantScope) Resources() store.Resources        { return resources{s} }
func (s *tenantScope) Scopes() store.Scopes              { return scopes{s} }
func (s *tenantScope) Roles() store.Roles                { return roles{s} }
func (s *tenantScope) Configs() store.Configs            { return configs{s} }
