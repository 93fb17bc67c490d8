// Package console is the admin console on the admin listener: the first visit's welcome page
// that creates the first admin, the console's sign-in as an OIDC client of the admin tenant
// (code + PKCE, a server-side session, logout through end-session), and its pages.
package console
