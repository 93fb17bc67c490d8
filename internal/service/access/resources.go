package access

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
	"github.com/gatehouse-id/gatehouse/internal/service/core"
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
	if err := core.CheckName("name", r.Name, 0); err != nil {
		return err
	}
	if err := core.CheckResourceIndicator(r.Indicator); err != nil {
		return core.InvalidBody("indicator: %v.", err)
	}
	if r.AccessTokenTTL < 1 {
		return core.InvalidBody("accessTokenTtl: must be a positive number of seconds.")
	}
	return nil
}

// CreateResource creates an API resource.
func (s *Access) CreateResource(ctx context.Context, tenantID string, in ResourceInput) (model.Resource, error) {
	r := model.Resource{TenantID: tenantID, ID: ids.New(), Name: in.Name, Indicator: in.Indicator,
		AccessTokenTTL: model.DefaultAccessTokenTTL}
	if in.AccessTokenTTL != nil {
		r.AccessTokenTTL = *in.AccessTokenTTL
	}
	if err := validateResource(r); err != nil {
		return model.Resource{}, err
	}
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		err := t.Resources().Create(ctx, r)
		var conflict *store.ConflictError
		if errors.As(err, &conflict) && conflict.Constraint == store.UniqueResourceIndicator {
			return errIndicatorInUse(r.Indicator)
		}
		return core.MapStoreErr(err, core.TableResources, r.ID)
	})
	if err != nil {
		return model.Resource{}, err
	}
	return r, nil
}

// GetResource returns one resource.
func (s *Access) GetResource(ctx context.Context, tenantID, id string) (model.Resource, error) {
	r, err := s.core.Store().Tenant(tenantID).Resources().Get(ctx, id)
	if err != nil {
		return model.Resource{}, core.MapStoreErr(err, core.TableResources, id)
	}
	return r, nil
}

// ListResources returns a page of resources in creation order and the total.
func (s *Access) ListResources(ctx context.Context, tenantID string, p model.Page) ([]model.Resource, int, error) {
	list, total, err := s.core.Store().Tenant(tenantID).Resources().List(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list resources: %w", err)
	}
	return core.NonNil(list), total, nil
}

// WithScopes attaches each resource's scopes (Logto's attachScopesToResources).
func (s *Access) WithScopes(ctx context.Context, tenantID string, resources []model.Resource) ([]ResourceWithScopes, error) {
	t := s.core.Store().Tenant(tenantID)
	out := make([]ResourceWithScopes, len(resources))
	for i, r := range resources {
		scopes, _, err := t.Scopes().List(ctx, model.ScopeFilter{ResourceID: r.ID}, model.Page{})
		if err != nil {
			return nil, fmt.Errorf("scopes of resource %s: %w", r.ID, err)
		}
		out[i] = ResourceWithScopes{Resource: r, Scopes: core.NonNil(scopes)}
	}
	return out, nil
}

// UpdateResource changes a resource's name or token lifetime; the Management API cannot change.
func (s *Access) UpdateResource(ctx context.Context, tenantID, id string, p ResourcePatch) (model.Resource, error) {
	var updated model.Resource
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableResources, id)
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
			return core.MapStoreErr(err, core.TableResources, id)
		}
		updated = r
		return nil
	})
	return updated, err
}

// SetDefaultResource makes id the tenant's default resource (the audience of access tokens
// requested without `resource`), clearing any other, or unmarks it.
func (s *Access) SetDefaultResource(ctx context.Context, tenantID, id string, isDefault bool) (model.Resource, error) {
	var updated model.Resource
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableResources, id)
		}
		if err := t.Resources().SetDefault(ctx, id, isDefault); err != nil {
			return core.MapStoreErr(err, core.TableResources, id)
		}
		r.IsDefault = isDefault
		updated = r
		return nil
	})
	return updated, err
}

// DeleteResource removes a resource with its scopes; the Management API cannot be deleted.
func (s *Access) DeleteResource(ctx context.Context, tenantID, id string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Resources().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableResources, id)
		}
		if IsManagementAPI(r.Indicator) {
			return apperr.New(http.StatusBadRequest, "resource.cannot_delete_management_api", "Cannot delete Logto Management API.")
		}
		return core.MapStoreErr(t.Resources().Delete(ctx, id), core.TableResources, id)
	})
}

// ResourceScopes lists a page of a resource's scopes, filtered by search (a case-insensitive
// substring of name or description). Like Logto, an unknown resource simply has no scopes.
func (s *Access) ResourceScopes(ctx context.Context, tenantID, resourceID, search string, p model.Page) ([]model.Scope, int, error) {
	scopes, total, err := s.core.Store().Tenant(tenantID).Scopes().List(ctx, model.ScopeFilter{ResourceID: resourceID, Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("scopes of resource %s: %w", resourceID, err)
	}
	return core.NonNil(scopes), total, nil
}

// ScopePatch changes a scope; nil fields keep their value, and Description set to a nil
// *string clears it.
type ScopePatch struct {
	Name        *string
	Description **string
}

func validateScopeName(name string) error {
	if err := core.CheckName("name", name, maxScopeNameLen); err != nil {
		return err
	}
	// A scope travels space-separated in `scope` (RFC 6749 §3.3), so it cannot hold a space.
	if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return apperr.New(http.StatusBadRequest, "scope.name_with_space", "The name of the scope cannot contain any spaces.")
	}
	return nil
}

// CreateScope adds a permission to a resource.
func (s *Access) CreateScope(ctx context.Context, tenantID, resourceID, name string, description *string) (model.Scope, error) {
	if err := validateScopeName(name); err != nil {
		return model.Scope{}, err
	}
	if description != nil {
		if err := core.CheckText("description", *description, 0); err != nil {
			return model.Scope{}, err
		}
	}
	sc := model.Scope{TenantID: tenantID, ID: ids.New(), ResourceID: resourceID, Name: name,
		Description: description, CreatedAt: s.core.NowMs()}
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Resources().Get(ctx, resourceID)
		if err != nil {
			return core.MapStoreErr(err, core.TableResources, resourceID)
		}
		if IsManagementAPI(r.Indicator) {
			return errCannotModifyManagementAPI()
		}
		err = t.Scopes().Create(ctx, sc)
		var conflict *store.ConflictError
		if errors.As(err, &conflict) && conflict.Constraint == store.UniqueScopeName {
			return errScopeNameExists(name)
		}
		if err != nil {
			return core.MapStoreErr(err, core.TableScopes, sc.ID)
		}
		t.Emit(model.EventScopeCreated, sc)
		return nil
	})
	if err != nil {
		return model.Scope{}, err
	}
	return sc, nil
}

// UpdateScope renames a scope or changes its description.
func (s *Access) UpdateScope(ctx context.Context, tenantID, resourceID, scopeID string, p ScopePatch) (model.Scope, error) {
	if p.Name != nil {
		if err := validateScopeName(*p.Name); err != nil {
			return model.Scope{}, err
		}
	}
	if p.Description != nil && *p.Description != nil {
		if err := core.CheckText("description", **p.Description, 0); err != nil {
			return model.Scope{}, err
		}
	}
	var updated model.Scope
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
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
			return core.MapStoreErr(err, core.TableScopes, scopeID)
		}
		updated = sc
		t.Emit(model.EventScopeDataUpdated, sc)
		return nil
	})
	return updated, err
}

// DeleteScope removes a resource's scope (and its role links).
func (s *Access) DeleteScope(ctx context.Context, tenantID, resourceID, scopeID string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if _, err := scopeOfResource(ctx, t, resourceID, scopeID); err != nil {
			return err
		}
		if err := t.Scopes().Delete(ctx, scopeID); err != nil {
			return core.MapStoreErr(err, core.TableScopes, scopeID)
		}
		// A 204 has no body, so Logto's event carries no data.
		t.Emit(model.EventScopeDeleted, nil)
		return nil
	})
}

// scopeOfResource loads a scope for a change through its resource: the resource must exist and
// not be the Management API, and the scope must belong to it. (Logto does not check the last
// point; a scope id from another resource is answered as not existing here.)
func scopeOfResource(ctx context.Context, t store.Tenant, resourceID, scopeID string) (model.Scope, error) {
	r, err := t.Resources().Get(ctx, resourceID)
	if err != nil {
		return model.Scope{}, core.MapStoreErr(err, core.TableResources, resourceID)
	}
	if IsManagementAPI(r.Indicator) {
		return model.Scope{}, errCannotModifyManagementAPI()
	}
	sc, err := t.Scopes().Get(ctx, scopeID)
	if err != nil {
		return model.Scope{}, core.MapStoreErr(err, core.TableScopes, scopeID)
	}
	if sc.ResourceID != resourceID {
		return model.Scope{}, core.NotExistsWithID(core.TableScopes, scopeID)
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
