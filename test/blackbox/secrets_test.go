package blackbox

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"
	_ "modernc.org/sqlite" // reads the SQLite file under the stopped server

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// Issue 6: secrets are sealed at rest with a master key.

// m2mToken gets a Management API token for the client at base.
func m2mToken(t *testing.T, base, id, secret string) (string, error) {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: base + "/oidc/token",
		Scopes: []string{"all"}, EndpointParams: map[string][]string{"resource": {"https://default.logto.app/api"}}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// wantSecretsRoute checks GET /api/applications/:id/secrets still answers the plaintext secret.
func wantSecretsRoute(t *testing.T, n *node, token, id, secret string) {
	t.Helper()
	var secrets []struct{ Name, Value string }
	if code := apiCall(t, http.MethodGet, n.base+"/api/applications/"+id+"/secrets", token, nil, &secrets); code != http.StatusOK {
		t.Fatalf("GET secrets = %d", code)
	}
	if len(secrets) != 1 || secrets[0].Value != secret {
		t.Fatalf("GET secrets = %+v, want the plaintext secret", secrets)
	}
}

// wantOneLine checks a refused start: exit code 2 and one line holding every word.
func wantOneLine(t *testing.T, what, errOut string, code int, words ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 2 || len(lines) != 1 {
		t.Fatalf("%s: exit %d, stderr:\n%s\nwant exit 2 and one line", what, code, errOut)
	}
	for _, w := range words {
		if !strings.Contains(lines[0], w) {
			t.Fatalf("%s: %q does not say %q", what, lines[0], w)
		}
	}
}

func TestMasterKeyGeneratedOnFirstStart(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	keyPath := filepath.Join(dir, "data", "master.key")
	if got := strings.Count(n.stderr.String(), "generated a master key in "+keyPath); got != 1 || !strings.Contains(n.stderr.String(), "Back it up") {
		t.Fatalf("first start announced %s %d times, want once:\n%s", keyPath, got, n.stderr)
	}
	if _, err := secretbox.ReadKeyFile(keyPath); err != nil {
		t.Fatalf("master.key: %v", err)
	}
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "data", "gatehouse.db")
	for path, want := range map[string]os.FileMode{filepath.Join(dir, "data"): 0o700, keyPath: 0o600, db: 0o600, db + "-wal": 0o600, db + "-shm": 0o600} {
		st, err := os.Stat(path)
		if walFile := strings.HasSuffix(path, "-wal") || strings.HasSuffix(path, "-shm"); walFile && os.IsNotExist(err) {
			continue // SQLite removes the WAL files on a clean shutdown; checked while serving below
		}
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, st.Mode().Perm(), err, want)
		}
	}

	again := startNode(t, dir)
	if strings.Contains(again.stderr.String(), "generated") {
		t.Fatalf("second start announced a master key again:\n%s", again.stderr)
	}
	// While serving, SQLite's WAL files exist: owner-only too.
	for _, path := range []string{db + "-wal", db + "-shm"} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s while serving: %v (%v), want 0600", path, st.Mode().Perm(), err)
		}
	}
}

func TestWrongOrMissingMasterKeyIsRefused(t *testing.T) {
	dir := t.TempDir()
	dbURL := "DB_URL=sqlite:" + filepath.Join(dir, "gh.db")
	n := startNode(t, dir, dbURL, "GATEHOUSE_MASTER_KEY="+newMasterKey())
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + os.Getenv("PATH")

	_, errOut, code := cli(t, dir, []string{path, dbURL, "GATEHOUSE_MASTER_KEY=" + newMasterKey()}, "serve")
	wantOneLine(t, "another GATEHOUSE_MASTER_KEY", errOut, code, "GATEHOUSE_MASTER_KEY", "does not match the one this database was sealed with")

	keyFile := filepath.Join(dir, "other.key")
	if err := os.WriteFile(keyFile, []byte(newMasterKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = cli(t, dir, []string{path, dbURL, "GATEHOUSE_MASTER_KEY_FILE=" + keyFile}, "serve")
	wantOneLine(t, "another GATEHOUSE_MASTER_KEY_FILE", errOut, code, "GATEHOUSE_MASTER_KEY_FILE", keyFile, "does not match")

	// No key at all: the database's key file is missing, which is said as such, and no new key
	// file is left behind to hide it on the next start.
	_, errOut, code = cli(t, dir, []string{path, dbURL}, "serve")
	wantOneLine(t, "no master key", errOut, code, "GATEHOUSE_MASTER_KEY", filepath.Join(dir, "master.key"), "already holds secrets sealed")
	if _, err := os.Stat(filepath.Join(dir, "master.key")); !os.IsNotExist(err) {
		t.Fatalf("a refused start left a generated master.key: %v", err)
	}
}

func TestPostgresNodeWithAnotherMasterKeyIsRefused(t *testing.T) {
	dbURL := "DB_URL=" + postgresDatabase(t)
	startNode(t, t.TempDir(), dbURL, "GATEHOUSE_MASTER_KEY="+newMasterKey())
	_, errOut, code := cli(t, t.TempDir(), []string{"PATH=" + os.Getenv("PATH"), dbURL, "GATEHOUSE_MASTER_KEY=" + newMasterKey()}, "serve")
	wantOneLine(t, "second node with another key", errOut, code, "GATEHOUSE_MASTER_KEY", "does not match")
}

func TestRotateMasterKey(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "gh.db")
	oldKey, newKey := "GATEHOUSE_MASTER_KEY="+newMasterKey(), newMasterKey()
	n := startNode(t, dir, "DB_URL=sqlite:"+dbPath, oldKey)
	id, secret := createM2M(t, dir, n.env, "provisioner")
	token, err := m2mToken(t, n.base, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	wantSecretsRoute(t, n, token, id, secret)
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{dbPath, dbPath + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(secret)) {
			t.Fatalf("%s holds the client secret in clear", f)
		}
	}

	env := []string{"PATH=" + os.Getenv("PATH"), "DB_URL=sqlite:" + dbPath, oldKey, "GATEHOUSE_NEW_MASTER_KEY=" + newKey}
	out, errOut, code := cli(t, dir, env, "keys", "rotate-master")
	if code != 0 || !strings.Contains(out, "Rewrapped 1 data key") || !strings.Contains(out, "Set GATEHOUSE_MASTER_KEY to the new key") {
		t.Fatalf("keys rotate-master: exit %d\n%s%s", code, out, errOut)
	}

	_, errOut, code = cli(t, dir, []string{"PATH=" + os.Getenv("PATH"), "DB_URL=sqlite:" + dbPath, oldKey}, "serve")
	wantOneLine(t, "the old key after rotate-master", errOut, code, "GATEHOUSE_MASTER_KEY", "does not match")

	n = startNode(t, dir, "DB_URL=sqlite:"+dbPath, "GATEHOUSE_MASTER_KEY="+newKey)
	if token, err = m2mToken(t, n.base, id, secret); err != nil {
		t.Fatalf("client_credentials after the rotation: %v", err)
	}
	wantSecretsRoute(t, n, token, id, secret)
}

// A database written before sealing (secrets in clear) is sealed at the next start, and its
// clients keep authenticating with the same secrets.
func TestPlaintextSecretsAreSealedAtStart(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "gh.db")
	n := startNode(t, dir, "DB_URL=sqlite:"+dbPath)
	id, secret := createM2M(t, dir, n.env, "provisioner")
	cookies, _, code := cli(t, dir, n.env, "db", "config", "get", "oidc.cookieKeys")
	cookies = strings.TrimSpace(strings.TrimPrefix(cookies, "oidc.cookieKeys: "))
	if code != 0 || !strings.HasPrefix(cookies, "[") {
		t.Fatalf("db config get oidc.cookieKeys: %d %q", code, cookies)
	}
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}

	// What the previous version stored: the secret and the cookie keys in clear.
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rawValue := func(q string, args ...any) string {
		var v string
		if err := db.QueryRow(q, args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return v
	}
	const secretQ = "SELECT value FROM application_secrets WHERE application_id = ?"
	const cookiesQ = "SELECT value FROM logto_configs WHERE tenant_id = 'default' AND key = 'oidc.cookieKeys'"
	for _, q := range []struct {
		query string
		args  []any
	}{
		{"UPDATE application_secrets SET value = ? WHERE application_id = ?", []any{secret, id}},
		{"UPDATE logto_configs SET value = ? WHERE tenant_id = 'default' AND key = 'oidc.cookieKeys'", []any{cookies}},
	} {
		if _, err := db.Exec(q.query, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	if rawValue(secretQ, id) != secret {
		t.Fatal("the plaintext secret was not written")
	}

	n = startNode(t, dir, "DB_URL=sqlite:"+dbPath)
	if v := rawValue(secretQ, id); !strings.HasPrefix(v, secretbox.Prefix) || strings.Contains(v, secret) {
		t.Fatalf("after the start the secret is stored as %q, want it sealed", v)
	}
	if v := rawValue(cookiesQ); !strings.HasPrefix(v, `"`+secretbox.Prefix) {
		t.Fatalf("after the start the cookie keys are stored as %q, want them sealed", v)
	}
	token, err := m2mToken(t, n.base, id, secret)
	if err != nil {
		t.Fatalf("client_credentials with the formerly plaintext secret: %v", err)
	}
	wantSecretsRoute(t, n, token, id, secret)
	if out, _, _ := cli(t, dir, n.env, "db", "config", "get", "oidc.cookieKeys"); strings.TrimSpace(strings.TrimPrefix(out, "oidc.cookieKeys: ")) != cookies {
		t.Fatalf("cookie keys after sealing = %q, want %q", out, cookies)
	}
}
