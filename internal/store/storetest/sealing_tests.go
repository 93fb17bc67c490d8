package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

const (
	rawSecret = "SELECT value FROM application_secrets WHERE tenant_id = ? AND application_id = ? AND name = ?"
	rawConfig = "SELECT value FROM logto_configs WHERE tenant_id = ? AND key = ?"
)

// Issue 6: client secrets, signing keys and cookie keys are sealed at rest, while the store's
// API keeps answering plaintext.
func testSealedAtRest(t *testing.T, open fx.Open) {
	t.Run("client secrets and key configs are not stored in clear", func(t *testing.T) {
		f := newFixture(t, open)
		r := fx.RawOf(f)
		app := f.NewApp(f.A, "Worker")
		secret := model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: ids.NewSecret(), CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, secret), "Create secret")

		privateMarker, cookieMarker := "private-"+ids.NewSecret(), "cookie-"+ids.NewSecret()
		privateKeys, _ := json.Marshal([]model.PrivateKey{{ID: "k1", Value: "-----BEGIN PRIVATE KEY-----\n" + privateMarker + "\n-----END PRIVATE KEY-----\n", CreatedAt: 1, Status: model.KeyCurrent}})
		cookieKeys, _ := json.Marshal([]model.CookieKey{{ID: "c1", Value: cookieMarker, CreatedAt: 1}})
		fx.MustOK(t, f.A.Configs().Put(f.Ctx, model.ConfigPrivateKeys, privateKeys), "Put private keys")
		fx.MustOK(t, f.A.Configs().Put(f.Ctx, model.ConfigCookieKeys, cookieKeys), "Put cookie keys")

		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List secrets")
		fx.WantEqual(t, got, []model.ApplicationSecret{{TenantID: fx.TenantA, ApplicationID: app.ID, Name: secret.Name, Value: secret.Value, CreatedAt: secret.CreatedAt}}, "List secrets")
		for key, want := range map[string][]byte{model.ConfigPrivateKeys: privateKeys, model.ConfigCookieKeys: cookieKeys} {
			v, err := f.A.Configs().Get(f.Ctx, key)
			fx.MustOK(t, err, "Get "+key)
			fx.WantEqual(t, string(fx.CanonicalJSON(t, v)), string(fx.CanonicalJSON(t, want)), "Get "+key)
		}

		if stored := r.Value(rawSecret, fx.TenantA, app.ID, secret.Name); strings.Contains(stored, secret.Value) {
			t.Fatalf("application_secrets.value holds the secret in clear: %q", stored)
		}
		for key, marker := range map[string]string{model.ConfigPrivateKeys: privateMarker, model.ConfigCookieKeys: cookieMarker} {
			stored := r.Value(rawConfig, fx.TenantA, key)
			if strings.Contains(stored, marker) {
				t.Fatalf("logto_configs %s holds its key material in clear: %q", key, stored)
			}
			if !json.Valid([]byte(stored)) {
				t.Fatalf("logto_configs %s holds %q, not JSON", key, stored)
			}
		}
	})

	t.Run("a sealed value copied to another row does not open", func(t *testing.T) {
		f := newFixture(t, open)
		r := fx.RawOf(f)
		victim, attacker := f.NewApp(f.A, "Victim"), f.NewApp(f.A, "Attacker")
		for _, app := range []model.Application{victim, attacker} {
			fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "s", Value: ids.NewSecret(), CreatedAt: f.Tick()}), "Create secret")
		}
		r.Exec("UPDATE application_secrets SET value = ? WHERE tenant_id = ? AND application_id = ?",
			r.Value(rawSecret, fx.TenantA, victim.ID, "s"), fx.TenantA, attacker.ID)
		if got, err := f.A.Secrets().List(f.Ctx, attacker.ID); err == nil {
			t.Fatalf("a secret sealed for another application opened: %+v", got)
		}

		for _, tn := range []store.Tenant{f.A, f.B} {
			fx.MustOK(t, tn.Configs().Put(f.Ctx, model.ConfigCookieKeys, json.RawMessage(`[{"id":"c","value":"`+tn.ID()+`","createdAt":1}]`)), "Put cookie keys")
		}
		r.Exec("UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ?", r.Value(rawConfig, fx.TenantA, model.ConfigCookieKeys), fx.TenantB, model.ConfigCookieKeys)
		if got, err := f.B.Configs().Get(f.Ctx, model.ConfigCookieKeys); err == nil {
			t.Fatalf("tenant A's cookie keys opened in tenant B: %s", got)
		}
	})

	// During a rolling upgrade a node of the previous version still writes in clear; those rows
	// must keep working until the next start seals them.
	t.Run("a value stored in clear is still read", func(t *testing.T) {
		f := newFixture(t, open)
		r := fx.RawOf(f)
		app := f.NewApp(f.A, "Worker")
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "s", Value: "sealed", CreatedAt: f.Tick()}), "Create secret")
		r.Exec("UPDATE application_secrets SET value = ? WHERE tenant_id = ? AND application_id = ?", "legacy-plaintext", fx.TenantA, app.ID)
		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, got[0].Value, "legacy-plaintext", "plaintext value")

		legacy := `[{"id":"c","value":"legacy-cookie","createdAt":1}]`
		fx.MustOK(t, f.A.Configs().Put(f.Ctx, model.ConfigCookieKeys, json.RawMessage(`[]`)), "Put cookie keys")
		r.Exec("UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ?", legacy, fx.TenantA, model.ConfigCookieKeys)
		v, err := f.A.Configs().Get(f.Ctx, model.ConfigCookieKeys)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, v)), string(fx.CanonicalJSON(t, json.RawMessage(legacy))), "plaintext config")
	})
}
