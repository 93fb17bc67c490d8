package storetest

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// rawDB is what the suite needs to look under a store at what it actually wrote (sqlstore.DB
// has both methods).
type rawDB interface {
	SQL() *sql.DB
	Dialect() string
}

// raw runs SQL written with ? placeholders straight on the store's database.
type raw struct {
	t  *testing.T
	db rawDB
}

func rawOf(f *fixture) raw {
	f.t.Helper()
	db, ok := f.st.(rawDB)
	if !ok {
		f.t.Fatalf("store %T does not expose its SQL (SQL() *sql.DB, Dialect() string); the suite cannot check what it stores", f.st)
	}
	return raw{f.t, db}
}

func (r raw) bind(query string) string {
	if r.db.Dialect() != "postgres" {
		return query
	}
	for n := 1; strings.Contains(query, "?"); n++ {
		query = strings.Replace(query, "?", "$"+strconv.Itoa(n), 1)
	}
	return query
}

func (r raw) value(query string, args ...any) string {
	r.t.Helper()
	var v string
	if err := r.db.SQL().QueryRowContext(r.t.Context(), r.bind(query), args...).Scan(&v); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
	return v
}

func (r raw) exec(query string, args ...any) {
	r.t.Helper()
	if _, err := r.db.SQL().ExecContext(r.t.Context(), r.bind(query), args...); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
}

const (
	rawSecret = "SELECT value FROM application_secrets WHERE tenant_id = ? AND application_id = ? AND name = ?"
	rawConfig = "SELECT value FROM logto_configs WHERE tenant_id = ? AND key = ?"
)

// Issue 6: client secrets, signing keys and cookie keys are sealed at rest, while the store's
// API keeps answering plaintext.
func testSealedAtRest(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("client secrets and key configs are not stored in clear", func(t *testing.T) {
		f := newFixture(t, open)
		r := rawOf(f)
		app := f.newApp(f.a, "Worker")
		secret := model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: ids.NewSecret(), CreatedAt: f.tick()}
		mustOK(t, f.a.Secrets().Create(f.ctx, secret), "Create secret")

		privateMarker, cookieMarker := "private-"+ids.NewSecret(), "cookie-"+ids.NewSecret()
		privateKeys, _ := json.Marshal([]model.PrivateKey{{ID: "k1", Value: "-----BEGIN PRIVATE KEY-----\n" + privateMarker + "\n-----END PRIVATE KEY-----\n", CreatedAt: 1, Status: model.KeyCurrent}})
		cookieKeys, _ := json.Marshal([]model.CookieKey{{ID: "c1", Value: cookieMarker, CreatedAt: 1}})
		mustOK(t, f.a.Configs().Put(f.ctx, model.ConfigPrivateKeys, privateKeys), "Put private keys")
		mustOK(t, f.a.Configs().Put(f.ctx, model.ConfigCookieKeys, cookieKeys), "Put cookie keys")

		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List secrets")
		wantEqual(t, got, []model.ApplicationSecret{{TenantID: tenantA, ApplicationID: app.ID, Name: secret.Name, Value: secret.Value, CreatedAt: secret.CreatedAt}}, "List secrets")
		for key, want := range map[string][]byte{model.ConfigPrivateKeys: privateKeys, model.ConfigCookieKeys: cookieKeys} {
			v, err := f.a.Configs().Get(f.ctx, key)
			mustOK(t, err, "Get "+key)
			wantEqual(t, string(canonicalJSON(t, v)), string(canonicalJSON(t, want)), "Get "+key)
		}

		if stored := r.value(rawSecret, tenantA, app.ID, secret.Name); strings.Contains(stored, secret.Value) {
			t.Fatalf("application_secrets.value holds the secret in clear: %q", stored)
		}
		for key, marker := range map[string]string{model.ConfigPrivateKeys: privateMarker, model.ConfigCookieKeys: cookieMarker} {
			stored := r.value(rawConfig, tenantA, key)
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
		r := rawOf(f)
		victim, attacker := f.newApp(f.a, "Victim"), f.newApp(f.a, "Attacker")
		for _, app := range []model.Application{victim, attacker} {
			mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "s", Value: ids.NewSecret(), CreatedAt: f.tick()}), "Create secret")
		}
		r.exec("UPDATE application_secrets SET value = ? WHERE tenant_id = ? AND application_id = ?",
			r.value(rawSecret, tenantA, victim.ID, "s"), tenantA, attacker.ID)
		if got, err := f.a.Secrets().List(f.ctx, attacker.ID); err == nil {
			t.Fatalf("a secret sealed for another application opened: %+v", got)
		}

		for _, tn := range []store.Tenant{f.a, f.b} {
			mustOK(t, tn.Configs().Put(f.ctx, model.ConfigCookieKeys, json.RawMessage(`[{"id":"c","value":"`+tn.ID()+`","createdAt":1}]`)), "Put cookie keys")
		}
		r.exec("UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ?", r.value(rawConfig, tenantA, model.ConfigCookieKeys), tenantB, model.ConfigCookieKeys)
		if got, err := f.b.Configs().Get(f.ctx, model.ConfigCookieKeys); err == nil {
			t.Fatalf("tenant A's cookie keys opened in tenant B: %s", got)
		}
	})

	// During a rolling upgrade a node of the previous version still writes in clear; those rows
	// must keep working until the next start seals them.
	t.Run("a value stored in clear is still read", func(t *testing.T) {
		f := newFixture(t, open)
		r := rawOf(f)
		app := f.newApp(f.a, "Worker")
		mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "s", Value: "sealed", CreatedAt: f.tick()}), "Create secret")
		r.exec("UPDATE application_secrets SET value = ? WHERE tenant_id = ? AND application_id = ?", "legacy-plaintext", tenantA, app.ID)
		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, got[0].Value, "legacy-plaintext", "plaintext value")

		legacy := `[{"id":"c","value":"legacy-cookie","createdAt":1}]`
		mustOK(t, f.a.Configs().Put(f.ctx, model.ConfigCookieKeys, json.RawMessage(`[]`)), "Put cookie keys")
		r.exec("UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ?", legacy, tenantA, model.ConfigCookieKeys)
		v, err := f.a.Configs().Get(f.ctx, model.ConfigCookieKeys)
		mustOK(t, err, "Get")
		wantEqual(t, string(canonicalJSON(t, v)), string(canonicalJSON(t, json.RawMessage(legacy))), "plaintext config")
	})
}
