// Package faults tells a database that cannot be reached from other faults inside the server, so
// every surface answers it with 503 and a way to retry rather than 500.
package faults
