// Package adminconsole is the admin console's use-cases: the first admin account, the console's
// own OIDC client in the admin tenant, and the console's server-side sessions.
package adminconsole
