// Package grants is the token endpoint (POST /oidc/token): it parses the request once,
// authenticates the client, dispatches on grant_type to one Grant per file, and writes the token
// response or the OAuth error, so a grant only fills in what is unique to it.
package grants
