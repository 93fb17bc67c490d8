// Package blackbox is the black-box tests: the built gatehouse binary run as a user would run it
// (`serve` on free ports, the CLI verbs, real HTTP clients) against SQLite and PostgreSQL.
package blackbox
