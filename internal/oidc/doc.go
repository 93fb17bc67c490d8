// Package oidc is one tenant's OpenID Connect / OAuth 2.0 provider under /oidc: discovery, the
// JWKS, the authorization endpoint and its interactions, the token endpoint (grants/), userinfo,
// logout, introspection and revocation, with Logto's paths, shapes and error answers. Its only
// HTML is the bare auto-submitting forms the protocol itself needs (form_post, logout); sign-in
// pages belong to the experience.
package oidc
