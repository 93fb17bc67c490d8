// Package apperr is the error a use-case returns when a request breaks a rule: a Logto error code
// (e.g. "entity.not_exists_with_id"), the HTTP status Logto answers with, and a message for people.
package apperr
