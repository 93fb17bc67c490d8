// Package claims maps a user and the granted scopes to the OpenID Connect claims of ID tokens
// and the userinfo response, exactly as Logto does (logto-core.md §1.4).
package claims
