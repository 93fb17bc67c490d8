package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// ErrNotFound is returned (wrapped) when a row does not exist in the tenant. It is
// model.ErrNotFound, so the layers above can test for it without importing the store.
var ErrNotFound = model.ErrNotFound

// ErrConflict is returned (wrapped in a *ConflictError) when a write breaks a uniqueness rule.
var ErrConflict = errors.New("store: conflict")

// ConflictError names the uniqueness rule a write broke, so use-cases can answer with the
// matching Logto error code. errors.Is(err, ErrConflict) holds for it.
type ConflictError struct {
	// Constraint is one of the Unique* names below.
	Constraint string
}

func (e *ConflictError) Error() string { return "store: conflict on " + e.Constraint }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Uniqueness rules a ConflictError can name.
const (
	UniqueApplicationID     = "applications.id"
	UniqueSecretName        = "application_secrets.name"            // per application
	UniqueResourceID        = "resources.id"                        //
	UniqueResourceIndicator = "resources.indicator"                 // per tenant
	UniqueScopeID           = "scopes.id"                           //
	UniqueScopeName         = "scopes.resource_id_name"             // per resource
	UniqueRoleID            = "roles.id"                            //
	UniqueRoleName          = "roles.name"                          // per tenant
	UniqueRoleScope         = "roles_scopes.role_id_scope_id"       //
	UniqueApplicationRole   = "applications_roles.application_role" //
	UniqueTenantID          = "tenants.id"                          //
	UniqueUserID            = "users.id"                            //
	UniqueUsername          = "users.username"                      // per tenant, exact
	UniqueUserEmail         = "users.primary_email"                 // per tenant, ignoring case
	UniqueUserPhone         = "users.primary_phone"                 // per tenant
	UniqueUserRole          = "users_roles.user_id_role_id"         //
)

// Store is the root of persistence. Reads and single writes go through Tenant(id); several writes
// that must succeed or fail together go through InTx.
type Store interface {
	// Tenant returns the repositories of one tenant, outside any transaction.
	Tenant(tenantID string) Tenant
	// InTx runs fn in one transaction on tenantID's repositories; fn's error (or a panic) rolls
	// back, nil commits. fn must not keep the Tenant after it returns.
	InTx(ctx context.Context, tenantID string, fn func(Tenant) error) error

	// Tenants lists all tenants, oldest first.
	Tenants(ctx context.Context) ([]model.Tenant, error)
	// CreateTenant inserts a tenant row (ConflictError UniqueTenantID when it exists).
	CreateTenant(ctx context.Context, t model.Tenant) error

	// Generation returns a counter that grows whenever anything cached in process changes in the
	// tenant (applications, secrets, resources, scopes, roles and their links, configs), whichever
	// process or node wrote it. Caches compare it to decide whether to reload.
	Generation(ctx context.Context, tenantID string) (int64, error)

	// DeliveryQueue claims webhook deliveries across tenants.
	DeliveryQueue

	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	Close() error
}

// Tenant is the set of repositories of one tenant. Every method only sees and writes rows of
// that tenant; ids of other tenants' rows behave as if they did not exist.
type Tenant interface {
	ID() string
	Applications() Applications
	Secrets() ApplicationSecrets
	Resources() Resources
	Scopes() Scopes
	Roles() Roles
	Configs() Configs
	// Users, OIDC and Sentinel hold data no process caches; writing them does not bump the
	// tenant's generation.
	Users() Users
	OIDC() OIDC
	Sentinel() Sentinel
	// Hooks, Deliveries and Logs are not cached either.
	Hooks() Hooks
	Deliveries() Deliveries
	Logs() Logs
	Connectors() Connectors
	ConsoleSessions() ConsoleSessions
}

// Page and ApplicationFilter are model types (model/query.go).
type (
	Page              = model.Page
	ApplicationFilter = model.ApplicationFilter
)

// Applications persists OAuth clients.
type Applications interface {
	Create(ctx context.Context, app model.Application) error
	Get(ctx context.Context, id string) (model.Application, error)
	// List returns a page, newest first, and the total count matching f.
	List(ctx context.Context, f ApplicationFilter, p Page) ([]model.Application, int, error)
	// Update replaces every mutable column of app.ID (name, description, metadata, customData,
	// isThirdParty, appLevelAccessControlEnabled).
	Update(ctx context.Context, app model.Application) error
	// Delete removes the application with its secrets and role links.
	Delete(ctx context.Context, id string) error
}

// ApplicationSecrets persists applications' named client secrets.
type ApplicationSecrets interface {
	Create(ctx context.Context, s model.ApplicationSecret) error
	// List returns an application's secrets, oldest first.
	List(ctx context.Context, appID string) ([]model.ApplicationSecret, error)
	Rename(ctx context.Context, appID, oldName, newName string) error
	Delete(ctx context.Context, appID, name string) error
}

// Resources persists API resources.
type Resources interface {
	Create(ctx context.Context, r model.Resource) error
	Get(ctx context.Context, id string) (model.Resource, error)
	GetByIndicator(ctx context.Context, indicator string) (model.Resource, error)
	// List returns a page in creation order and the total count.
	List(ctx context.Context, p Page) ([]model.Resource, int, error)
	// Update replaces name, indicator and accessTokenTtl of r.ID.
	Update(ctx context.Context, r model.Resource) error
	// SetDefault marks id as the tenant's default resource (clearing any other) or unmarks it.
	SetDefault(ctx context.Context, id string, isDefault bool) error
	// Delete removes the resource with its scopes and their role links.
	Delete(ctx context.Context, id string) error
}

// ScopeFilter is a model type (model/query.go).
type ScopeFilter = model.ScopeFilter

// Scopes persists resources' permissions.
type Scopes interface {
	Create(ctx context.Context, s model.Scope) error
	Get(ctx context.Context, id string) (model.Scope, error)
	// GetMany returns the scopes among ids that exist (any order).
	GetMany(ctx context.Context, ids []string) ([]model.Scope, error)
	// List returns a page in creation order and the total count.
	List(ctx context.Context, f ScopeFilter, p Page) ([]model.Scope, int, error)
	// Update replaces name and description of s.ID.
	Update(ctx context.Context, s model.Scope) error
	Delete(ctx context.Context, id string) error
}

// RoleFilter is a model type (model/query.go).
type RoleFilter = model.RoleFilter

// Roles persists roles and their links to scopes and applications.
type Roles interface {
	Create(ctx context.Context, r model.Role) error
	Get(ctx context.Context, id string) (model.Role, error)
	GetByName(ctx context.Context, name string) (model.Role, error)
	// List returns a page in creation order and the total count.
	List(ctx context.Context, f RoleFilter, p Page) ([]model.Role, int, error)
	// Update replaces name, description and isDefault of r.ID (the type never changes).
	Update(ctx context.Context, r model.Role) error
	Delete(ctx context.Context, id string) error

	// AddScopes links scopes to a role (ConflictError UniqueRoleScope if one is linked already).
	AddScopes(ctx context.Context, roleID string, scopeIDs []string) error
	RemoveScope(ctx context.Context, roleID, scopeID string) error
	// Scopes lists the scopes linked to a role and their total.
	Scopes(ctx context.Context, roleID string, f ScopeFilter, p Page) ([]model.Scope, int, error)

	// AddApplications links applications to a role (ConflictError UniqueApplicationRole on a duplicate).
	AddApplications(ctx context.Context, roleID string, appIDs []string) error
	RemoveApplication(ctx context.Context, roleID, appID string) error
	// Applications lists the applications holding a role and their total.
	Applications(ctx context.Context, roleID string, p Page) ([]model.Application, int, error)
	// OfApplication lists the roles an application holds and their total.
	OfApplication(ctx context.Context, appID string, p Page) ([]model.Role, int, error)

	// ApplicationScopeNames returns the distinct names of resourceID's scopes that appID holds
	// through its roles: the scopes a client_credentials token may carry.
	ApplicationScopeNames(ctx context.Context, appID, resourceID string) ([]string, error)
}

// Configs persists per-tenant JSON configuration rows (Logto's logto_configs).
type Configs interface {
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (json.RawMessage, error)
	// Put stores value under key, replacing any previous value.
	Put(ctx context.Context, key string, value json.RawMessage) error
}
