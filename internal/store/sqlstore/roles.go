package sqlstore

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// roles persists roles and their links. That only MachineToMachine roles may be given to
// applications (Logto's applications_roles__role_type check) is left to the service layer, which
// must answer with Logto's error code anyway; the store links whatever it is asked to link.
type roles struct{ s *tenantScope }

const roleColumns = "id, name, description, type, is_default"

func scanRole(tenantID string, sc sqlx.Scanner) (model.Role, error) {
	r := model.Role{TenantID: tenantID}
	err := sc.Scan(&r.ID, &r.Name, &r.Description, &r.Type, &r.IsDefault)
	return r, err
}

func (r roles) Create(ctx context.Context, role model.Role) error {
	if err := checkRole(role); err != nil {
		return err
	}
	err := r.s.write(ctx, sqlx.ExecStmt(ctx, "INSERT INTO roles (tenant_id, "+roleColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		r.s.tenantID, role.ID, role.Name, role.Description, role.Type, role.IsDefault))
	return wrapErr("create role "+role.ID, err)
}

func (r roles) Get(ctx context.Context, id string) (model.Role, error) {
	return r.getBy(ctx, "id", id)
}

func (r roles) GetByName(ctx context.Context, name string) (model.Role, error) {
	return r.getBy(ctx, "name", name)
}

func (r roles) getBy(ctx context.Context, column, value string) (model.Role, error) {
	c, err := r.s.reader()
	if err != nil {
		return model.Role{}, err
	}
	role, err := scanRole(r.s.tenantID, c.QueryRow(ctx,
		"SELECT "+roleColumns+" FROM roles WHERE tenant_id = ? AND "+column+" = ?", r.s.tenantID, value))
	if err != nil {
		return model.Role{}, wrapErr("get role by "+column+" "+value, err)
	}
	return role, nil
}

func (r roles) List(ctx context.Context, f store.RoleFilter, p store.Page) ([]model.Role, int, error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		return []model.Role{}, 0, nil // asked for none of no roles
	}
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: sqlx.Prefixed("r", roleColumns), From: "roles r", OrderBy: "r.seq", Page: p}
	q.Where.Add("r.tenant_id = ?", r.s.tenantID)
	if f.Type != "" {
		q.Where.Add("r.type = ?", f.Type)
	}
	if f.IDs != nil {
		q.Where.In("r.id", f.IDs)
	}
	if f.ExcludeApplicationID != "" {
		q.Where.Add(`NOT EXISTS (SELECT 1 FROM applications_roles ar
			WHERE ar.tenant_id = r.tenant_id AND ar.role_id = r.id AND ar.application_id = ?)`, f.ExcludeApplicationID)
	}
	if f.ExcludeUserID != "" {
		q.Where.Add(`NOT EXISTS (SELECT 1 FROM users_roles ur
			WHERE ur.tenant_id = r.tenant_id AND ur.role_id = r.id AND ur.user_id = ?)`, f.ExcludeUserID)
	}
	q.Where.Search(f.Search, "r.id", "r.name", "r.description")
	out, total, err := runRoleList(ctx, c, q, r.s.tenantID)
	return out, total, wrapErr("list roles", err)
}

func runRoleList(ctx context.Context, c sqlx.Conn, q sqlx.ListQuery, tenantID string) ([]model.Role, int, error) {
	out, total, err := sqlx.ListRows(ctx, c, q, tenantID, scanRole)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (r roles) Update(ctx context.Context, role model.Role) error {
	if err := checkID("role id", role.ID); err != nil {
		return err
	}
	if err := sqlx.CheckLen("role name", role.Name, true, maxRoleNameLen); err != nil {
		return err
	}
	if err := sqlx.CheckLen("role description", role.Description, false, maxRoleDescLen); err != nil {
		return err
	}
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "UPDATE roles SET name = ?, description = ?, is_default = ? WHERE tenant_id = ? AND id = ?",
		role.Name, role.Description, role.IsDefault, r.s.tenantID, role.ID))
	return wrapErr("update role "+role.ID, err)
}

func (r roles) Delete(ctx context.Context, id string) error {
	// Its links to scopes and applications go with it (ON DELETE CASCADE).
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM roles WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return wrapErr("delete role "+id, err)
}

// AddScopes links every scope or none: a missing role or scope is ErrNotFound, an existing link
// (or one listed twice) a ConflictError UniqueRoleScope.
func (r roles) AddScopes(ctx context.Context, roleID string, scopeIDs []string) error {
	if len(scopeIDs) == 0 {
		return nil
	}
	err := r.s.write(ctx, func(c sqlx.Conn) error {
		for _, scopeID := range scopeIDs {
			if _, err := c.Exec(ctx, "INSERT INTO roles_scopes (tenant_id, id, role_id, scope_id) VALUES (?, ?, ?, ?)",
				r.s.tenantID, ids.New(), roleID, scopeID); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr("add scopes to role "+roleID, err)
}

func (r roles) RemoveScope(ctx context.Context, roleID, scopeID string) error {
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM roles_scopes WHERE tenant_id = ? AND role_id = ? AND scope_id = ?",
		r.s.tenantID, roleID, scopeID))
	return wrapErr("remove scope "+scopeID+" from role "+roleID, err)
}

// Scopes lists a role's scopes in their creation order; ErrNotFound when the role does not exist.
func (r roles) Scopes(ctx context.Context, roleID string, f store.ScopeFilter, p store.Page) ([]model.Scope, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	if err := r.mustExist(ctx, c, "roles", roleID); err != nil {
		return nil, 0, wrapErr("list scopes of role "+roleID, err)
	}
	q := sqlx.ListQuery{
		Columns: sqlx.Prefixed("s", scopeColumns),
		From:    "scopes s JOIN roles_scopes rs ON rs.tenant_id = s.tenant_id AND rs.scope_id = s.id",
		OrderBy: "s.seq",
		Page:    p,
	}
	q.Where.Add("rs.tenant_id = ? AND rs.role_id = ?", r.s.tenantID, roleID)
	addScopeFilter(&q.Where, f)
	out, total, err := runScopeList(ctx, c, q, r.s.tenantID)
	return out, total, wrapErr("list scopes of role "+roleID, err)
}

// AddApplications links every application or none, like AddScopes.
func (r roles) AddApplications(ctx context.Context, roleID string, appIDs []string) error {
	if len(appIDs) == 0 {
		return nil
	}
	err := r.s.write(ctx, func(c sqlx.Conn) error {
		for _, appID := range appIDs {
			if _, err := c.Exec(ctx, "INSERT INTO applications_roles (tenant_id, id, application_id, role_id) VALUES (?, ?, ?, ?)",
				r.s.tenantID, ids.New(), appID, roleID); err != nil {
				return err
			}
		}
		return nil
	})
	return wrapErr("add applications to role "+roleID, err)
}

func (r roles) RemoveApplication(ctx context.Context, roleID, appID string) error {
	err := r.s.write(ctx, sqlx.ExecRow(ctx, "DELETE FROM applications_roles WHERE tenant_id = ? AND role_id = ? AND application_id = ?",
		r.s.tenantID, roleID, appID))
	return wrapErr("remove application "+appID+" from role "+roleID, err)
}

// Applications lists the applications holding a role, newest first; ErrNotFound when the role
// does not exist.
func (r roles) Applications(ctx context.Context, roleID string, p store.Page) ([]model.Application, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	if err := r.mustExist(ctx, c, "roles", roleID); err != nil {
		return nil, 0, wrapErr("list applications of role "+roleID, err)
	}
	q := sqlx.ListQuery{
		Columns: sqlx.Prefixed("a", appColumns),
		From:    "applications a JOIN applications_roles ar ON ar.tenant_id = a.tenant_id AND ar.application_id = a.id",
		OrderBy: appOrder,
		Page:    p,
	}
	q.Where.Add("ar.tenant_id = ? AND ar.role_id = ?", r.s.tenantID, roleID)
	out, total, err := sqlx.ListRows(ctx, c, q, r.s.tenantID, scanApp)
	if err != nil {
		return nil, 0, wrapErr("list applications of role "+roleID, err)
	}
	return out, total, nil
}

// OfApplication lists an application's roles in their creation order; ErrNotFound when the
// application does not exist.
func (r roles) OfApplication(ctx context.Context, appID string, p store.Page) ([]model.Role, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	if err := r.mustExist(ctx, c, "applications", appID); err != nil {
		return nil, 0, wrapErr("list roles of application "+appID, err)
	}
	q := sqlx.ListQuery{
		Columns: sqlx.Prefixed("r", roleColumns),
		From:    "roles r JOIN applications_roles ar ON ar.tenant_id = r.tenant_id AND ar.role_id = r.id",
		OrderBy: "r.seq",
		Page:    p,
	}
	q.Where.Add("ar.tenant_id = ? AND ar.application_id = ?", r.s.tenantID, appID)
	out, total, err := runRoleList(ctx, c, q, r.s.tenantID)
	return out, total, wrapErr("list roles of application "+appID, err)
}

// ApplicationScopeNames is on the client_credentials path: three primary/unique-key joins.
func (r roles) ApplicationScopeNames(ctx context.Context, appID, resourceID string) ([]string, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	names := []string{}
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var name string
		err := sc.Scan(&name)
		names = append(names, name)
		return err
	}, `SELECT DISTINCT s.name FROM applications_roles ar
		JOIN roles_scopes rs ON rs.tenant_id = ar.tenant_id AND rs.role_id = ar.role_id
		JOIN scopes s ON s.tenant_id = rs.tenant_id AND s.id = rs.scope_id
		WHERE ar.tenant_id = ? AND ar.application_id = ? AND s.resource_id = ?
		ORDER BY s.name`, r.s.tenantID, appID, resourceID)
	if err != nil {
		return nil, wrapErr("scope names of application "+appID, err)
	}
	return names, nil
}

// mustExist returns store.ErrNotFound unless table has a row with id in the tenant.
func (r roles) mustExist(ctx context.Context, c sqlx.Conn, table, id string) error {
	found, err := sqlx.Exists(ctx, c, "SELECT 1 FROM "+table+" WHERE tenant_id = ? AND id = ?", r.s.tenantID, id)
	if err != nil {
		return err
	}
	if !found {
		return store.ErrNotFound
	}
	return nil
}
