// Package oauth2 is the generic OAuth 2.0 social connector (Logto's factory `oauth2`): any
// provider with an authorization endpoint, a token endpoint and a user-info endpoint, such as a
// Discourse-style community's "connect" server.
package oauth2
