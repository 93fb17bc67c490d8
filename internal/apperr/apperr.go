package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error is a rule violation with Logto's error code. The Management API writes it as
// {"code","message","data"?}; other surfaces map Code to their own shapes.
type Error struct {
	Status  int    // HTTP status Logto uses for this code
	Code    string // Logto's i18n key, e.g. "role.name_in_use"
	Message string // English message
	Data    any    // optional structured detail, written as "data"
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New returns an *Error.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithData returns a copy of e carrying data.
func (e *Error) WithData(data any) *Error { c := *e; c.Data = data; return &c }

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Common constructors for codes used across resources.

// InvalidInput is Logto's 400 guard.invalid_input.
func InvalidInput(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "guard.invalid_input", format, args...)
}

// NotExistsWithID is Logto's 404 entity.not_exists_with_id (applications, resources, roles, scopes).
func NotExistsWithID(id string) *Error {
	return New(http.StatusNotFound, "entity.not_exists_with_id", "The entity with ID `%s` does not exist.", id).
		WithData(map[string]string{"id": id})
}

// Codes the user use-cases and the sign-in experience both answer with (Logto's phrases).

// PhoneInUse is Logto's 422 user.phone_already_in_use.
func PhoneInUse() *Error {
	return New(http.StatusUnprocessableEntity, "user.phone_already_in_use", "This phone number is associated with an existing account.")
}

// UsernameInUse is Logto's 422 user.username_already_in_use.
func UsernameInUse() *Error {
	return New(http.StatusUnprocessableEntity, "user.username_already_in_use", "This username is already in use.")
}

// EmailInUse is Logto's 422 user.email_already_in_use.
func EmailInUse() *Error {
	return New(http.StatusUnprocessableEntity, "user.email_already_in_use", "This email is associated with an existing account.")
}

// InvalidCredentials is Logto's 422 session.invalid_credentials: a wrong identifier or password,
// never saying which.
func InvalidCredentials() *Error {
	return New(http.StatusUnprocessableEntity, "session.invalid_credentials", "Incorrect account or password. Please check your input.")
}

// Clip shortens s, a value a caller sent, to at most n bytes (cut on a rune boundary, marked
// with "…") and to one line, so an echoed value can neither flood an error message nor break
// it into lines.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
