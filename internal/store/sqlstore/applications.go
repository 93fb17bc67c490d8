package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

type applications struct{ s *tenantScope }

const appColumns = `id, name, description, type, oidc_client_metadata, custom_client_metadata,
	protected_app_metadata, custom_data, is_third_party, app_level_access_control_enabled, created_at`

// appOrder is Logto's order of application lists: newest first.
const appOrder = "a.created_at DESC, a.seq DESC"

// appRow holds an application's columns encoded for the database.
type appRow struct {
	oidc, custom, customData string
	protected                *string
}

func encodeApp(a model.Application) (appRow, error) {
	var (
		r   appRow
		err error
	)
	if r.oidc, err = encodeOIDCMetadata(a.OIDCClientMetadata); err != nil {
		return r, err
	}
	if r.custom, err = encodeCustomMetadata(a.CustomClientMetadata); err != nil {
		return r, err
	}
	if r.customData, err = sqlx.EncodeObject("customData", a.CustomData); err != nil {
		return r, err
	}
	r.protected, err = sqlx.EncodeNullableObject("protectedAppMetadata", a.ProtectedAppMetadata)
	return r, err
}

func scanApp(tenantID string, sc sqlx.Scanner) (model.Application, error) {
	var (
		a                              model.Application
		description                    sql.NullString
		oidc, custom, protected, cdata []byte
	)
	err := sc.Scan(&a.ID, &a.Name, &description, &a.Type, &oidc, &custom, &protected, &cdata,
		&a.IsThirdParty, &a.AppLevelAccessControlEnabled, &a.CreatedAt)
	if err != nil {
		return a, err
	}
	a.TenantID = tenantID
	if description.Valid {
		a.Description = &description.String
	}
	if a.OIDCClientMetadata, err = decodeOIDCMetadata(oidc); err != nil {
		return a, err
	}
	if a.CustomClientMetadata, err = decodeCustomMetadata(custom); err != nil {
		return a, err
	}
	a.ProtectedAppMetadata = protected // nil for SQL NULL
	a.CustomData = cdata
	return a, nil
}

func (r applications) Create(ctx context.Context, a model.Application) error {
	if err := checkApplication(a); err != nil {
		return err
	}
	row, err := encodeApp(a)
	if err != nil {
		return wrapErr("create application", err)
	}
	err = r.s.write(ctx, sqlx.ExecStmt(ctx, `INSERT INTO applications (tenant_id, `+appColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.s.tenantID, a.ID, a.Name, a.Description, a.Type, row.oidc, row.custom, row.protected, row.customData,
		a.IsThirdParty, a.AppLevelAccessControlEnabled, a.CreatedAt))
	return wrapErr("create application "+a.ID, err)
}

func (r applications) Get(ctx context.Context, id string) (model.Application, error) {
	c, err := r.s.reader()
	if err != nil {
		return model.Application{}, err
	}
	a, err := scanApp(r.s.tenantID, c.QueryRow(ctx,
		"SELECT "+appColumns+" FROM applications WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	if err != nil {
		return model.Application{}, wrapErr("get application "+id, err)
	}
	return a, nil
}

func (r applications) List(ctx context.Context, f store.ApplicationFilter, p store.Page) ([]model.Application, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: sqlx.Prefixed("a", appColumns), From: "applications a", OrderBy: appOrder, Page: p}
	q.Where.Add("a.tenant_id = ?", r.s.tenantID)
	if len(f.Types) > 0 {
		types := make([]string, len(f.Types))
		for i, t := range f.Types {
			types[i] = string(t)
		}
		q.Where.In("a.type", types)
	}
	if f.IsThirdParty != nil {
		q.Where.Add("a.is_third_party = ?", *f.IsThirdParty)
	}
	if f.ExcludeRoleID != "" {
		q.Where.Add(`NOT EXISTS (SELECT 1 FROM applications_roles ar
			WHERE ar.tenant_id = a.tenant_id AND ar.application_id = a.id AND ar.role_id = ?)`, f.ExcludeRoleID)
	}
	q.Where.Search(f.Search, "a.id", "a.name", "a.description")
	out, total, err := sqlx.ListRows(ctx, c, q, r.s.tenantID, scanApp)
	if err != nil {
		return nil, 0, wrapErr("list applications", err)
	}
	return out, total, nil
}

func (r applications) Update(ctx context.Context, a model.Application) error {
	if err := checkID("application id", a.ID); err != nil {
		return err
	}
	if err := sqlx.CheckLen("application name", a.Name, false, maxAppNameLen); err != nil {
		return err
	}
	row, err := encodeApp(a)
	if err != nil {
		return wrapErr("update application", err)
	}
	err = r.s.write(ctx, sqlx.ExecRow(ctx, `UPDATE applications SET name = ?, description = ?, oidc_client_metadata = ?,
			custom_client_metadata = ?, protected_app_metadata = ?, custom_data = ?, is_third_party = ?,
			app_level_access_control_enabled = ?
			WHERE tenant_id = ? AND id = ?`,
		a.Name, a.Description, row.oidc, row.custom, row.protected, row.customData, a.IsThirdParty,
		a.AppLevelAccessControlEnabled, r.s.tenantID, a.ID))
	return wrapErr("update application "+a.ID, err)
}

func (r applications) Delete(ctx context.Context, id string) error {
	// Secrets and role links go with it (ON DELETE CASCADE).
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM applications WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return wrapErr("delete application "+id, err)
}
