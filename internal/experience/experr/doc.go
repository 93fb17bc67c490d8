// Package experr is the Experience API's errors: Logto's codes and statuses, with messages that
// say what to do next.
package experr
