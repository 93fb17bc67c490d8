// Package testcert writes throwaway TLS certificates for the test suites: a CA, and a
// certificate for localhost and 127.0.0.1 signed by it, valid for a day.
package testcert
