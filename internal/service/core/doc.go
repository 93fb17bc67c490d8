// Package core is what every use-case package under service shares: the store handle, the one
// transaction helper (a change and the events it emits, committed together), the mapping of
// store errors to Logto's error codes, and the input checks several aggregates apply.
package core
