// Package store is Gatehouse's persistence interfaces: one per aggregate, always scoped to a
// tenant, with transactions spanning several aggregates. sqlstore implements them for SQLite and
// PostgreSQL; storetest is the conformance suite both must pass.
package store
