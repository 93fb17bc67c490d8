package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Column limits of Logto's scopes table.
const maxScopeNameLen = 256

// managementAPIIndicator matches every tenant's Management API resource, which Logto lets no one
// change or delete (schemas isManagementApi).
var managementAPIIndicator = regexp.MustCompile(`^https://[^.]+\.logto\.app/api$`)

// IsManagementAPI reports whether indicator names a tenant's Management API.
func IsManagementAPI(indicator string) bool { return managementAPIIndicator.MatchString(indicator) }

// ResourceInput creates an API resource (POST /api/resources).
type ResourceInput struct {
	Name           string
	Indicator      string
	AccessTokenTTL *int64 // seconds; nil = Logto's default 3600
}

// ResourcePatch changes a resource; nil fields keep their value. The indicator never changes.
type ResourcePatch struct {
	Name           *string
	AccessTokenTTL *int64
}

// ResourceWithScopes is a resource with its scopes (GET /api/resources?includeScopes=true and
// the answer of POST /api/resources).
type ResourceWithScopes struct {
	model.Resource
	Scopes []model.Scope `json:"scopes"`
}

func validateResource(r model.Resource) error {
	if err := checkName("name", r.Name, 0); err != nil {
		return err
	}
	if err := checkResourceIndicator(r.Indicator); err != nil {
		return invalidBody("indicator: %v.", err)
	}
	if r.AccessTokenTTL < 1 {
		return invalidBody("accessTokenTtl: must be a positive number of seconds.")
	}
	return nil
}

// CreateResource creates an API resource.
func (s *Service) CreateResource(ctx context.Context, tenantID string, in ResourceInput) (model.Resource, error) {
	r := model.Resource{TenantID: tenantID, ID: ids.New(), Name: in.Name, Indicator: in.Indicator,
		AccessTokenTTL: model.DefaultAccessTokenTTL}
	if in.AccessTokenTTL != nil {
		r.AccessTokenTTL = *in.AccessTokenTTL
	}
	if err := validateResource(r); err != nil {
		return model.Resource{}, err
	}
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		err := t.Resources().Create(ctx, r)
		var conflict *store.ConflictError
		if errors.As(err, &conflict) && conflict.Constraint == store.UniqueResourceIndicator {
			return errIndicatorInUse(r.Indicator)
		}
		return mapStoreErr(err, tableResources, r.ID)
	})
	if err != nil {
		return model.Resource{}, err
	}
	return r, nil
}

// GetResource returns one resource.
func (s *Service) GetResource(ctx context.Context, tenantID, id string) (model.Resource, error) {
	r, err := s.st.Tenant(tenantID).Resources().Get(ctx, id)
	if err != nil {
		return model.Resource{}, mapStoreErr(err, tableResources, id)
	}
	return r, nil
}

// ListResources returns a page of resources in creation order and the total.
func (s *Service) ListResources(ctx context.Context, tenantID string, p store.Page) ([]model.Resource, int, error) {
	list, total, err := s.st.Tenant(tenantID).Resources().List(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list resources: %w", err)
	}
	return nonNil(list), total, nil
}

// WithScopes attaches each resource's scopes (Logto's attachScopesToResources).
func (s *Service) WithScopes(ctx context.Context, tenantID string, resources []model.Resource) ([]ResourceWithScopes, error) {
	t := s.st.Tenant(tenantID)
	out := make([]ResourceWithScopes, len(resources))
	for i, r := range resources {
		scopes, _, err := t.Scopes().List(ctx, store.ScopeFilter{ResourceID: r.ID}, store.Page{})
		if err != nil {
			return nil, fmt.Errorf("scopes of resource %s: %w", r.ID, err)
		}
		out[i] = ResourceWithScopes{Resource: r, Scopes: nonNil(scopes)}
	}
	return out, nil
}

// UpdateResource changes a resource's name or token lifetime; the Management API cannot change.
func (s *Service) UpdateResource(ctx context.Context, tenantID, id string, p ResourcePatch) (model.Resource, error) {
	var updated model.Resource
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableResources, id)
		}
		if IsManagementAPI(r.Indicator) {
			return errCannotModifyManagementAPI()
		}
		if p.Name != nil {
			r.Name = *p.Name
		}
		if p.AccessTokenTTL != nil {
			r.AccessTokenTTL = *p.AccessTokenTTL
		}
		if err := validateResource(r); err != nil {
			return err
		}
		if err := t.Resources().Update(ctx, r); err != nil {
			return mapStoreErr(err, tableResources, id)
		}
		updated = r
		return nil
	})
	return updated, err
}

// SetDefaultResource makes id the tenant's default resource (the audience of access tokens
// requested without `resource`), clearing any other, or unmarks it.
func (s *Service) SetDefaultResource(ctx context.Context, tenantID, id string, isDefault bool) (model.Resource, error) {
	var updated model.Resource
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableResources, id)
		}
		if err := t.Resources().SetDefault(ctx, id, isDefault); err != nil {
			return mapStoreErr(err, tableResources, id)
		}
		r.IsDefault = isDefault
		updated = r
		return nil
	})
	return updated, err
}

// DeleteResource removes a resource with its scopes; the Management API cannot be deleted.
func (s *Service) DeleteResource(ctx context.Context, tenantID, id string) error {
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return mapStoreErr(err, tableResources, id)
		}
		if IsManagementAPI(r.Indicator) {
			return apperr.New(http.StatusBadRequest, "resource.cannot_delete_management_api", "Cannot delete Logto Management API.")
		}
		return mapStoreErr(t.Resources().Delete(ctx, id), tableResources, id)
	})
}

// ResourceScopes lists a page of a resource's scopes, filtered by search (a case-insensitive
// substring of name or description). Like Logto, an unknown resource simply has no scopes.
func (s *Service) ResourceScopes(ctx context.Context, tenantID, resourceID, search string, p store.Page) ([]model.Scope, int, error) {
	scopes, total, err := s.st.Tenant(tenantID).Scopes().List(ctx, store.ScopeFilter{ResourceID: resourceID, Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("scopes of resource %s: %w", resourceID, err)
	}
	return nonNil(scopes), total, nil
}

// ScopePatch changes a scope; nil fields keep their value, and Description set to a nil
// *string clears it.
type ScopePatch struct {
	Name        *string
	Description **string
}

func validateScopeName(name string) error {
	if err := checkName("name", name, maxScopeNameLen); err != nil {
		return err
	}
	// A scope travels space-separated in `scope` (RFC 6749 §3.3), so it cannot hold a space.
	if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return apperr.New(http.StatusBadRequest, "scope.name_with_space", "The name of the scope cannot contain any spaces.")
	}
	return nil
}

// CreateScope adds a permission to a resource.
func (s *Service) CreateScope(ctx context.Context, tenantID, resourceID, name string, description *string) (model.Scope, error) {
	if err := validateScopeName(name); err != nil {
		return model.Scope{}, err
	}
	if description != nil {
		if err := checkText("description", *description, 0); err != nil {
			return model.Scope{}, err
		}
	}
	sc := model.Scope{TenantID: tenantID, ID: ids.New(), ResourceID: resourceID, Name: name,
		Description: description, CreatedAt: s.nowMs()}
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		r, err := t.Resources().Get(ctx, resourceID)
		if err != nil {
			return mapStoreErr(err, tableResources, resourceID)
		}
		if IsManagementAPI(r.Indicator) {
			return errCannotModifyManagementAPI()
		}
		err = t.Scopes().Create(ctx, sc)
		var conflict *store.ConflictError
		if errors.As(err, &conflict) && conflict.Constraint == store.UniqueScopeName {
			return errScopeNameExists(name)
		}
		return mapStoreErr(err, tableScopes, sc.ID)
	})
	if err != nil {
		return model.Scope{}, err
	}
	return sc, nil
}

// UpdateScope renames a scope or changes its description.
func (s *Service) UpdateScope(ctx context.Context, tenantID, resourceID, scopeID string, p ScopePatch) (model.Scope, error) {
	if p.Name != nil {
		if err := validateScopeName(*p.Name); err != nil {
			return model.Scope{}, err
		}
	}
	if p.Description != nil && *p.Description != nil {
		if err := checkText("description", **p.Description, 0); err != nil {
			return model.Scope{}, err
		}
	}
	var updated model.Scope
	err := s.write(ctx, tenantID, func(t store.Tenant) error {
		sc, err := scopeOfResource(ctx, t, resourceID, scopeID)
		if err != nil {
			return err
		}
		if p.Name != nil {
			sc.Name = *p.Name
		}
		if p.Description != nil {
			sc.Description = *p.Description
		}
		err = t.Scopes().Update(ctx, sc)
		var conflict *store.ConflictError
		if errors.As(err, &conflict) && conflict.Constraint == store.UniqueScopeName {
			return errScopeNameExists(sc.Name)
		}
		if err != nil {
			return mapStoreErr(err, tableScopes, scopeID)
		}
		updated = sc
		return nil
	})
	return updated, err
}

// DeleteScope removes a resource's scope (and its role links).
func (s *Service) DeleteScope(ctx context.Context, tenantID, resourceID, scopeID string) error {
	return s.write(ctx, tenantID, func(t store.Tenant) error {
		if _, err := scopeOfResource(ctx, t, resourceID, scopeID); err != nil {
			return err
		}
		return mapStoreErr(t.Scopes().Delete(ctx, scopeID), tableScopes, scopeID)
	})
}

// scopeOfResource loads a scope for a change through its resource: the resource must exist and
// not be the Management API, and the scope must belong to it. (Logto does not check the last
// point; a scope id from another resource is answered as not existing here.)
func scopeOfResource(ctx context.Context, t store.Tenant, resourceID, scopeID string) (model.Scope, error) {
	r, err := t.Resources().Get(ctx, resourceID)
	if err != nil {
		return model.Scope{}, mapStoreErr(err, tableResources, resourceID)
	}
	if IsManagementAPI(r.Indicator) {
		return model.Scope{}, errCannotModifyManagementAPI()
	}
	sc, err := t.Scopes().Get(ctx, scopeID)
	if err != nil {
		return model.Scope{}, mapStoreErr(err, tableScopes, scopeID)
	}
	if sc.ResourceID != resourceID {
		return model.Scope{}, notExistsWithID(tableScopes, scopeID)
	}
	return sc, nil
}

func errCannotModifyManagementAPI() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "resource.cannot_modify_management_api", "Cannot modify Logto Management API.")
}

func errIndicatorInUse(indicator string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "resource.resource_identifier_in_use",
		"The API identifier %s is already in use", indicator)
}

func errScopeNameExists(name string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "scope.name_exists", "The scope name %s is already in use", name)
}
