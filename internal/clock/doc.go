// Package clock is the injected source of the current time, real or fake, so token lifetimes and
// expiries are testable.
package clock
