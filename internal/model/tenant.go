package model

// Tenant ids seeded on first start. Logto OSS has exactly these two: "default" serves the user's
// apps on ENDPOINT (port 3001) and "admin" serves the admin console on ADMIN_ENDPOINT (port 3002).
const (
	DefaultTenantID = "default"
	AdminTenantID   = "admin"
)

// Tenant is one isolated set of users, applications and keys; every row in the store carries its id.
type Tenant struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"createdAt"` // epoch milliseconds
}

// ManagementAPIIndicator is the resource indicator (token audience) of a tenant's Management API,
// as Logto derives it (getManagementApiResourceIndicator): https://<tenantId>.logto.app/api.
func ManagementAPIIndicator(tenantID string) string {
	return "https://" + tenantID + ".logto.app/api"
}

// ScopeAll is the one Management API permission Logto defines (PredefinedScope.All).
const ScopeAll = "all"
