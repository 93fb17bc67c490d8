// Package dbcopy copies a whole Gatehouse database into another, across dialects (SQLite to
// PostgreSQL and back), for `gatehouse db copy`.
package dbcopy
