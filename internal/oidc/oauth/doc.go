// Package oauth is the OAuth 2.0 toolbox the provider's endpoints and its grants share: parsing
// token-endpoint requests, client authentication and its errors, CORS for browser apps, PKCE,
// the grant matrix (which application type may use which grant) and the active-user check.
// Dex's server/oauth2 is the model: the endpoints and the grants keep only their own logic.
package oauth
