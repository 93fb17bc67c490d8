// Package service is Gatehouse's use-cases, one sub-package per aggregate (applications, access,
// users, signinexp, protocol, keyring, directory, seed) on a shared core (the store, the one
// transaction helper for a change and its events, Logto's error mapping). Every write the
// Management API, the hosted pages and the CLI make goes through them; Service bundles them for
// the composition root.
package service
