// Package throttle is the sign-in's brakes on guessing: Logto's sentinel lockout of the accounts
// (and unknown identifiers) being attacked, kept in the database so it holds on every node, and a
// per-address rate limit in front of every credential check.
package throttle
