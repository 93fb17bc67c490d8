// Package cli is the gatehouse command line (serve, db, app, user, keys, version)
// with Logto's verbs and flags, so scripts written for Logto's CLI keep working.
package cli
