package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testConfigs(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("get, put and replace", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.a.Configs().Get(f.ctx, model.ConfigPrivateKeys)
		wantNotFound(t, err, "Get before Put")

		keys := []model.PrivateKey{{ID: "k1", Value: "-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n", CreatedAt: 1700000000, Status: model.KeyCurrent}}
		first, err := json.Marshal(keys)
		mustOK(t, err, "marshal")
		for _, tc := range []struct {
			name  string
			key   string
			value json.RawMessage
		}{
			{"array value", model.ConfigPrivateKeys, first},
			{"replaced by an object", model.ConfigPrivateKeys, json.RawMessage(`{"replaced": true, "list": [1, 2, 3]}`)},
			{"another key", model.ConfigSigningKeyRotationState, json.RawMessage(`{"signingKeyRotationAt":0}`)},
			{"a scalar", "misc", json.RawMessage(`"just a string"`)},
		} {
			mustOK(t, f.a.Configs().Put(f.ctx, tc.key, tc.value), tc.name+": Put")
			got, err := f.a.Configs().Get(f.ctx, tc.key)
			mustOK(t, err, tc.name+": Get")
			wantEqual(t, string(canonicalJSON(t, got)), string(canonicalJSON(t, tc.value)), tc.name)
		}
		got, err := f.a.Configs().Get(f.ctx, model.ConfigPrivateKeys)
		mustOK(t, err, "Get")
		wantEqual(t, string(canonicalJSON(t, got)), `{"list":[1,2,3],"replaced":true}`, "replaced value")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		mustOK(t, f.a.Configs().Put(f.ctx, "k", json.RawMessage(`{"ok":1}`)), "Put")
		for _, tc := range []struct {
			name  string
			key   string
			value json.RawMessage
		}{
			{"invalid JSON", "k", json.RawMessage(`{"ok":`)},
			{"nil value", "k", nil},
			{"empty key", "", json.RawMessage(`{}`)},
			{"key longer than 256", strings.Repeat("k", 257), json.RawMessage(`{}`)},
		} {
			wantInvalid(t, f.a.Configs().Put(f.ctx, tc.key, tc.value), tc.name)
		}
		got, err := f.a.Configs().Get(f.ctx, "k")
		mustOK(t, err, "Get")
		wantEqual(t, string(canonicalJSON(t, got)), `{"ok":1}`, "value after refused puts")
	})
}
