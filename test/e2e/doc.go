// Package e2e is the end-to-end tests: the built gatehouse binary behind Caddy (HTTPS,
// TRUST_PROXY_HEADER), driven through a full sign-in, token, userinfo, refresh and logout by the
// client libraries real apps use: openid-client (LibreChat), @auth/core (Auth.js, LobeChat),
// @logto/node, authlib (Open WebUI), golang.org/x/oauth2 with go-oidc, and a real Chromium through
// the hosted pages.
package e2e
