package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// UserSearchField names a column users can be searched by: Logto's userSearchKeys (id,
// primaryEmail, primaryPhone, username, name), in the camelCase its API uses.
type UserSearchField string

// The searchable user fields.
const (
	UserFieldID       UserSearchField = "id"
	UserFieldUsername UserSearchField = "username"
	UserFieldEmail    UserSearchField = "primaryEmail"
	UserFieldPhone    UserSearchField = "primaryPhone"
	UserFieldName     UserSearchField = "name"
)

// Valid reports whether f is one of the searchable fields.
func (f UserSearchField) Valid() bool {
	switch f {
	case UserFieldID, UserFieldUsername, UserFieldEmail, UserFieldPhone, UserFieldName:
		return true
	}
	return false
}

// UserMatchMode is how a UserMatch compares (Logto's SearchMatchMode). Gatehouse supports the two
// modes both dialects can run the same way; Logto's `similar_to` and `posix` are PostgreSQL
// regular-expression dialects with no SQLite counterpart.
type UserMatchMode string

// The supported match modes.
const (
	// UserMatchLike matches a SQL LIKE pattern, as Logto does: `%` is any run of characters, `_`
	// any one character, and a backslash makes the next character literal (`\%`, `\_`, `\\`).
	UserMatchLike UserMatchMode = "like"
	// UserMatchExact matches any of the values exactly.
	UserMatchExact UserMatchMode = "exact"
)

// UserMatch is one condition of a search: the field (or every searchable field when empty)
// compared with Values by Mode. Like takes exactly one value; exact takes one or more.
type UserMatch struct {
	Field  UserSearchField
	Mode   UserMatchMode
	Values []string
}

// UserSearch is Logto's user search: its matches are joined with OR, or with AND when All is
// set (Logto's `joint=and`); comparisons ignore ASCII case unless CaseSensitive (Logto's
// `isCaseSensitive`). On SQLite case folding covers ASCII letters only.
type UserSearch struct {
	Matches       []UserMatch
	All           bool
	CaseSensitive bool
}

// UserFilter narrows Users.List; zero values do not filter.
type UserFilter struct {
	Search        UserSearch
	RoleID        string // only users holding this role
	ExcludeRoleID string // only users not holding this role
}

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
