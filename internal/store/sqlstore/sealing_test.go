package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sealing"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// sealingDialects give each test a fresh database URL it may open several times.
var sealingDialects = []struct {
	name string
	url  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "data", "gatehouse.db") }},
	{"postgres", func(t *testing.T) string { return storetest.PostgresDatabase(t) }},
}

func openWith(t *testing.T, url string, key *secretbox.MasterKey) (*DB, error) {
	t.Helper()
	d, err := Open(t.Context(), url, Options{Migrate: true, MasterKey: key, PoolSize: 4})
	if err == nil {
		t.Cleanup(func() { _ = d.Close() })
	}
	return d, err
}

func mustOpenWith(t *testing.T, url string, key *secretbox.MasterKey) *DB {
	t.Helper()
	d, err := openWith(t, url, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return d
}

// secretFixture writes a tenant, an application with a secret and both key configs.
type secretFixture struct {
	appID, secret, cookieKeys string
	hook                      bool // a hook with hookKey was written
}

func writeSecrets(t *testing.T, d *DB) secretFixture {
	t.Helper()
	ctx := t.Context()
	f := secretFixture{appID: "app1", secret: "s3cret-0123456789", cookieKeys: `[{"id":"c1","value":"cookie-material","createdAt":1}]`}
	if err := d.CreateTenant(ctx, model.Tenant{ID: "default", Name: "Default", CreatedAt: 1}); err != nil {
		t.Fatal(err)
	}
	tn := d.Tenant("default")
	if err := tn.Applications().Create(ctx, model.Application{ID: f.appID, Name: "Worker", Type: model.AppMachineToMachine, CreatedAt: 1}); err != nil {
		t.Fatal(err)
	}
	if err := tn.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: f.appID, Name: "default", Value: f.secret, CreatedAt: 1}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{model.ConfigCookieKeys, model.ConfigPrivateKeys} {
		if err := tn.Configs().Put(ctx, key, json.RawMessage(f.cookieKeys)); err != nil {
			t.Fatal(err)
		}
	}
	hook := model.Hook{ID: "hook1", Events: []string{"User.Created"}, Config: model.HookConfig{URL: "https://h.example.com"},
		SigningKey: hookKey, Enabled: true, CreatedAt: 1}
	if err := tn.Hooks().Create(ctx, hook); err != nil {
		t.Fatal(err)
	}
	conn := model.Connector{ID: "conn1", ConnectorID: "oauth2", Config: json.RawMessage(`{"clientSecret":"` + hookKey + `"}`), CreatedAt: 1}
	if err := tn.Connectors().Create(ctx, conn); err != nil {
		t.Fatal(err)
	}
	f.hook = true
	return f
}

// hookKey is the fixture hook's signing key.
const hookKey = "hookSigningKey0123456789abcdefgh"

// checkReadable reads f back through the store API.
func checkReadable(t *testing.T, d *DB, f secretFixture) {
	t.Helper()
	secrets, err := d.Tenant("default").Secrets().List(t.Context(), f.appID)
	if err != nil || len(secrets) != 1 || secrets[0].Value != f.secret {
		t.Fatalf("secrets = %+v, %v; want the plaintext secret", secrets, err)
	}
	for _, key := range []string{model.ConfigCookieKeys, model.ConfigPrivateKeys} {
		v, err := d.Tenant("default").Configs().Get(t.Context(), key)
		if err != nil || !strings.Contains(string(v), "cookie-material") {
			t.Fatalf("config %s = %s, %v; want the plaintext value", key, v, err)
		}
	}
	if !f.hook {
		return
	}
	if h, err := d.Tenant("default").Hooks().Get(t.Context(), "hook1"); err != nil || h.SigningKey != hookKey {
		t.Fatalf("hook = %+v, %v; want the plaintext signing key", h, err)
	}
	if c, err := d.Tenant("default").Connectors().Get(t.Context(), "conn1"); err != nil || !strings.Contains(string(c.Config), hookKey) {
		t.Fatalf("connector = %+v, %v; want the plaintext config", c, err)
	}
}

// storedValues returns the raw stored secret and config values.
func storedValues(t *testing.T, d *DB) []string {
	t.Helper()
	c := sqlx.Conn{Postgres: d.postgres(), Runner: d.write}
	secrets, err := sealing.ListSecretValues(t.Context(), c, false)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := sealing.ListConfigValues(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range append(secrets, configs...) {
		out = append(out, v.Value)
	}
	var stored string
	if err := c.QueryRow(t.Context(), "SELECT signing_key FROM hooks WHERE id = ?", "hook1").Scan(&stored); err == nil {
		out = append(out, stored)
	}
	if err := c.QueryRow(t.Context(), "SELECT config FROM connectors WHERE id = ?", "conn1").Scan(&stored); err == nil {
		out = append(out, stored)
	}
	return out
}

func TestMasterKeyCheckAtOpen(t *testing.T) {
	for _, dc := range sealingDialects {
		t.Run(dc.name, func(t *testing.T) {
			url, key := dc.url(t), secretbox.GenerateMasterKey()
			d := mustOpenWith(t, url, key)
			f := writeSecrets(t, d)
			_ = d.Close()

			if _, err := openWith(t, url, secretbox.GenerateMasterKey()); !errors.Is(err, secretbox.ErrKeyMismatch) {
				t.Fatalf("Open with another master key: %v, want ErrKeyMismatch", err)
			}
			if _, err := openWith(t, url, nil); !errors.Is(err, sealing.ErrNoMasterKey) {
				t.Fatalf("Open without a master key on a sealed database: %v, want ErrNoMasterKey", err)
			}
			checkReadable(t, mustOpenWith(t, url, key), f)
		})
	}
}

// A database from before sealing (schema 00004, secrets in clear) is sealed at the next start,
// and the start after that finds nothing left to do.
func TestLegacyValuesAreSealedAtStart(t *testing.T) {
	for _, dc := range sealingDialects {
		t.Run(dc.name, func(t *testing.T) {
			url, key := dc.url(t), secretbox.GenerateMasterKey()
			writeLegacyDatabase(t, url)

			d := mustOpenWith(t, url, key)
			f := secretFixture{appID: "app1", secret: "legacy-s3cret", cookieKeys: `[{"id":"c1","value":"cookie-material","createdAt":1}]`}
			checkReadable(t, d, f)
			sealed := storedValues(t, d)
			for _, v := range sealed {
				if strings.Contains(v, "legacy-s3cret") || strings.Contains(v, "cookie-material") {
					t.Fatalf("value still in clear after the sweep: %q", v)
				}
			}
			_ = d.Close()

			again := mustOpenWith(t, url, key)
			if got := storedValues(t, again); strings.Join(got, "|") != strings.Join(sealed, "|") {
				t.Fatalf("a second start changed sealed values:\n%v\n%v", sealed, got)
			}
			checkReadable(t, again, f)
		})
	}
}

// writeLegacyDatabase builds what the previous version left: the schema up to 00004 and rows
// written in clear.
func writeLegacyDatabase(t *testing.T, url string) {
	t.Helper()
	dialect, target, err := parseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	driver := "pgx"
	if dialect == migrations.DialectSQLite {
		driver = "sqlite"
		_ = os.MkdirAll(filepath.Dir(target), 0o700)
	}
	db, err := sql.Open(driver, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.UpTo(t.Context(), db, dialect, 4); err != nil {
		t.Fatal(err)
	}
	c := sqlx.Conn{Postgres: dialect == migrations.DialectPostgres, Runner: db}
	cookies := `[{"id":"c1","value":"cookie-material","createdAt":1}]`
	for _, q := range []struct {
		query string
		args  []any
	}{
		{"INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)", []any{"default", "Default", 1}},
		{"INSERT INTO tenant_generations (tenant_id, generation) VALUES (?, 0)", []any{"default"}},
		{"INSERT INTO applications (tenant_id, id, name, type, oidc_client_metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			[]any{"default", "app1", "Worker", "MachineToMachine", `{"redirectUris":[],"postLogoutRedirectUris":[]}`, 1}},
		{"INSERT INTO application_secrets (tenant_id, application_id, name, value, created_at) VALUES (?, ?, ?, ?, ?)",
			[]any{"default", "app1", "default", "legacy-s3cret", 1}},
		{"INSERT INTO logto_configs (tenant_id, key, value) VALUES (?, ?, ?)", []any{"default", model.ConfigCookieKeys, cookies}},
		{"INSERT INTO logto_configs (tenant_id, key, value) VALUES (?, ?, ?)", []any{"default", model.ConfigPrivateKeys, cookies}},
	} {
		if _, err := c.Exec(t.Context(), q.query, q.args...); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
}

// Nodes starting at once on a fresh PostgreSQL database agree on one data key (SQLite is
// single-node: its first migration does not run twice at once).
func TestFirstDataKeyWithConcurrentStartsOnPostgres(t *testing.T) {
	{
		{
			url, key := storetest.PostgresDatabase(t), secretbox.GenerateMasterKey()
			const nodes = 4
			stores := make([]*DB, nodes)
			errs := make([]error, nodes)
			var wg sync.WaitGroup
			for i := range nodes {
				wg.Go(func() {
					stores[i], errs[i] = Open(t.Context(), url, Options{Migrate: true, MasterKey: key, PoolSize: 2})
				})
			}
			wg.Wait()
			for i := range nodes {
				if errs[i] != nil {
					t.Fatalf("node %d: %v", i, errs[i])
				}
				defer stores[i].Close()
			}
			keys, err := sealing.LoadDataKeys(t.Context(), sqlx.Conn{Postgres: stores[0].postgres(), Runner: stores[0].write}, false)
			if err != nil || len(keys) != 1 || !keys[0].Active {
				t.Fatalf("data keys = %+v, %v; want exactly one, active", keys, err)
			}
			f := writeSecrets(t, stores[0])
			for _, d := range stores {
				checkReadable(t, d, f)
			}
		}
	}
}

func TestRotateMasterKey(t *testing.T) {
	for _, dc := range sealingDialects {
		t.Run(dc.name, func(t *testing.T) {
			url, first, second, third := dc.url(t), secretbox.GenerateMasterKey(), secretbox.GenerateMasterKey(), secretbox.GenerateMasterKey()
			d := mustOpenWith(t, url, first)
			f := writeSecrets(t, d)
			before := storedValues(t, d)

			if _, err := d.RotateMasterKey(t.Context(), first, false); err == nil {
				t.Fatal("rotating to the current key succeeded")
			}
			rep, err := d.RotateMasterKey(t.Context(), second, false)
			if err != nil || rep.DataKeys != 1 || rep.NewDataKey != "" || rep.Resealed != 0 {
				t.Fatalf("RotateMasterKey = %+v, %v; want one data key rewrapped", rep, err)
			}
			checkReadable(t, d, f)
			if after := storedValues(t, d); strings.Join(after, "|") != strings.Join(before, "|") {
				t.Fatal("rewrapping the data keys changed sealed values")
			}
			_ = d.Close()
			if _, err := openWith(t, url, first); !errors.Is(err, secretbox.ErrKeyMismatch) {
				t.Fatalf("old master key after the rotation: %v, want ErrKeyMismatch", err)
			}

			d = mustOpenWith(t, url, second)
			checkReadable(t, d, f)
			rep, err = d.RotateMasterKey(t.Context(), third, true)
			if err != nil || rep.DataKeys != 1 || rep.NewDataKey == "" || rep.Resealed != 5 {
				t.Fatalf("RotateMasterKey with a new data key = %+v, %v; want 1 rewrapped and 5 values re-sealed", rep, err)
			}
			for _, v := range storedValues(t, d) {
				if !strings.Contains(v, secretbox.Prefix+rep.NewDataKey+":") {
					t.Fatalf("value %q is not sealed with the new data key %s", v, rep.NewDataKey)
				}
			}
			checkReadable(t, d, f)
			_ = d.Close()
			for _, old := range []*secretbox.MasterKey{first, second} {
				if _, err := openWith(t, url, old); !errors.Is(err, secretbox.ErrKeyMismatch) {
					t.Fatalf("retired master key opened the database: %v", err)
				}
			}
			d = mustOpenWith(t, url, third)
			checkReadable(t, d, f)
			keys, _ := sealing.LoadDataKeys(t.Context(), sqlx.Conn{Postgres: d.postgres(), Runner: d.write}, false)
			if len(keys) != 2 || keys[0].Active || !keys[1].Active || keys[1].ID != rep.NewDataKey {
				t.Fatalf("data keys after a data key rotation = %+v; want the old one retired and the new one active", keys)
			}
		})
	}
}

// Issue 6: the SQLite database, its WAL files and its directory are the owner's alone.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "gatehouse.db")
	d := mustOpenWith(t, "sqlite:"+path, secretbox.GenerateMasterKey())
	writeSecrets(t, d)
	want := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
	for p, mode := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
}

func TestSQLitePath(t *testing.T) {
	for url, want := range map[string]string{"sqlite:./data/g.db": "./data/g.db", "file:///var/g.db": "/var/g.db", "postgres://db/x": "", "nonsense": ""} {
		got, ok := SQLitePath(url)
		if got != want || ok != (want != "") {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q", url, got, ok, want)
		}
	}
}
