// Package sqlx is the dialect-neutral database/sql plumbing under sqlstore: SQL written with ?
// placeholders run on PostgreSQL or SQLite, prepared statements cached on the SQLite read pool,
// write transactions, paged list queries and row scanning, the checks of JSON columns, and the
// translation of driver errors into the store's errors.
package sqlx
