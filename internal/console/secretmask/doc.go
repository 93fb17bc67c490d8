// Package secretmask hides the secrets of a connector config shown for editing (the stored
// values never reach the browser) and puts them back when the edited config is saved.
package secretmask
