package openapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

type nullableString struct {
	Set, Null bool
	Value     string
}

type body struct {
	Name     string            `json:"name"`
	Count    *int              `json:"count"`
	Tags     []string          `json:"tags"`
	Labels   map[string]bool   `json:"labels"`
	Extra    json.RawMessage   `json:"extra"`
	Nickname nullableString    `json:"nickname"`
	Hidden   string            `json:"-"`
	Nested   struct{ A int64 } `json:"nested"`
}

func TestSchemaFollowsTheJSONEncoding(t *testing.T) {
	got := Schema(reflect.TypeOf(body{}))
	want := map[string]any{"type": "object", "properties": map[string]any{
		"name":     map[string]any{"type": "string"},
		"count":    map[string]any{"type": "integer", "nullable": true},
		"tags":     map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		"labels":   map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "boolean"}},
		"extra":    map[string]any{"type": "object"},
		"nickname": map[string]any{"type": "string", "nullable": true},
		"nested":   map[string]any{"type": "object", "properties": map[string]any{"A": map[string]any{"type": "integer"}}},
	}}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("schema:\n%s", g)
	}
}
