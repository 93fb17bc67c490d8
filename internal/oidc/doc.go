// Package oidc is one tenant's OpenID Connect / OAuth 2.0 provider under /oidc: discovery, the
// JWKS and the token endpoint (grants/), with Logto's paths, shapes and error answers; it knows
// nothing about HTML.
package oidc
