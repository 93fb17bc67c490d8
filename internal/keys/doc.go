// Package keys is each tenant's OIDC signing keys in Logto's stored shape: generating and
// importing them, staged rotation (Next → Current → Previous), the published JWKS, and signing
// and verifying compact JWS tokens with them.
package keys
