package model

// Resource is an API resource (RFC 8707 resource indicator); its indicator is the access token's audience.
type Resource struct {
	TenantID       string `json:"tenantId"`
	ID             string `json:"id"`
	Name           string `json:"name"`
	Indicator      string `json:"indicator"`
	IsDefault      bool   `json:"isDefault"`
	AccessTokenTTL int64  `json:"accessTokenTtl"` // seconds, Logto default 3600
}

// DefaultAccessTokenTTL is Logto's resources.access_token_ttl default, in seconds.
const DefaultAccessTokenTTL = 3600

// Scope is a permission defined by a resource.
type Scope struct {
	TenantID    string  `json:"tenantId"`
	ID          string  `json:"id"`
	ResourceID  string  `json:"resourceId"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	CreatedAt   int64   `json:"createdAt"` // epoch milliseconds
}

// RoleType is Logto's role_type enum.
type RoleType string

const (
	RoleUser             RoleType = "User"
	RoleMachineToMachine RoleType = "MachineToMachine"
)

// Valid reports whether t is one of Logto's role types.
func (t RoleType) Valid() bool { return t == RoleUser || t == RoleMachineToMachine }

// Role groups scopes; users (type User) or applications (type MachineToMachine) are assigned roles.
type Role struct {
	TenantID    string   `json:"tenantId"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Type        RoleType `json:"type"`
	IsDefault   bool     `json:"isDefault"`
}

// ManagementAPIAccessRoleName is the M2M role Logto seeds in the default tenant holding the
// Management API's `all` scope.
const ManagementAPIAccessRoleName = "Logto Management API access"
