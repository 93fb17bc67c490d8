package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func testConfigs(t *testing.T, open fx.Open) {
	t.Run("get, put and replace", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.A.Configs().Get(f.Ctx, model.ConfigPrivateKeys)
		fx.WantNotFound(t, err, "Get before Put")

		keys := []model.PrivateKey{{ID: "k1", Value: "-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n", CreatedAt: 1700000000, Status: model.KeyCurrent}}
		first, err := json.Marshal(keys)
		fx.MustOK(t, err, "marshal")
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
			fx.MustOK(t, f.A.Configs().Put(f.Ctx, tc.key, tc.value), tc.name+": Put")
			got, err := f.A.Configs().Get(f.Ctx, tc.key)
			fx.MustOK(t, err, tc.name+": Get")
			fx.WantEqual(t, string(fx.CanonicalJSON(t, got)), string(fx.CanonicalJSON(t, tc.value)), tc.name)
		}
		got, err := f.A.Configs().Get(f.Ctx, model.ConfigPrivateKeys)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, got)), `{"list":[1,2,3],"replaced":true}`, "replaced value")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		fx.MustOK(t, f.A.Configs().Put(f.Ctx, "k", json.RawMessage(`{"ok":1}`)), "Put")
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
			fx.WantInvalid(t, f.A.Configs().Put(f.Ctx, tc.key, tc.value), tc.name)
		}
		got, err := f.A.Configs().Get(f.Ctx, "k")
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, got)), `{"ok":1}`, "value after refused puts")
	})
}
