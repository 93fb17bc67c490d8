// Package storetest is the conformance suite every store.Store implementation must pass, and
// the helper that gives tests a fresh PostgreSQL database.
package storetest
