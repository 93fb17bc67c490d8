// Package grants is the token endpoint (POST /oidc/token): with package oauth it parses the
// request once and authenticates the client; it then dispatches on grant_type to one Grant per
// file (authorization_code, refresh_token, client_credentials) and writes the token response or
// the OAuth error, so a grant only fills in what is unique to it. The user grants share one
// redeeming prologue (redeem.go) and one token issuer (usertokens.go) for ID tokens, opaque and
// JWT access tokens and refresh tokens.
package grants
