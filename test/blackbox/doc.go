// Package blackbox runs the built gatehouse binary as a user would — `serve` on free ports, the CLI
// verbs, real HTTP clients — against SQLite and PostgreSQL.
package blackbox
