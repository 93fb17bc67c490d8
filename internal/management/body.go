package management

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/jsonbody"
)

// maxBodyBytes bounds a Management API request body; Logto's koa-body allows 1 MiB of JSON.
const maxBodyBytes = 1 << 20

// invalidInput is Logto's 400 guard.invalid_input ("The request {{type}} is invalid."), with the
// offending key path appended as Logto's zod details name it.
func invalidInput(part, format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_input", "The request %s is invalid. %s",
		part, fmt.Sprintf(format, args...))
}

// errRequired is zod's answer to a required member the body lacks.
func errRequired(key string) *apperr.Error {
	return invalidInput("body", "Error in key path %q: Required.", key)
}

// errEmptyArray is zod's answer to an array member that must hold at least one element.
func errEmptyArray(key string) *apperr.Error {
	return invalidInput("body", "Error in key path %q: Array must contain at least 1 element(s).", key)
}

// readBody reads r's body within maxBodyBytes; a larger one is Logto's 413 guard.invalid_input.
func readBody(r *http.Request) ([]byte, error) {
	raw, err := httpx.ReadBody(r, maxBodyBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return nil, apperr.New(http.StatusRequestEntityTooLarge, "guard.invalid_input",
			"The request body is invalid. It is larger than %d bytes.", maxBodyBytes)
	}
	if err != nil {
		return nil, invalidInput("body", "It could not be read.")
	}
	return raw, nil
}

// decodeBody reads r's JSON body into into, a pointer to a struct whose json tags name the
// accepted keys. An empty body counts as {} (Logto's koa-guard does the same). Unknown keys,
// wrong types, NUL characters, trailing data and bodies over maxBodyBytes are refused with
// 400 guard.invalid_input naming the key.
func decodeBody(r *http.Request, into any) error {
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeObject(raw, into)
}

// decodeObject decodes raw (a JSON object, or nothing) into the struct into points to, strictly:
// keys must be spelled exactly as the json tags, and unknown ones are refused.
func decodeObject(raw []byte, into any) error {
	return bodyError(jsonbody.Decode(raw, into, jsonbody.Options{UnknownKeys: jsonbody.Refuse}))
}

// bodyError words a refused body like Logto's zod details
// (`Error in key path "name": Expected string but received number.`) as 400
// guard.invalid_input; a Logto error a field's own decoder raised is answered as it is.
func bodyError(err error) error {
	var e *jsonbody.Error
	if !errors.As(err, &e) {
		return err
	}
	if he, ok := apperr.As(e.Err); ok && e.Problem == jsonbody.Malformed {
		return he
	}
	return invalidInput("body", "%s", e.Error())
}

// nullable is a JSON field that distinguishes "absent" (Set false), null (Null true) and a value.
type nullable[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the key was present; encoding/json calls it for null as well.
func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Null = true
		return nil
	}
	return json.Unmarshal(b, &n.Value)
}

// ptr returns the value as a pointer: nil when null.
func (n nullable[T]) ptr() *T {
	if n.Null {
		return nil
	}
	v := n.Value
	return &v
}

// patch returns nil when absent, a pointer to nil when null, else a pointer to the value: the
// three states of a PATCH field.
func (n nullable[T]) patch() **T {
	if !n.Set {
		return nil
	}
	p := n.ptr()
	return &p
}
