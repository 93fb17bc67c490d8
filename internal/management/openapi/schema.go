package openapi

import (
	"encoding/json"
	"reflect"

	"github.com/gatehouse-id/gatehouse/internal/jsonbody"
)

var rawMessageType = reflect.TypeOf(json.RawMessage{})

// Schema describes a Go type by its JSON encoding; a pointer, or a struct shaped as the Management
// API's nullable[T] (Set, Null, Value), is nullable.
func Schema(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	var s map[string]any
	switch {
	case t == rawMessageType:
		s = map[string]any{"type": "object"}
	case isNullableType(t):
		s = Schema(t.Field(2).Type)
		nullable = true
	default:
		s = schemaOfKind(t)
	}
	if nullable {
		s["nullable"] = true
	}
	return s
}

// isNullableType reports whether t is a nullable[T] (Set, Null, Value).
func isNullableType(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 3 && t.Field(0).Name == "Set" && t.Field(1).Name == "Null"
}

// scalarTypes are the JSON schema types of Go's scalar kinds.
var scalarTypes = map[reflect.Kind]string{
	reflect.String: "string", reflect.Bool: "boolean",
	reflect.Int: "integer", reflect.Int8: "integer", reflect.Int16: "integer", reflect.Int32: "integer", reflect.Int64: "integer",
	reflect.Uint: "integer", reflect.Uint8: "integer", reflect.Uint16: "integer", reflect.Uint32: "integer", reflect.Uint64: "integer",
	reflect.Float32: "number", reflect.Float64: "number",
}

// schemaOfKind describes a value of type t (not a pointer) by its kind.
func schemaOfKind(t reflect.Type) map[string]any {
	if typ, ok := scalarTypes[t.Kind()]; ok {
		return map[string]any{"type": typ}
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": Schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": Schema(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for name, index := range jsonbody.Fields(t) { // the same keys the body decoder accepts
			props[name] = Schema(t.FieldByIndex(index).Type)
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}
