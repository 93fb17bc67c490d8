// Package sqlstore is the one implementation of store.Store: database/sql over PostgreSQL (pgx)
// and SQLite (modernc.org/sqlite), with shared SQL and per-dialect overrides only where needed.
// The dialect-neutral plumbing is in sqlx, the sealing of secrets at rest in sealing.
package sqlstore
