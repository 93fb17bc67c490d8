// Package rules is what a tenant's sign-in experience allows: which events, which sign-in and
// sign-up methods, what a new account must provide, and when the terms must be agreed to.
package rules
