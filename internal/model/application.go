package model

import "encoding/json"

// ApplicationType is Logto's application_type enum.
type ApplicationType string

const (
	AppNative           ApplicationType = "Native"
	AppSPA              ApplicationType = "SPA"
	AppTraditional      ApplicationType = "Traditional"
	AppMachineToMachine ApplicationType = "MachineToMachine"
	AppProtected        ApplicationType = "Protected"
	AppSAML             ApplicationType = "SAML"
)

// Valid reports whether t is one of Logto's application types.
func (t ApplicationType) Valid() bool {
	switch t {
	case AppNative, AppSPA, AppTraditional, AppMachineToMachine, AppProtected, AppSAML:
		return true
	}
	return false
}

// Confidential reports whether apps of this type authenticate with a secret
// (Logto registers them as client_secret_basic; the others are public, auth method "none").
func (t ApplicationType) Confidential() bool {
	switch t {
	case AppTraditional, AppMachineToMachine, AppProtected, AppSAML:
		return true
	}
	return false
}

// PKCERequired reports whether an authorization request of app must carry a PKCE challenge:
// always for public clients, and for confidential ones when customClientMetadata.requirePkce
// says so. Logto's default for confidential clients (optional, but verified when used) is kept.
func (a *Application) PKCERequired() bool {
	if !a.Type.Confidential() {
		return true
	}
	return a.CustomClientMetadata.RequirePKCE != nil && *a.CustomClientMetadata.RequirePKCE
}

// Application is an OAuth 2.0 / OIDC client (Logto table `applications`, API shape of /api/applications).
type Application struct {
	TenantID                     string               `json:"tenantId"`
	ID                           string               `json:"id"`
	Name                         string               `json:"name"`
	Description                  *string              `json:"description"`
	Type                         ApplicationType      `json:"type"`
	OIDCClientMetadata           OIDCClientMetadata   `json:"oidcClientMetadata"`
	CustomClientMetadata         CustomClientMetadata `json:"customClientMetadata"`
	ProtectedAppMetadata         json.RawMessage      `json:"protectedAppMetadata"` // null unless Protected
	CustomData                   json.RawMessage      `json:"customData"`           // a JSON object, {} by default
	IsThirdParty                 bool                 `json:"isThirdParty"`
	AppLevelAccessControlEnabled bool                 `json:"appLevelAccessControlEnabled"`
	CreatedAt                    int64                `json:"createdAt"` // epoch milliseconds
}

// OIDCClientMetadata is Logto's oidcClientMetadata (camelCase; snake_cased only on the wire to RPs).
type OIDCClientMetadata struct {
	RedirectURIs                     []string `json:"redirectUris"`
	PostLogoutRedirectURIs           []string `json:"postLogoutRedirectUris"`
	BackchannelLogoutURI             *string  `json:"backchannelLogoutUri,omitempty"`
	BackchannelLogoutSessionRequired *bool    `json:"backchannelLogoutSessionRequired,omitempty"`
	LogoURI                          *string  `json:"logoUri,omitempty"`
}

// CustomClientMetadata is Logto's customClientMetadata; absent keys keep Logto's defaults
// (idTokenTtl 3600 s, refreshTokenTtlInDays 14, rotateRefreshToken true, others false/empty).
type CustomClientMetadata struct {
	CORSAllowedOrigins      []string `json:"corsAllowedOrigins,omitempty"`
	IDTokenTTL              *int64   `json:"idTokenTtl,omitempty"`
	RefreshTokenTTL         *int64   `json:"refreshTokenTtl,omitempty"` // deprecated, seconds
	RefreshTokenTTLInDays   *int64   `json:"refreshTokenTtlInDays,omitempty"`
	TenantID                *string  `json:"tenantId,omitempty"`
	AlwaysIssueRefreshToken *bool    `json:"alwaysIssueRefreshToken,omitempty"`
	RotateRefreshToken      *bool    `json:"rotateRefreshToken,omitempty"`
	AllowTokenExchange      *bool    `json:"allowTokenExchange,omitempty"`
	IsDeviceFlow            *bool    `json:"isDeviceFlow,omitempty"`
	MaxAllowedGrants        *int64   `json:"maxAllowedGrants,omitempty"`
	// RequirePKCE makes PKCE mandatory for a confidential client too (RFC 9700 §2.1.1); a
	// Gatehouse addition, Logto has no such key. Public clients always need PKCE.
	RequirePKCE *bool `json:"requirePkce,omitempty"`
}

// ApplicationSecret is one of an application's named client secrets (Logto table
// `application_secrets`). Several may be valid at once so a secret can be rotated without downtime.
type ApplicationSecret struct {
	TenantID      string `json:"tenantId"`
	ApplicationID string `json:"applicationId"`
	Name          string `json:"name"`
	Value         string `json:"value"`
	CreatedAt     int64  `json:"createdAt"` // epoch milliseconds
	ExpiresAt     *int64 `json:"expiresAt"` // epoch milliseconds; nil = never
}

// Expired reports whether the secret is past its expiry at nowMs (epoch milliseconds).
func (s ApplicationSecret) Expired(nowMs int64) bool {
	return s.ExpiresAt != nil && *s.ExpiresAt <= nowMs
}
