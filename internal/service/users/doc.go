// Package users is the use-cases of end users: accounts and their identifiers, passwords,
// suspension, custom data and profile, the roles users hold, and the sign-in attempts the
// lockout counts.
package users
