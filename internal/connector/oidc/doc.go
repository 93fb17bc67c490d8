// Package oidc is the generic OpenID Connect social connector (Logto's factory `oidc`), with
// issuer discovery (Gatehouse's addition), ID-token verification against the provider's JWKS,
// a nonce bound to the sign-in, and email_verified respected.
package oidc
