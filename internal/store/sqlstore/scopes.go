package sqlstore

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

type scopes struct{ s *tenantScope }

const scopeColumns = "id, resource_id, name, description, created_at"

func scanScope(tenantID string, sc sqlx.Scanner) (model.Scope, error) {
	s := model.Scope{TenantID: tenantID}
	err := sc.Scan(&s.ID, &s.ResourceID, &s.Name, &s.Description, &s.CreatedAt)
	return s, err
}

func checkScopeName(name string) error {
	return sqlx.CheckLen("scope name", name, true, maxScopeNameLen)
}

func (r scopes) Create(ctx context.Context, s model.Scope) error {
	if err := checkID("scope id", s.ID); err != nil {
		return err
	}
	if err := checkID("resource id", s.ResourceID); err != nil {
		return err
	}
	if err := checkScopeName(s.Name); err != nil {
		return err
	}
	// A resource of another tenant fails the (tenant_id, resource_id) foreign key: ErrNotFound.
	err := r.s.write(ctx, sqlx.ExecStmt(ctx, "INSERT INTO scopes (tenant_id, "+scopeColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		r.s.tenantID, s.ID, s.ResourceID, s.Name, s.Description, s.CreatedAt))
	return wrapErr("create scope "+s.ID, err)
}

func (r scopes) Get(ctx context.Context, id string) (model.Scope, error) {
	c, err := r.s.reader()
	if err != nil {
		return model.Scope{}, err
	}
	s, err := scanScope(r.s.tenantID, c.QueryRow(ctx,
		"SELECT "+scopeColumns+" FROM scopes WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	if err != nil {
		return model.Scope{}, wrapErr("get scope "+id, err)
	}
	return s, nil
}

func (r scopes) GetMany(ctx context.Context, ids []string) ([]model.Scope, error) {
	out := []model.Scope{}
	if len(ids) == 0 {
		return out, nil
	}
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	var w sqlx.Where
	w.Add("tenant_id = ?", r.s.tenantID)
	w.In("id", ids)
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		s, err := scanScope(r.s.tenantID, sc)
		out = append(out, s)
		return err
	}, "SELECT "+scopeColumns+" FROM scopes"+w.String()+" ORDER BY seq", w.Args...)
	if err != nil {
		return nil, wrapErr("get scopes", err)
	}
	return out, nil
}

func (r scopes) List(ctx context.Context, f store.ScopeFilter, p store.Page) ([]model.Scope, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: sqlx.Prefixed("s", scopeColumns), From: "scopes s", OrderBy: "s.seq", Page: p}
	q.Where.Add("s.tenant_id = ?", r.s.tenantID)
	addScopeFilter(&q.Where, f)
	out, total, err := runScopeList(ctx, c, q, r.s.tenantID)
	return out, total, wrapErr("list scopes", err)
}

// addScopeFilter narrows a query over scopes aliased s.
func addScopeFilter(w *sqlx.Where, f store.ScopeFilter) {
	if f.ResourceID != "" {
		w.Add("s.resource_id = ?", f.ResourceID)
	}
	w.Search(f.Search, "s.name", "s.description")
}

func runScopeList(ctx context.Context, c sqlx.Conn, q sqlx.ListQuery, tenantID string) ([]model.Scope, int, error) {
	out, total, err := sqlx.ListRows(ctx, c, q, tenantID, scanScope)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (r scopes) Update(ctx context.Context, s model.Scope) error {
	if err := checkID("scope id", s.ID); err != nil {
		return err
	}
	if err := checkScopeName(s.Name); err != nil {
		return err
	}
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "UPDATE scopes SET name = ?, description = ? WHERE tenant_id = ? AND id = ?",
		s.Name, s.Description, r.s.tenantID, s.ID))
	return wrapErr("update scope "+s.ID, err)
}

func (r scopes) Delete(ctx context.Context, id string) error {
	// Its links to roles go with it (ON DELETE CASCADE).
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM scopes WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return wrapErr("delete scope "+id, err)
}
