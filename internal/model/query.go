package model

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

// Page selects a slice of a list. Limit <= 0 means no limit.
type Page struct {
	Limit  int
	Offset int
}

// ApplicationFilter narrows Applications.List; zero values do not filter.
type ApplicationFilter struct {
	Types         []ApplicationType
	IsThirdParty  *bool
	ExcludeRoleID string // applications that do not hold this role
	Search        string // case-insensitive substring of id, name or description
}

// ScopeFilter narrows Scopes.List; zero values do not filter.
type ScopeFilter struct {
	ResourceID string
	Search     string // case-insensitive substring of name or description
}

// RoleFilter narrows Roles.List; zero values do not filter.
type RoleFilter struct {
	Type                 RoleType
	Search               string   // case-insensitive substring of id, name or description
	ExcludeApplicationID string   // roles not held by this application
	ExcludeUserID        string   // roles not held by this user
	IDs                  []string // only these ids (nil = all)
}
