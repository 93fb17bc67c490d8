package oauth

import "github.com/gatehouse-id/gatehouse/internal/model"

// Grant types (RFC 6749 §4, RFC 8628, RFC 8693) as they appear in grant_type.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// GrantAllowed reports whether app may use grantType, per Logto's per-type client metadata
// (core/oidc/utils.ts#getConstantClientMetadata):
//
//	Native            authorization_code, refresh_token (device_code instead of
//	                  authorization_code when customClientMetadata.isDeviceFlow)
//	SPA, Traditional  authorization_code, refresh_token
//	MachineToMachine  client_credentials
//	Protected, SAML   authorization_code, refresh_token
//
// plus token exchange for Native, SPA, Traditional and MachineToMachine apps with
// customClientMetadata.allowTokenExchange.
func GrantAllowed(app *model.Application, grantType string) bool {
	meta := &app.CustomClientMetadata
	switch grantType {
	case GrantClientCredentials:
		return app.Type == model.AppMachineToMachine
	case GrantAuthorizationCode:
		switch app.Type {
		case model.AppNative:
			return meta.IsDeviceFlow == nil || !*meta.IsDeviceFlow
		case model.AppSPA, model.AppTraditional, model.AppProtected, model.AppSAML:
			return true
		}
	case GrantDeviceCode:
		return app.Type == model.AppNative && meta.IsDeviceFlow != nil && *meta.IsDeviceFlow
	case GrantRefreshToken:
		return app.Type != model.AppMachineToMachine
	case GrantTokenExchange:
		switch app.Type {
		case model.AppNative, model.AppSPA, model.AppTraditional, model.AppMachineToMachine:
			return meta.AllowTokenExchange != nil && *meta.AllowTokenExchange
		}
	}
	return false
}
