// Package directory is the protocol's read path: clients with their secrets, API resources and
// the scopes roles grant, held in per-tenant in-process caches that watch the tenant's write
// generation, so the token endpoint answers without a database read.
package directory
