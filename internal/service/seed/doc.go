// Package seed creates the default and admin tenants as Logto's `db seed` does: their keys,
// Management API resources, scopes and roles. Seeding is idempotent and safe when several
// nodes start at once.
package seed
