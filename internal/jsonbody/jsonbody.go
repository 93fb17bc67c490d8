package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// UnknownKeys says what Decode does with a member the target struct does not name.
type UnknownKeys int

const (
	// Ignore drops unknown members, as Logto's zod object guards strip them. Keys match the
	// struct's json tags as encoding/json matches them (also case-insensitively).
	Ignore UnknownKeys = iota
	// Refuse refuses an unknown member, at the top level and inside nested objects, as Logto's
	// strict guards do. Top-level keys must be spelled exactly as the json tags.
	Refuse
)

// Options are what differs between the APIs' bodies.
type Options struct {
	UnknownKeys UnknownKeys
}

// Problem is what was wrong with a body.
type Problem int

const (
	// NUL: a string holds a NUL character (a raw NUL byte or the \u0000 escape); no field has a
	// use for one and databases treat it badly.
	NUL Problem = iota + 1
	// NotJSON: the body is not valid JSON.
	NotJSON
	// NotObject: the body is JSON but not an object; Received names what it is.
	NotObject
	// UnknownKey: Key is not a member the object at Path may have ("" is the body itself).
	UnknownKey
	// WrongType: the value at Path is Received ("number", "string", "number 1.5"…) where a
	// value of Go type Expected belongs.
	WrongType
	// Malformed: the value at Path could not be decoded for another reason, Detail.
	Malformed
)

// Error is a refused body: the Problem, where it is and what was found. Its Error text is Logto's
// zod wording of the problem (`Error in key path "name": Expected string but received number.`).
type Error struct {
	Problem  Problem
	Path     string       // key path of the value, members joined with "."; "" is the body
	Key      string       // UnknownKey: the unknown member's name
	Expected reflect.Type // WrongType: the Go type the value decodes into
	Received string       // WrongType, NotObject: what the JSON holds there
	Detail   string       // Malformed: encoding/json's reason, without its "json: " prefix
	Err      error        // the underlying decoding error, if any
}

// Error words the problem as Logto's zod details do.
func (e *Error) Error() string {
	switch e.Problem {
	case NUL:
		return "Strings must not contain NUL characters."
	case NotJSON:
		return "It is not valid JSON."
	case NotObject:
		return fmt.Sprintf("Expected object but received %s.", e.Received)
	case UnknownKey:
		if e.Path == "" {
			return fmt.Sprintf("Unrecognized key %q.", e.Key)
		}
		return fmt.Sprintf("Error in key path %q: Unrecognized key %q.", e.Path, e.Key)
	case WrongType:
		return fmt.Sprintf("Error in key path %q: Expected %s but received %s.", e.Path, TypeName(e.Expected), e.Received)
	}
	return fmt.Sprintf("Error in key path %q: %s.", e.Path, e.Detail)
}

// Unwrap is the underlying decoding error, so a field's own UnmarshalJSON error can be found.
func (e *Error) Unwrap() error { return e.Err }

// Decode decodes raw, a JSON object or nothing (white space only), into the struct into points
// to; nothing leaves it as it is, as Logto's koa-guard reads an empty body as {}. In order: a
// NUL character, invalid JSON, anything but an object, then (with Refuse, key by key in sorted
// order) unknown keys and values that do not fit are refused with an *Error.
func Decode(raw []byte, into any, opts Options) error {
	// Only JSON's own white space (RFC 8259 §2): bytes.TrimSpace would also drop a form feed or a
	// non-breaking space, which make the body invalid JSON.
	raw = bytes.Trim(raw, " \t\r\n")
	if len(raw) == 0 {
		return nil
	}
	if HasNUL(raw) {
		return &Error{Problem: NUL}
	}
	if !json.Valid(raw) {
		return &Error{Problem: NotJSON}
	}
	if raw[0] != '{' {
		return &Error{Problem: NotObject, Received: jsonKind(raw)}
	}
	if opts.UnknownKeys == Refuse {
		return decodeMembers(raw, into)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return describe("", err)
	}
	return nil
}

// DecodeValue decodes raw, the value found at path, into into, refusing keys that its structs
// do not name; a failure is an *Error whose Path starts with path.
func DecodeValue(raw []byte, into any, path string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return describe(path, err)
	}
	return nil
}

// decodeMembers decodes the valid JSON object raw member by member, in key order, so the same
// body always reports the same first problem.
func decodeMembers(raw []byte, into any) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return &Error{Problem: NotObject, Received: jsonKind(raw)}
	}
	target := reflect.ValueOf(into).Elem()
	byName := Fields(target.Type())
	for _, key := range slices.Sorted(maps.Keys(members)) {
		index, ok := byName[key]
		if !ok {
			return &Error{Problem: UnknownKey, Key: key}
		}
		if err := DecodeValue(members[key], target.FieldByIndex(index).Addr().Interface(), key); err != nil {
			return err
		}
	}
	return nil
}

// describe turns encoding/json's error for the value at path into an *Error.
func describe(path string, err error) *Error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return &Error{Problem: WrongType, Path: joinPath(path, typeErr.Field), Expected: typeErr.Type,
			Received: typeErr.Value, Err: err}
	}
	msg := err.Error()
	if quoted, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if key, uerr := strconv.Unquote(quoted); uerr == nil {
			return &Error{Problem: UnknownKey, Path: path, Key: key, Err: err}
		}
	}
	return &Error{Problem: Malformed, Path: path, Detail: strings.TrimPrefix(msg, "json: "), Err: err}
}

func joinPath(path, field string) string {
	switch {
	case field == "":
		return path
	case path == "":
		return field
	}
	return path + "." + field
}

// Fields maps each json key of struct type t to its field index: the keys a body may have.
func Fields(t reflect.Type) map[string][]int {
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

// HasNUL reports whether the JSON text raw holds a NUL character: a raw NUL byte, or a \u0000
// escape (an escaped backslash followed by "u0000", as in "a\\u0000", is text, not a NUL).
func HasNUL(raw []byte) bool {
	if bytes.IndexByte(raw, 0) >= 0 {
		return true
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' {
			if bytes.HasPrefix(raw[i+1:], []byte("u0000")) {
				return true
			}
			i++ // the escaped character cannot start another escape
		}
	}
	return false
}

// TypeName names a Go type the way a JSON schema would (Logto's zod messages).
func TypeName(t reflect.Type) string {
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
