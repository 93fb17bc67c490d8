package management

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/signinexp"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// The Management API reaches data only through these interfaces, one per aggregate; the
// service's use-case packages implement them and the composition root passes *service.Service,
// which bundles them all. A handler file needs one of them; Backend is their sum.

// Applications is the application use-cases: applications, their secrets and roles (package applications).
type Applications interface {
	AddSecret(ctx context.Context, tenantID, appID, name string, expiresAtMs *int64) (model.ApplicationSecret, error)
	ApplicationRoles(ctx context.Context, tenantID, appID, search string, p model.Page) ([]model.Role, int, error)
	AssignApplicationRoles(ctx context.Context, tenantID, appID string, roleIDs []string) ([]string, error)
	CreateApplication(ctx context.Context, tenantID string, in applications.CreateApplicationInput) (applications.CreatedApplication, error)
	DeleteApplication(ctx context.Context, tenantID, id string) error
	DeleteSecret(ctx context.Context, tenantID, appID, name string) error
	GetApplication(ctx context.Context, tenantID, id string) (model.Application, error)
	ListApplications(ctx context.Context, tenantID string, f model.ApplicationFilter, p model.Page) ([]model.Application, int, error)
	ListSecrets(ctx context.Context, tenantID, appID string) ([]model.ApplicationSecret, error)
	RemoveApplicationRole(ctx context.Context, tenantID, appID, roleID string) error
	RenameSecret(ctx context.Context, tenantID, appID, oldName, newName string) (model.ApplicationSecret, error)
	ReplaceApplicationRoles(ctx context.Context, tenantID, appID string, roleIDs []string) error
	UpdateApplication(ctx context.Context, tenantID, id string, p applications.ApplicationPatch) (model.Application, error)
}

// Access is the resource, scope and role use-cases (package access).
type Access interface {
	AddRoleApplications(ctx context.Context, tenantID, roleID string, appIDs []string) error
	AddRoleScopes(ctx context.Context, tenantID, roleID string, scopeIDs []string) ([]model.Scope, error)
	CreateResource(ctx context.Context, tenantID string, in access.ResourceInput) (model.Resource, error)
	CreateRole(ctx context.Context, tenantID string, in access.RoleInput) (model.Role, error)
	CreateScope(ctx context.Context, tenantID, resourceID, name string, description *string) (model.Scope, error)
	DeleteResource(ctx context.Context, tenantID, id string) error
	DeleteRole(ctx context.Context, tenantID, id string) error
	DeleteScope(ctx context.Context, tenantID, resourceID, scopeID string) error
	GetResource(ctx context.Context, tenantID, id string) (model.Resource, error)
	GetRole(ctx context.Context, tenantID, id string) (model.Role, error)
	ListResources(ctx context.Context, tenantID string, p model.Page) ([]model.Resource, int, error)
	ListRoles(ctx context.Context, tenantID string, f model.RoleFilter, p model.Page) ([]access.RoleSummary, int, error)
	RemoveRoleApplication(ctx context.Context, tenantID, roleID, appID string) error
	RemoveRoleScope(ctx context.Context, tenantID, roleID, scopeID string) error
	ResourceScopes(ctx context.Context, tenantID, resourceID, search string, p model.Page) ([]model.Scope, int, error)
	RoleApplications(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]model.Application, int, error)
	RoleScopes(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]access.ScopeWithResource, int, error)
	SetDefaultResource(ctx context.Context, tenantID, id string, isDefault bool) (model.Resource, error)
	UpdateResource(ctx context.Context, tenantID, id string, p access.ResourcePatch) (model.Resource, error)
	UpdateRole(ctx context.Context, tenantID, id string, p access.RolePatch) (model.Role, error)
	UpdateScope(ctx context.Context, tenantID, resourceID, scopeID string, p access.ScopePatch) (model.Scope, error)
	WithScopes(ctx context.Context, tenantID string, resources []model.Resource) ([]access.ResourceWithScopes, error)
}

// Users is the user use-cases: accounts, passwords, suspension, custom data, profile and roles (package users).
type Users interface {
	AddRoleUsers(ctx context.Context, tenantID, roleID string, userIDs []string) error
	AssignUserRoles(ctx context.Context, tenantID, userID string, roleIDs []string) (users.UserRoleAssignment, error)
	CheckUserPassword(ctx context.Context, tenantID, id, plain string) error
	CreateUser(ctx context.Context, tenantID string, in users.CreateUserInput) (model.User, error)
	DeleteUser(ctx context.Context, tenantID, id string) error
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
	ListUsers(ctx context.Context, tenantID string, f model.UserFilter, p model.Page) ([]model.User, int, error)
	PatchUserCustomData(ctx context.Context, tenantID, id string, patch json.RawMessage) (json.RawMessage, error)
	PatchUserProfile(ctx context.Context, tenantID, id string, patch model.UserProfile) (model.UserProfile, error)
	RemoveRoleUser(ctx context.Context, tenantID, roleID, userID string) error
	RemoveUserRole(ctx context.Context, tenantID, userID, roleID string) error
	ReplaceUserRoles(ctx context.Context, tenantID, userID string, roleIDs []string) ([]string, error)
	RoleUsers(ctx context.Context, tenantID, roleID string, search model.UserSearch, p model.Page) ([]model.User, int, error)
	SetUserPassword(ctx context.Context, tenantID, id, plain string) (model.User, error)
	SetUserSuspended(ctx context.Context, tenantID, id string, suspended bool) (model.User, error)
	UpdateUser(ctx context.Context, tenantID, id string, p users.UserPatch) (model.User, error)
	UserCustomData(ctx context.Context, tenantID, id string) (json.RawMessage, error)
	UserRoles(ctx context.Context, tenantID, userID, search string, p model.Page) ([]model.Role, int, error)
	UserIdentity(ctx context.Context, tenantID, userID, target string) (json.RawMessage, error)
	PutUserIdentity(ctx context.Context, tenantID, userID, target, accountID string, details json.RawMessage) (model.User, bool, error)
	UnlinkSocialIdentity(ctx context.Context, tenantID, userID, target string) (model.User, error)
}

// SignInExperiences is the sign-in experience use-cases (package signinexp).
type SignInExperiences interface {
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
	UpdateSignInExperience(ctx context.Context, tenantID string, patch json.RawMessage) (model.SignInExperience, error)
}

// Keys is the signing and cookie key use-cases (package keyring).
type Keys interface {
	DeleteKey(ctx context.Context, tenantID, keyType, keyID string) error
	ListKeys(ctx context.Context, tenantID, keyType string) ([]keyring.KeyInfo, error)
	RotateKeysWithGrace(ctx context.Context, tenantID, keyType, algorithm string, grace *time.Duration) ([]keyring.KeyInfo, error)
}

// Backend is every use-case the Management API calls.
type Backend interface {
	Applications
	Access
	Users
	SignInExperiences
	Keys
	Hooks
	AuditLogs
	Connectors
}

// Connectors is the connector use-cases (package connectors): factories and instances under
// Logto's rules, configs checked by their factory.
type Connectors interface {
	Factories() []connectors.FactoryView
	FactoryByID(id string) (connectors.FactoryView, error)
	ListConnectors(ctx context.Context, tenantID, target string) ([]connectors.View, error)
	GetConnector(ctx context.Context, tenantID, id string) (connectors.View, error)
	CreateConnector(ctx context.Context, tenantID string, in connectors.CreateInput) (connectors.View, error)
	UpdateConnector(ctx context.Context, tenantID, id string, p connectors.Patch) (connectors.View, error)
	DeleteConnector(ctx context.Context, tenantID, id string) error
	TestConnector(ctx context.Context, tenantID, factoryID, email, phone string, config []byte) error
	SocialConnector(ctx context.Context, tenantID, id string) (connectors.SocialConnector, error)
}

// Hooks is the webhook use-cases (package webhooks): hooks, their signing keys, test sends,
// delivery history and redelivery. Validation (events, URL, headers) happens there, so the
// console answers as the API does.
type Hooks interface {
	CreateHook(ctx context.Context, tenantID string, in webhooks.HookInput) (model.Hook, error)
	GetHook(ctx context.Context, tenantID, id string) (model.Hook, error)
	// ListHooks lists a page of hooks (a zero Page lists all) and the total.
	ListHooks(ctx context.Context, tenantID string, p model.Page) ([]model.Hook, int, error)
	UpdateHook(ctx context.Context, tenantID, id string, p webhooks.HookPatch) (model.Hook, error)
	DeleteHook(ctx context.Context, tenantID, id string) error
	RotateHookSigningKey(ctx context.Context, tenantID, id string) (model.Hook, error)
	// HookExecutionStats counts the hook's attempts and successes in the last 24 hours.
	HookExecutionStats(ctx context.Context, tenantID, id string) (model.HookExecutionStats, error)
	// TestHook sends a test payload per event to cfg with the hook's stored signing key
	// (Logto: 422 hook.endpoint_responded_with_error / hook.send_test_payload_failed).
	TestHook(ctx context.Context, tenantID, id string, events []string, cfg model.HookConfig) error
	// HookLogs is GET /api/hooks/:id/recent-logs: TriggerHook entries of the hook (the last
	// 24 hours unless the query sets a window), their total, and whether the total is capped.
	HookLogs(ctx context.Context, tenantID, id string, q model.LogQuery) ([]model.Log, int, bool, error)
	// ListDeliveries lists a hook's outbox rows, newest first.
	ListDeliveries(ctx context.Context, tenantID string, f model.DeliveryFilter, p model.Page) ([]model.Delivery, int, error)
	GetDelivery(ctx context.Context, tenantID, hookID, id string) (model.Delivery, error)
	// Redeliver queues a delivered or dead delivery again, due now.
	Redeliver(ctx context.Context, tenantID, hookID, id string) (model.Delivery, error)
}

// AuditLogs is the audit log queries (package audit).
type AuditLogs interface {
	// ListLogs is GET /api/logs (and /api/users/:id/logs with Filter.UserID set): the entries,
	// their total and whether the total is capped.
	ListLogs(ctx context.Context, tenantID string, q model.LogQuery) ([]model.Log, int, bool, error)
	GetLog(ctx context.Context, tenantID, id string) (model.Log, error)
}

var (
	_ Applications      = (*applications.Applications)(nil)
	_ Access            = (*access.Access)(nil)
	_ Users             = (*users.Users)(nil)
	_ SignInExperiences = (*signinexp.SignInExperiences)(nil)
	_ Keys              = (*keyring.Keyring)(nil)
)
