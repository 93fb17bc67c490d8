package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Column limits of Logto's roles table (name and description are varchar(128)).
const (
	maxRoleNameLen        = 128
	maxRoleDescriptionLen = 128
)

// internalRolePrefix marks Logto's internal roles, which its row-level security forbids anyone
// to create or change (schemas internalRolePrefix, koa-role-rls-error-handler).
const internalRolePrefix = "#internal:"

// featuredApplications is how many applications GET /roles shows per role (Logto caps at 3).
const featuredApplications = 3

// featuredUserCount is how many holders GET /roles shows per role (Logto's featuredUsers, like
// its featuredApplications, shows 3).
const featuredUserCount = 3

// RoleInput creates a role (POST /api/roles).
type RoleInput struct {
	Name        string
	Description string
	Type        model.RoleType // "" = User, Logto's default
	IsDefault   bool
	ScopeIDs    []string
}

// RolePatch changes a role; nil fields keep their value. The type never changes.
type RolePatch struct {
	Name        *string
	Description *string
	IsDefault   *bool
}

// FeaturedApplication is an application shown next to a role in GET /roles.
type FeaturedApplication struct {
	ID   string                `json:"id"`
	Name string                `json:"name"`
	Type model.ApplicationType `json:"type"`
}

// FeaturedUser is a user shown next to a role in GET /roles.
type FeaturedUser struct {
	ID     string  `json:"id"`
	Avatar *string `json:"avatar"`
	Name   *string `json:"name"`
}

// RoleSummary is an item of GET /api/roles: the role with counts of who holds it.
type RoleSummary struct {
	model.Role
	UsersCount           int                   `json:"usersCount"`
	FeaturedUsers        []FeaturedUser        `json:"featuredUsers"`
	ApplicationsCount    int                   `json:"applicationsCount"`
	FeaturedApplications []FeaturedApplication `json:"featuredApplications"`
}

// ScopeWithResource is a scope with its resource (GET /api/roles/:id/scopes, Logto's
// scopeResponseGuard).
type ScopeWithResource struct {
	model.Scope
	Resource model.Resource `json:"resource"`
}

func validateRole(r model.Role) error {
	if err := core.CheckName("name", r.Name, maxRoleNameLen); err != nil {
		return err
	}
	if err := core.CheckText("description", r.Description, maxRoleDescriptionLen); err != nil {
		return err
	}
	if !r.Type.Valid() {
		return core.InvalidBody("type: must be User or MachineToMachine.")
	}
	if strings.HasPrefix(r.Name, internalRolePrefix) {
		return apperr.New(http.StatusForbidden, "role.internal_role_violation",
			`You may be trying to update or delete an internal role which is forbidden by Logto. If you are creating a new role, try another name that does not start with "#internal:".`)
	}
	return nil
}

// ListRoles returns a page of roles with how many users and applications hold each (and the
// first few of them), and the total.
func (s *Access) ListRoles(ctx context.Context, tenantID string, f model.RoleFilter, p model.Page) ([]RoleSummary, int, error) {
	t := s.core.Store().Tenant(tenantID)
	roles, total, err := t.Roles().List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list roles: %w", err)
	}
	out := make([]RoleSummary, len(roles))
	for i, r := range roles {
		apps, count, err := t.Roles().Applications(ctx, r.ID, model.Page{Limit: featuredApplications})
		if err != nil {
			return nil, 0, fmt.Errorf("applications of role %s: %w", r.ID, err)
		}
		featured := make([]FeaturedApplication, len(apps))
		for j, a := range apps {
			featured[j] = FeaturedApplication{ID: a.ID, Name: a.Name, Type: a.Type}
		}
		holders, usersCount, err := t.Users().List(ctx, model.UserFilter{RoleID: r.ID}, model.Page{Limit: featuredUserCount})
		if err != nil {
			return nil, 0, fmt.Errorf("users of role %s: %w", r.ID, err)
		}
		featuredUsers := make([]FeaturedUser, len(holders))
		for j, u := range holders {
			featuredUsers[j] = FeaturedUser{ID: u.ID, Avatar: u.Avatar, Name: u.Name}
		}
		out[i] = RoleSummary{Role: r, UsersCount: usersCount, FeaturedUsers: featuredUsers,
			ApplicationsCount: count, FeaturedApplications: featured}
	}
	return out, total, nil
}

// CreateRole creates a role with its initial scopes in one transaction.
func (s *Access) CreateRole(ctx context.Context, tenantID string, in RoleInput) (model.Role, error) {
	r := model.Role{TenantID: tenantID, ID: ids.New(), Name: in.Name, Description: in.Description,
		Type: in.Type, IsDefault: in.IsDefault}
	if r.Type == "" {
		r.Type = model.RoleUser
	}
	if err := validateRole(r); err != nil {
		return model.Role{}, err
	}
	if err := core.CheckIDList("scopeIds", in.ScopeIDs); err != nil {
		return model.Role{}, err
	}
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if _, err := t.Roles().GetByName(ctx, r.Name); err == nil {
			return errRoleNameInUse(r.Name)
		} else if !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("find role %q: %w", r.Name, err)
		}
		if err := t.Roles().Create(ctx, r); err != nil {
			return roleWriteErr(err, r)
		}
		scopeIDs := core.Dedupe(in.ScopeIDs)
		if err := checkScopesAssignable(ctx, t, r, scopeIDs); err != nil {
			return err
		}
		if len(scopeIDs) > 0 {
			if err := t.Roles().AddScopes(ctx, r.ID, scopeIDs); err != nil {
				return core.MapStoreErr(err, core.TableRoles, r.ID)
			}
		}
		t.Emit(model.EventRoleCreated, r)
		return nil
	})
	if err != nil {
		return model.Role{}, err
	}
	return r, nil
}

// GetRole returns one role.
func (s *Access) GetRole(ctx context.Context, tenantID, id string) (model.Role, error) {
	r, err := s.core.Store().Tenant(tenantID).Roles().Get(ctx, id)
	if err != nil {
		return model.Role{}, core.MapStoreErr(err, core.TableRoles, id)
	}
	return r, nil
}

// UpdateRole changes a role's name, description or default flag.
func (s *Access) UpdateRole(ctx context.Context, tenantID, id string, p RolePatch) (model.Role, error) {
	var updated model.Role
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Roles().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
		if strings.HasPrefix(r.Name, internalRolePrefix) {
			return validateRole(r) // refuses internal roles
		}
		if p.Name != nil && *p.Name != r.Name {
			if other, err := t.Roles().GetByName(ctx, *p.Name); err == nil && other.ID != id {
				return errRoleNameInUse(*p.Name)
			} else if err != nil && !errors.Is(err, model.ErrNotFound) {
				return fmt.Errorf("find role %q: %w", *p.Name, err)
			}
			r.Name = *p.Name
		}
		if p.Description != nil {
			r.Description = *p.Description
		}
		if p.IsDefault != nil {
			r.IsDefault = *p.IsDefault
		}
		if err := validateRole(r); err != nil {
			return err
		}
		if err := t.Roles().Update(ctx, r); err != nil {
			return roleWriteErr(err, r)
		}
		updated = r
		t.Emit(model.EventRoleDataUpdated, r)
		return nil
	})
	return updated, err
}

// DeleteRole removes a role with its scope and application links.
func (s *Access) DeleteRole(ctx context.Context, tenantID, id string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Roles().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
		if strings.HasPrefix(r.Name, internalRolePrefix) {
			return validateRole(r)
		}
		if err := t.Roles().Delete(ctx, id); err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
		t.Emit(model.EventRoleDeleted, nil) // a 204: no data, as in Logto
		return nil
	})
}

// RoleScopes lists a role's scopes with their resources, filtered by search.
func (s *Access) RoleScopes(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]ScopeWithResource, int, error) {
	t := s.core.Store().Tenant(tenantID)
	if _, err := t.Roles().Get(ctx, roleID); err != nil {
		return nil, 0, core.MapStoreErr(err, core.TableRoles, roleID)
	}
	scopes, total, err := t.Roles().Scopes(ctx, roleID, model.ScopeFilter{Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("scopes of role %s: %w", roleID, err)
	}
	resources := map[string]model.Resource{}
	out := make([]ScopeWithResource, len(scopes))
	for i, sc := range scopes {
		r, ok := resources[sc.ResourceID]
		if !ok {
			if r, err = t.Resources().Get(ctx, sc.ResourceID); err != nil {
				return nil, 0, core.MapStoreErr(err, core.TableResources, sc.ResourceID)
			}
			resources[sc.ResourceID] = r
		}
		out[i] = ScopeWithResource{Scope: sc, Resource: r}
	}
	return out, total, nil
}

// AddRoleScopes links scopes to a role and returns all the role's scopes, as Logto answers.
func (s *Access) AddRoleScopes(ctx context.Context, tenantID, roleID string, scopeIDs []string) ([]model.Scope, error) {
	if err := core.RequireIDs("scopeIds", "scope id", scopeIDs); err != nil {
		return nil, err
	}
	var all []model.Scope
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Roles().Get(ctx, roleID)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, roleID)
		}
		held, _, err := t.Roles().Scopes(ctx, roleID, model.ScopeFilter{}, model.Page{})
		if err != nil {
			return fmt.Errorf("scopes of role %s: %w", roleID, err)
		}
		ids := core.Dedupe(scopeIDs)
		if id, ok := firstHeld(ids, held, func(h model.Scope) string { return h.ID }); ok {
			return apperr.New(http.StatusUnprocessableEntity, "role.scope_exists",
				"The scope id %s has already been added to this role", id)
		}
		if err := checkScopesAssignable(ctx, t, r, ids); err != nil {
			return err
		}
		if err := t.Roles().AddScopes(ctx, roleID, ids); err != nil {
			return core.MapStoreErr(err, core.TableRoles, roleID)
		}
		all, _, err = t.Roles().Scopes(ctx, roleID, model.ScopeFilter{}, model.Page{})
		if err != nil {
			return fmt.Errorf("scopes of role %s: %w", roleID, err)
		}
		t.Emit(model.EventRoleScopesUpdated, core.NonNil(all))
		return nil
	})
	return core.NonNil(all), err
}

// RemoveRoleScope unlinks a scope from a role.
func (s *Access) RemoveRoleScope(ctx context.Context, tenantID, roleID, scopeID string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		err := t.Roles().RemoveScope(ctx, roleID, scopeID)
		if errors.Is(err, model.ErrNotFound) {
			return core.RelationNotFound()
		}
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, roleID)
		}
		t.Emit(model.EventRoleScopesUpdated, nil)
		return nil
	})
}

// RoleApplications lists the machine-to-machine applications holding a role, filtered by search
// (a case-insensitive substring of id, name or description).
func (s *Access) RoleApplications(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]model.Application, int, error) {
	t := s.core.Store().Tenant(tenantID)
	if _, err := t.Roles().Get(ctx, roleID); err != nil {
		return nil, 0, core.MapStoreErr(err, core.TableRoles, roleID)
	}
	if search == "" {
		apps, total, err := t.Roles().Applications(ctx, roleID, p)
		if err != nil {
			return nil, 0, fmt.Errorf("applications of role %s: %w", roleID, err)
		}
		return core.NonNil(apps), total, nil
	}
	// The store filters by role only, so a search reads the role's holders and pages here.
	apps, _, err := t.Roles().Applications(ctx, roleID, model.Page{})
	if err != nil {
		return nil, 0, fmt.Errorf("applications of role %s: %w", roleID, err)
	}
	needle := strings.ToLower(search)
	matched := []model.Application{}
	for _, a := range apps {
		desc := ""
		if a.Description != nil {
			desc = *a.Description
		}
		if strings.Contains(strings.ToLower(a.ID), needle) || strings.Contains(strings.ToLower(a.Name), needle) ||
			strings.Contains(strings.ToLower(desc), needle) {
			matched = append(matched, a)
		}
	}
	return core.PageOf(matched, p), len(matched), nil
}

// AddRoleApplications gives a machine-to-machine role to applications.
func (s *Access) AddRoleApplications(ctx context.Context, tenantID, roleID string, appIDs []string) error {
	if err := core.RequireIDs("applicationIds", "application id", appIDs); err != nil {
		return err
	}
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Roles().Get(ctx, roleID)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, roleID)
		}
		holders, _, err := t.Roles().Applications(ctx, roleID, model.Page{})
		if err != nil {
			return fmt.Errorf("applications of role %s: %w", roleID, err)
		}
		ids := core.Dedupe(appIDs)
		if id, ok := firstHeld(ids, holders, func(h model.Application) string { return h.ID }); ok {
			return apperr.New(http.StatusUnprocessableEntity, "role.application_exists",
				"The application id %s is already been added to this role", id)
		}
		for _, id := range ids {
			app, err := t.Applications().Get(ctx, id)
			if err != nil {
				return core.MapStoreErr(err, core.TableApplications, id)
			}
			if app.Type != model.AppMachineToMachine {
				return core.ErrInvalidAppTypeForRoles()
			}
		}
		// Only machine-to-machine roles may be held by applications (Logto's
		// applications_roles__role_type check constraint).
		if r.Type != model.RoleMachineToMachine {
			return core.ErrInvalidRoleType()
		}
		return core.MapStoreErr(t.Roles().AddApplications(ctx, roleID, ids), core.TableRoles, roleID)
	})
}

// RemoveRoleApplication takes a role from an application.
func (s *Access) RemoveRoleApplication(ctx context.Context, tenantID, roleID, appID string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		err := t.Roles().RemoveApplication(ctx, roleID, appID)
		if errors.Is(err, model.ErrNotFound) {
			return core.RelationNotFound()
		}
		return core.MapStoreErr(err, core.TableRoles, roleID)
	})
}

// checkScopesAssignable checks every scope exists and that a user role gets no Management API
// scope (Logto's validateRoleScopeAssignment).
func checkScopesAssignable(ctx context.Context, t store.Tenant, r model.Role, scopeIDs []string) error {
	for _, id := range scopeIDs {
		sc, err := t.Scopes().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableScopes, id)
		}
		if r.Type != model.RoleUser {
			continue
		}
		res, err := t.Resources().Get(ctx, sc.ResourceID)
		if err != nil {
			return core.MapStoreErr(err, core.TableResources, sc.ResourceID)
		}
		if IsManagementAPI(res.Indicator) {
			return apperr.New(http.StatusBadRequest, "role.management_api_scopes_not_assignable_to_user_role",
				"Cannot assign Management API scopes to a user role.")
		}
	}
	return nil
}

func roleWriteErr(err error, r model.Role) error {
	var conflict *store.ConflictError
	if errors.As(err, &conflict) && conflict.Constraint == store.UniqueRoleName {
		return errRoleNameInUse(r.Name)
	}
	return core.MapStoreErr(err, core.TableRoles, r.ID)
}

func errRoleNameInUse(name string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "role.name_in_use", "This role name %s is already in use", name)
}

// firstHeld is the first of ids that is the id (idOf) of one of held.
func firstHeld[T any](ids []string, held []T, idOf func(T) string) (string, bool) {
	for _, id := range ids {
		for _, h := range held {
			if idOf(h) == id {
				return id, true
			}
		}
	}
	return "", false
}
