// Package apibody reads the Experience API's request bodies in Logto's shapes, refusing what
// does not fit with 400 guard.invalid_input.
package apibody
