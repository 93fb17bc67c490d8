package management

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
)

// maxBodyBytes bounds a Management API request body; Logto's koa-body allows 1 MiB of JSON.
const maxBodyBytes = 1 << 20

// invalidInput is Logto's 400 guard.invalid_input ("The request {{type}} is invalid."), with the
// offending key path appended as Logto's zod details name it.
func invalidInput(part, format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_input", "The request %s is invalid. %s",
		part, fmt.Sprintf(format, args...))
}

// decodeBody reads r's JSON body into into, a pointer to a struct whose json tags name the
// accepted keys. An empty body counts as {} (Logto's koa-guard does the same). Unknown keys,
// wrong types, NUL characters, trailing data and bodies over maxBodyBytes are refused with
// 400 guard.invalid_input naming the key.
func decodeBody(r *http.Request, into any) error {
	raw, err := httpx.ReadBody(r, maxBodyBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return apperr.New(http.StatusRequestEntityTooLarge, "guard.invalid_input",
			"The request body is invalid. It is larger than %d bytes.", maxBodyBytes)
	}
	if err != nil {
		return invalidInput("body", "It could not be read.")
	}
	return decodeObject(raw, into)
}

// decodeObject decodes raw (a JSON object, or nothing) into the struct into points to.
func decodeObject(raw []byte, into any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	// A NUL can only reach a Go string through the \u0000 escape (a raw NUL is invalid JSON);
	// no field of the API has a use for one and databases treat it badly.
	if bytes.Contains(raw, []byte(`\u0000`)) || bytes.IndexByte(raw, 0) >= 0 {
		return invalidInput("body", "Strings must not contain NUL characters.")
	}
	if !json.Valid(raw) {
		return invalidInput("body", "It is not valid JSON.")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return invalidInput("body", "Expected object but received %s.", jsonKind(raw))
	}
	target := reflect.ValueOf(into).Elem()
	byName := jsonFields(target.Type())
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		idx, ok := byName[key]
		if !ok {
			return invalidInput("body", "Unrecognized key %q.", key)
		}
		dec := json.NewDecoder(bytes.NewReader(fields[key]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(target.FieldByIndex(idx).Addr().Interface()); err != nil {
			return fieldError(key, err)
		}
	}
	return nil
}

// jsonFields maps each json key of struct type t to its field index.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Index
	}
	return out
}

// fieldError words a decoding error of key like Logto's zod details
// (`Error in key path "name": Expected string but received number.`).
func fieldError(key string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		path := key
		if typeErr.Field != "" {
			path += "." + typeErr.Field
		}
		return invalidInput("body", "Error in key path %q: Expected %s but received %s.",
			path, goKindName(typeErr.Type), typeErr.Value)
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return invalidInput("body", "Error in key path %q: Unrecognized key %s.", key, rest)
	}
	var he *apperr.Error
	if errors.As(err, &he) {
		return he
	}
	return invalidInput("body", "Error in key path %q: %s.", key, strings.TrimPrefix(msg, "json: "))
}

// goKindName names a Go type the way a JSON schema would.
func goKindName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.String()
}

// jsonKind names the JSON type of a valid JSON value.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '{':
		return "object"
	}
	return "number"
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
