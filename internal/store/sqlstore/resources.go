package sqlstore

import (
	"context"
	"errors"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

type resources struct{ s *tenantScope }

const resourceColumns = "id, name, indicator, is_default, access_token_ttl"

func scanResource(tenantID string, sc sqlx.Scanner) (model.Resource, error) {
	res := model.Resource{TenantID: tenantID}
	err := sc.Scan(&res.ID, &res.Name, &res.Indicator, &res.IsDefault, &res.AccessTokenTTL)
	return res, err
}

func checkResource(res model.Resource) error {
	if err := checkID("resource id", res.ID); err != nil {
		return err
	}
	// name and indicator are unbounded text columns in Logto; only the indicator must be present.
	if res.Indicator == "" {
		return errors.New("sqlstore: resource indicator is required")
	}
	return nil
}

// Create inserts r; when r.IsDefault it also clears the tenant's previous default resource,
// as SetDefault does, since a tenant has at most one (Logto's resources__is_default_true index).
func (r resources) Create(ctx context.Context, res model.Resource) error {
	if err := checkResource(res); err != nil {
		return err
	}
	err := r.s.write(ctx, func(c sqlx.Conn) error {
		if res.IsDefault {
			if _, err := c.Exec(ctx, "UPDATE resources SET is_default = ? WHERE tenant_id = ? AND is_default = ?",
				false, r.s.tenantID, true); err != nil {
				return err
			}
		}
		_, err := c.Exec(ctx, "INSERT INTO resources (tenant_id, "+resourceColumns+") VALUES (?, ?, ?, ?, ?, ?)",
			r.s.tenantID, res.ID, res.Name, res.Indicator, res.IsDefault, res.AccessTokenTTL)
		return err
	})
	return wrapErr("create resource "+res.ID, err)
}

func (r resources) Get(ctx context.Context, id string) (model.Resource, error) {
	return r.getBy(ctx, "id", id)
}

// GetByIndicator is on the token path (RFC 8707 resource parameter): one unique-index lookup.
func (r resources) GetByIndicator(ctx context.Context, indicator string) (model.Resource, error) {
	return r.getBy(ctx, "indicator", indicator)
}

func (r resources) getBy(ctx context.Context, column, value string) (model.Resource, error) {
	c, err := r.s.reader()
	if err != nil {
		return model.Resource{}, err
	}
	res, err := scanResource(r.s.tenantID, c.QueryRow(ctx,
		"SELECT "+resourceColumns+" FROM resources WHERE tenant_id = ? AND "+column+" = ?", r.s.tenantID, value))
	if err != nil {
		return model.Resource{}, wrapErr("get resource by "+column+" "+value, err)
	}
	return res, nil
}

func (r resources) List(ctx context.Context, p store.Page) ([]model.Resource, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: resourceColumns, From: "resources", OrderBy: "seq", Page: p}
	q.Where.Add("tenant_id = ?", r.s.tenantID)
	out, total, err := sqlx.ListRows(ctx, c, q, r.s.tenantID, scanResource)
	if err != nil {
		return nil, 0, wrapErr("list resources", err)
	}
	return out, total, nil
}

func (r resources) Update(ctx context.Context, res model.Resource) error {
	if err := checkResource(res); err != nil {
		return err
	}
	err := r.s.write(ctx, func(c sqlx.Conn) error {
		result, err := c.Exec(ctx, "UPDATE resources SET name = ?, indicator = ?, access_token_ttl = ? WHERE tenant_id = ? AND id = ?",
			res.Name, res.Indicator, res.AccessTokenTTL, r.s.tenantID, res.ID)
		if err != nil {
			return err
		}
		return sqlx.ExpectRow(result)
	})
	return wrapErr("update resource "+res.ID, err)
}

func (r resources) SetDefault(ctx context.Context, id string, isDefault bool) error {
	err := r.s.write(ctx, func(c sqlx.Conn) error {
		// Clear the old default before setting the new one: the partial unique index is checked
		// row by row, so doing both in one UPDATE could trip it on PostgreSQL.
		if isDefault {
			if _, err := c.Exec(ctx, "UPDATE resources SET is_default = ? WHERE tenant_id = ? AND is_default = ? AND id <> ?",
				false, r.s.tenantID, true, id); err != nil {
				return err
			}
		}
		res, err := c.Exec(ctx, "UPDATE resources SET is_default = ? WHERE tenant_id = ? AND id = ?", isDefault, r.s.tenantID, id)
		if err != nil {
			return err
		}
		return sqlx.ExpectRow(res)
	})
	return wrapErr("set default resource "+id, err)
}

func (r resources) Delete(ctx context.Context, id string) error {
	// Its scopes, and their links to roles, go with it (ON DELETE CASCADE).
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM resources WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return wrapErr("delete resource "+id, err)
}
