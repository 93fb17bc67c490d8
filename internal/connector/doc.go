// Package connector is the framework of sign-in connectors (Logto's connector-kit): the factory
// and social-connector interfaces the experience engine calls, their errors in Logto's codes,
// the upstream profile, and the one HTTP client every call to a provider goes through. Each
// connector lives in its own sub-package and imports no HTTP handler.
package connector
