package management

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
)

// fuzzBody has a field of each kind the Management API's bodies use.
type fuzzBody struct {
	Name        *string          `json:"name"`
	Description nullable[string] `json:"description"`
	IsDefault   *bool            `json:"isDefault"`
	TTL         *int64           `json:"accessTokenTtl"`
	IDs         []string         `json:"roleIds"`
	CustomData  json.RawMessage  `json:"customData"`
	Profile     *struct {
		GivenName string            `json:"givenName"`
		Address   map[string]string `json:"address"`
	} `json:"profile"`
	Values map[string]any `json:"values"`
}

// FuzzDecodeObject fuzzes the Management API's strict JSON body decoder (decodeObject, behind
// decodeBody) against encoding/json. Properties:
//
//   - a refusal is a 400 guard.invalid_input with a message;
//   - an accepted body is empty or a JSON object, holds no NUL, and (unless a key repeats: the
//     decoder keeps the last, as JSON.parse does) decodes exactly as encoding/json, with unknown
//     fields disallowed, decodes it;
//   - conversely, a JSON object encoding/json decodes without unknown fields, whose keys are
//     spelled exactly as the fields', none twice, and whose strings hold no NUL, is accepted: the
//     strict decoder refuses only for a reason.
func FuzzDecodeObject(f *testing.F) {
	for _, seed := range []string{
		``, ` `, `{}`, `null`, `[]`, `"x"`, `1`, `true`, `{"name":"a"} `, `{"name":"a"} {}`, `{"name":"a"`,
		`{"name":"role","description":null,"isDefault":true,"accessTokenTtl":3600,"roleIds":["a","b"]}`,
		`{"customData":{"k":[1,2,{"x":null}]},"profile":{"givenName":"G","address":{"country":"NZ"}}}`,
		`{"values":{"a":1,"b":"c"},"description":"d"}`,
		`{"name":1}`, `{"accessTokenTtl":1.5}`, `{"accessTokenTtl":99999999999999999999}`, `{"roleIds":[1]}`,
		`{"profile":{"unknown":1}}`, `{"profile":{"GIVENNAME":"g"}}`, `{"Name":"a"}`, `{"unknown":true}`,
		`{"name":"\u0000"}`, `{"customData":"\u0000"}`, "{\"name\":\"\x00\"}",
		`{"name":"a","name":"b"}`, `{"profile":{"givenName":"a"},"profile":{"address":{}}}`,
		"{\"name\":\"\xff\"}", `{"name":"\ud800"}`, "\ufeff{}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got fuzzBody
		err := decodeObject(raw, &got)
		std, stdErr := stdDecode(raw)
		if err != nil {
			ae, ok := apperr.As(err)
			if !ok || ae.Status != http.StatusBadRequest || ae.Code != "guard.invalid_input" || ae.Message == "" {
				t.Fatalf("decodeObject(%q) refused with %v, not a 400 guard.invalid_input", raw, err)
			}
			if stdErr == nil && isObject(raw) && exactKeys(raw) && !duplicateKeys(raw) && !hasNUL(std) {
				t.Fatalf("decodeObject(%q) refused a well-formed body: %s", raw, ae.Message)
			}
			return
		}
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 {
			if !reflect.DeepEqual(got, fuzzBody{}) {
				t.Fatalf("an empty body decoded as %+v", got)
			}
			return
		}
		if !isObject(raw) {
			t.Fatalf("decodeObject accepted %q, which is not a JSON object", raw)
		}
		if hasNUL(got) {
			t.Fatalf("decodeObject(%q) let a NUL through", raw)
		}
		if duplicateKeys(raw) {
			return // the last one counts, as in JSON.parse; encoding/json decodes each in turn
		}
		if stdErr != nil {
			t.Fatalf("decodeObject accepted %q, which encoding/json refuses: %v", raw, stdErr)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("decodeObject(%q) = %+v; encoding/json decodes %+v", raw, got, std)
		}
	})
}

// stdDecode is encoding/json's reading of raw: one value, unknown fields refused, nothing after.
func stdDecode(raw []byte) (fuzzBody, error) {
	var out fuzzBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return out, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return out, errors.New("data after the value")
	}
	return out, nil
}

// isObject reports whether raw is one valid JSON object.
func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return json.Valid(t) && len(t) > 0 && t[0] == '{'
}

// topKeys returns the member names of the JSON object raw, in order.
func topKeys(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

// exactKeys reports whether every member name is spelled as a json tag of fuzzBody (encoding/json
// also matches them case-insensitively; the API, as Logto's zod guards, does not).
func exactKeys(raw []byte) bool {
	fields := map[string]bool{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[fuzzBody]()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		fields[name] = true
	}
	for _, k := range topKeys(raw) {
		if !fields[k] {
			return false
		}
	}
	return true
}

// duplicateKeys reports whether a member name repeats (encoding/json merges repeated objects;
// the strict decoder keeps the last).
func duplicateKeys(raw []byte) bool {
	seen := map[string]bool{}
	for _, k := range topKeys(raw) {
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// hasNUL reports whether any string in v, including inside raw JSON, holds a NUL.
func hasNUL(v fuzzBody) bool {
	found := false
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			found = found || strings.IndexByte(x, 0) >= 0
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				walk(k)
				walk(e)
			}
		}
	}
	if b, err := json.Marshal(v); err == nil {
		var generic any
		if json.Unmarshal(b, &generic) == nil {
			walk(generic)
		}
	}
	return found
}
