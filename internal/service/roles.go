package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
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
	if err := checkName("name", r.Name, maxRoleNameLen); err != nil {
		return err
	}
	if err := checkText("description", r.Description, maxRoleDescriptionLen); err != nil {
		return err
	}
	if !r.Type.Valid() {
		return invalidBody("type: must be User or MachineToMachine.")
	}
	if strings.HasPrefix(r.Name, internalRolePrefix) {
		return apperr.New(http.StatusForbidden, "role.internal_role_violation",
			`You may be trying to update or delete an internal role which is forbidden by Logto. If you are creating a new role, try another name that does not start with "#internal:".`)
	}
	return nil
}

// ListRoles returns a page of roles with how many users and applications hold each (and the
// first few of them), and the total.
func (s *Service) ListRoles(ctx context.Context, tenantID string, f store.RoleFilter, p store.Page) ([]RoleSummary, int, error) {
	t := s.st.Tenant(tenantID)
	roles, total, err := t.Roles().List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list roles: %w", err)
	}
	out := make([]RoleSummary, len(roles))
	for i, r := range roles {
		apps, count, err := t.Roles().Applications(ctx, r.ID, store.Page{Limit: featuredApplications})
		if err != nil {
			return nil, 0, fmt.Errorf("applications of role %s: %w", r.ID, err)
		}
		featured := make([]FeaturedApplication, len(apps))
		for j, a := range apps {
			featured[j] = FeaturedApplication{ID: a.ID, Name: a.Name, Type: a.Type}
		}
		holders, usersCount, err := t.Users().List(ctx, store.UserFilter{RoleID: r.ID}, store.Page{Limit: featuredUserCount})
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
func (s *Service) CreateRole(ctx context.Context, tenantID string, in RoleInput) (model.Role, error) {
	r := model.Role{TenantID: tenantID, ID: ids.New(), Name: in.Name, Description: in.Description,
		Type: in.Type, IsDefault: in.IsDefault}
	if r.Type == "" {
		r.Type = model.RoleUser
	}
	if err := validateRole(r); err != nil {
		return model.Role{}, err
	}
	for i, id := range in.ScopeIDs {
		if id == "" {
			return model.Role{}, invalidBody("scopeIds[%d]: must not be empty.", i)
		}
	}
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		if _, err := t.Roles().GetByName(ctx, r.Name); err == nil {
			return errRoleNameInUse(r.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("find role %q: %w", r.Name, err)
		}
		if err := t.Roles().Create(ctx, r); err != nil {
			return roleWriteErr(err, r)
		}
		scopeIDs := dedupe(in.ScopeIDs)
		if err := checkScopesAssignable(ctx, t, r, scopeIDs); err != nil {
			return err
		}
		if len(scopeIDs) > 0 {
			return mapStoreErr(t.Roles().AddScopes(ctx, r.ID, scopeIDs), tableRoles, r.ID)
		}
		return nil
	})
	if err != nil {
		return model.Role{}, err
	}
	return r, nil
}

// GetRole returns one role.
func (s *Service) GetRole(ctx context.Context, tenantID, id string) (model.Role, error) {
	r, err := s.st.Tenant(tenantID).Roles().Get(ctx, id)
	if err != nil {
		return model.Role{}, mapStoreErr(err, tableRoles, id)
	}
	return r, nil
}

// UpdateRole changes a role's name, description or default flag.
func (s *Service) UpdateRole(ctx context.Context, tenantID, id string, p RolePatch) (model.Role, error) {
	var updated model.Role
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Roles().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableRoles, id)
		}
		if strings.HasPrefix(r.Name, internalRolePrefix) {
			return validateRole(r) // refuses internal roles
		}
		if p.Name != nil && *p.Name != r.Name {
			if other, err := t.Roles().GetByName(ctx, *p.Name); err == nil && other.ID != id {
				return errRoleNameInUse(*p.Name)
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
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
		return nil
	})
	return updated, err
}

// DeleteRole removes a role with its scope and application links.
func (s *Service) DeleteRole(ctx context.Context, tenantID, id string) error {
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Roles().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableRoles, id)
		}
		if strings.HasPrefix(r.Name, internalRolePrefix) {
			return validateRole(r)
		}
		return mapStoreErr(t.Roles().Delete(ctx, id), tableRoles, id)
	})
}

// RoleScopes lists a role's scopes with their resources, filtered by search.
func (s *Service) RoleScopes(ctx context.Context, tenantID, roleID, search string, p store.Page) ([]ScopeWithResource, int, error) {
	t := s.st.Tenant(tenantID)
	if _, err := t.Roles().Get(ctx, roleID); err != nil {
		return nil, 0, mapStoreErr(err, tableRoles, roleID)
	}
	scopes, total, err := t.Roles().Scopes(ctx, roleID, store.ScopeFilter{Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("scopes of role %s: %w", roleID, err)
	}
	resources := map[string]model.Resource{}
	out := make([]ScopeWithResource, len(scopes))
	for i, sc := range scopes {
		r, ok := resources[sc.ResourceID]
		if !ok {
			if r, err = t.Resources().Get(ctx, sc.ResourceID); err != nil {
				return nil, 0, mapStoreErr(err, tableResources, sc.ResourceID)
			}
			resources[sc.ResourceID] = r
		}
		out[i] = ScopeWithResource{Scope: sc, Resource: r}
	}
	return out, total, nil
}

// AddRoleScopes links scopes to a role and returns all the role's scopes, as Logto answers.
func (s *Service) AddRoleScopes(ctx context.Context, tenantID, roleID string, scopeIDs []string) ([]model.Scope, error) {
	if len(scopeIDs) == 0 {
		return nil, invalidBody("scopeIds: must hold at least one scope id.")
	}
	for i, id := range scopeIDs {
		if id == "" {
			return nil, invalidBody("scopeIds[%d]: must not be empty.", i)
		}
	}
	var all []model.Scope
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Roles().Get(ctx, roleID)
		if err != nil {
			return mapStoreErr(err, tableRoles, roleID)
		}
		held, _, err := t.Roles().Scopes(ctx, roleID, store.ScopeFilter{}, store.Page{})
		if err != nil {
			return fmt.Errorf("scopes of role %s: %w", roleID, err)
		}
		ids := dedupe(scopeIDs)
		for _, id := range ids {
			for _, h := range held {
				if h.ID == id {
					return apperr.New(http.StatusUnprocessableEntity, "role.scope_exists",
						"The scope id %s has already been added to this role", id)
				}
			}
		}
		if err := checkScopesAssignable(ctx, t, r, ids); err != nil {
			return err
		}
		if err := t.Roles().AddScopes(ctx, roleID, ids); err != nil {
			return mapStoreErr(err, tableRoles, roleID)
		}
		all, _, err = t.Roles().Scopes(ctx, roleID, store.ScopeFilter{}, store.Page{})
		if err != nil {
			return fmt.Errorf("scopes of role %s: %w", roleID, err)
		}
		return nil
	})
	return nonNil(all), err
}

// RemoveRoleScope unlinks a scope from a role.
func (s *Service) RemoveRoleScope(ctx context.Context, tenantID, roleID, scopeID string) error {
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		err := t.Roles().RemoveScope(ctx, roleID, scopeID)
		if errors.Is(err, store.ErrNotFound) {
			return relationNotFound()
		}
		return mapStoreErr(err, tableRoles, roleID)
	})
}

// RoleApplications lists the machine-to-machine applications holding a role, filtered by search
// (a case-insensitive substring of id, name or description).
func (s *Service) RoleApplications(ctx context.Context, tenantID, roleID, search string, p store.Page) ([]model.Application, int, error) {
	t := s.st.Tenant(tenantID)
	if _, err := t.Roles().Get(ctx, roleID); err != nil {
		return nil, 0, mapStoreErr(err, tableRoles, roleID)
	}
	if search == "" {
		apps, total, err := t.Roles().Applications(ctx, roleID, p)
		if err != nil {
			return nil, 0, fmt.Errorf("applications of role %s: %w", roleID, err)
		}
		return nonNil(apps), total, nil
	}
	// The store filters by role only, so a search reads the role's holders and pages here.
	apps, _, err := t.Roles().Applications(ctx, roleID, store.Page{})
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
	return pageOf(matched, p), len(matched), nil
}

// AddRoleApplications gives a machine-to-machine role to applications.
func (s *Service) AddRoleApplications(ctx context.Context, tenantID, roleID string, appIDs []string) error {
	if len(appIDs) == 0 {
		return invalidBody("applicationIds: must hold at least one application id.")
	}
	for i, id := range appIDs {
		if id == "" {
			return invalidBody("applicationIds[%d]: must not be empty.", i)
		}
	}
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Roles().Get(ctx, roleID)
		if err != nil {
			return mapStoreErr(err, tableRoles, roleID)
		}
		holders, _, err := t.Roles().Applications(ctx, roleID, store.Page{})
		if err != nil {
			return fmt.Errorf("applications of role %s: %w", roleID, err)
		}
		ids := dedupe(appIDs)
		for _, id := range ids {
			for _, h := range holders {
				if h.ID == id {
					return apperr.New(http.StatusUnprocessableEntity, "role.application_exists",
						"The application id %s is already been added to this role", id)
				}
			}
		}
		for _, id := range ids {
			app, err := t.Applications().Get(ctx, id)
			if err != nil {
				return mapStoreErr(err, tableApplications, id)
			}
			if app.Type != model.AppMachineToMachine {
				return errInvalidAppTypeForRoles()
			}
		}
		// Only machine-to-machine roles may be held by applications (Logto's
		// applications_roles__role_type check constraint).
		if r.Type != model.RoleMachineToMachine {
			return errInvalidRoleType()
		}
		return mapStoreErr(t.Roles().AddApplications(ctx, roleID, ids), tableRoles, roleID)
	})
}

// RemoveRoleApplication takes a role from an application.
func (s *Service) RemoveRoleApplication(ctx context.Context, tenantID, roleID, appID string) error {
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		err := t.Roles().RemoveApplication(ctx, roleID, appID)
		if errors.Is(err, store.ErrNotFound) {
			return relationNotFound()
		}
		return mapStoreErr(err, tableRoles, roleID)
	})
}

// checkScopesAssignable checks every scope exists and that a user role gets no Management API
// scope (Logto's validateRoleScopeAssignment).
func checkScopesAssignable(ctx context.Context, t store.Tenant, r model.Role, scopeIDs []string) error {
	for _, id := range scopeIDs {
		sc, err := t.Scopes().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableScopes, id)
		}
		if r.Type != model.RoleUser {
			continue
		}
		res, err := t.Resources().Get(ctx, sc.ResourceID)
		if err != nil {
			return mapStoreErr(err, tableResources, sc.ResourceID)
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
	return mapStoreErr(err, tableRoles, r.ID)
}

func errRoleNameInUse(name string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "role.name_in_use", "This role name %s is already in use", name)
}

// pageOf returns p's slice of all (all of it when p has no limit).
func pageOf[T any](all []T, p store.Page) []T {
	start := min(max(p.Offset, 0), len(all))
	end := len(all)
	if p.Limit > 0 {
		end = min(start+p.Limit, len(all))
	}
	return all[start:end]
}
