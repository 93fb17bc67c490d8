// Package landing is the page at / of a tenant's listener: what this server is, and where its
// OpenID Connect discovery document is, in the tenant's branding.
package landing
