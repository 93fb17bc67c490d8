// Package storetest is the conformance suite every store.Store implementation must pass (Run,
// which also runs the suites of identitysuite, protocolsuite and eventsuite), and the helper that
// gives tests a fresh PostgreSQL database.
package storetest
