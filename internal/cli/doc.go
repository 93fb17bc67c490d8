// Package cli defines the gatehouse command line (serve, db seed|alteration|config, app, version)
// with Logto's verbs and flags, so scripts written for Logto's CLI keep working.
package cli
