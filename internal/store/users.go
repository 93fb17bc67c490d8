package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// User search and filter types are model types (model/query.go).
type (
	UserSearchField = model.UserSearchField
	UserMatchMode   = model.UserMatchMode
	UserMatch       = model.UserMatch
	UserSearch      = model.UserSearch
	UserFilter      = model.UserFilter
)

// The searchable user fields and match modes.
const (
	UserFieldID       = model.UserFieldID
	UserFieldUsername = model.UserFieldUsername
	UserFieldEmail    = model.UserFieldEmail
	UserFieldPhone    = model.UserFieldPhone
	UserFieldName     = model.UserFieldName
	UserMatchLike     = model.UserMatchLike
	UserMatchExact    = model.UserMatchExact
)

// Users persists end users and their role links. Users are not cached in process, so their
// writes do not bump the tenant's generation.
type Users interface {
	// Create inserts u (ConflictError UniqueUserID, UniqueUsername, UniqueUserEmail or
	// UniqueUserPhone). The email is compared case-insensitively for uniqueness.
	Create(ctx context.Context, u model.User) error
	Get(ctx context.Context, id string) (model.User, error)
	// GetByUsername finds the user with exactly this username or, when caseSensitive is false,
	// one whose username equals it ignoring case (an exact match wins, then the oldest user).
	GetByUsername(ctx context.Context, username string, caseSensitive bool) (model.User, error)
	// GetByEmail finds the user whose primary email equals email ignoring case.
	GetByEmail(ctx context.Context, email string) (model.User, error)
	// GetByPhone finds the user with exactly this primary phone.
	GetByPhone(ctx context.Context, phone string) (model.User, error)
	// GetByIdentity finds the user linked to the provider account accountID under the social
	// target (identities[target].userId, compared as a string, as Logto stores it).
	GetByIdentity(ctx context.Context, target, accountID string) (model.User, error)
	// List returns a page, newest first (Logto's order), and the total count matching f.
	List(ctx context.Context, f UserFilter, p Page) ([]model.User, int, error)

	// Update replaces the mutable profile columns of u.ID (username, primaryEmail,
	// primaryPhone, name, avatar, profile, identities, customData, logtoConfig,
	// isPasswordExpired) and sets updated_at to u.UpdatedAt.
	Update(ctx context.Context, u model.User) error
	// UpdatePassword stores the hash of a new password: password_updated_at and updated_at become
	// at and the password is no longer expired.
	UpdatePassword(ctx context.Context, id, encrypted, method string, at int64) error
	// RehashPassword stores a new encoding of the same password (a legacy hash migrated on sign-in):
	// password_updated_at and the expiry flag stay as they are; updated_at becomes at.
	RehashPassword(ctx context.Context, id, encrypted, method string, at int64) error
	// SetSuspended sets is_suspended; updated_at becomes at.
	SetSuspended(ctx context.Context, id string, suspended bool, at int64) error
	// RecordSignIn sets last_sign_in_at (and updated_at, as Logto's trigger does) to at.
	RecordSignIn(ctx context.Context, id string, at int64) error
	// Delete removes the user with its role links.
	Delete(ctx context.Context, id string) error

	// AddRoles links roles of type User to a user, all or none: a missing user or role is
	// ErrNotFound, an existing link ConflictError UniqueUserRole, a MachineToMachine role a
	// validation error.
	AddRoles(ctx context.Context, userID string, roleIDs []string) error
	// ReplaceRoles makes roleIDs exactly the user's roles, with AddRoles' rules.
	ReplaceRoles(ctx context.Context, userID string, roleIDs []string) error
	// RemoveRole unlinks a role (ErrNotFound when it was not linked).
	RemoveRole(ctx context.Context, userID, roleID string) error
	// RoleIDs returns the ids of the user's roles, in the roles' creation order.
	RoleIDs(ctx context.Context, userID string) ([]string, error)
	// RoleNames returns the names of the user's roles, sorted (the `roles` claim).
	RoleNames(ctx context.Context, userID string) ([]string, error)
	// ScopeNames returns the distinct names of resourceID's scopes the user holds through
	// roles, sorted.
	ScopeNames(ctx context.Context, userID, resourceID string) ([]string, error)
}
