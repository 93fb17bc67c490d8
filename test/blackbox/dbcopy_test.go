package blackbox

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBCopySQLiteToPostgres moves a server from SQLite to PostgreSQL with `gatehouse db copy`:
// the PostgreSQL node, started with the SQLite master key, serves the same signing key, accepts
// the copied client's secret, finds the user, and reads the connector's sealed secret. A second
// copy into the now-used database is refused without --overwrite.
func TestDBCopySQLiteToPostgres(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	id, secret := createM2M(t, dir, n.env, "copier")
	tok, err := m2mToken(t, n.base, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	var user struct{ ID string }
	if code := apiCall(t, http.MethodPost, n.base+"/api/users", tok, map[string]any{"username": "ada", "password": "Analytical-1843"}, &user); code != http.StatusOK {
		t.Fatalf("create user: %d", code)
	}
	var conn struct{ ID string }
	if code := apiCall(t, http.MethodPost, n.base+"/api/connectors", tok, map[string]any{"connectorId": "github-universal",
		"config": map[string]string{"clientId": "gh", "clientSecret": "gh-secret"}}, &conn); code != http.StatusOK {
		t.Fatalf("create connector: %d", code)
	}
	var jwks struct{ Keys []struct{ Kid string } }
	getJSON(t, n.base+"/oidc/jwks", &jwks)
	if err := n.stop(); err != nil {
		t.Fatal(err)
	}

	key, err := os.ReadFile(filepath.Join(dir, "data", "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	pg := postgresDatabase(t)
	env := append(append([]string{}, n.env...), "GATEHOUSE_MASTER_KEY="+strings.TrimSpace(string(key)))
	if _, errOut, code := cli(t, dir, env, "db", "copy"); code != 2 || !strings.Contains(errOut, "--to is required") {
		t.Fatalf("db copy without --to: exit %d %q", code, errOut)
	}
	if _, errOut, code := cli(t, dir, env, "db", "copy", "--to", "mysql://x/y"); code == 0 || !strings.Contains(errOut, "unsupported database URL scheme") {
		t.Fatalf("db copy to a MySQL URL: exit %d %q", code, errOut)
	}
	out, errOut, code := cli(t, dir, env, "db", "copy", "--to", pg)
	if code != 0 || !strings.Contains(out, "users") || !strings.Contains(out, "Copied") {
		t.Fatalf("db copy: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := cli(t, dir, env, "db", "copy", "--to", pg); code != 2 || !strings.Contains(errOut, "--overwrite") {
		t.Fatalf("a second copy into a used database: exit %d %q", code, errOut)
	}

	p := startNode(t, t.TempDir(), "DB_URL="+pg, "GATEHOUSE_MASTER_KEY="+strings.TrimSpace(string(key)))
	var jwks2 struct{ Keys []struct{ Kid string } }
	getJSON(t, p.base+"/oidc/jwks", &jwks2)
	if len(jwks2.Keys) == 0 || jwks2.Keys[0].Kid != jwks.Keys[0].Kid {
		t.Fatalf("signing keys after the copy: %+v, before %+v", jwks2.Keys, jwks.Keys)
	}
	tok2, err := m2mToken(t, p.base, id, secret)
	if err != nil {
		t.Fatalf("the copied client's secret on PostgreSQL: %v", err)
	}
	if code := apiCall(t, http.MethodGet, p.base+"/api/users/"+user.ID, tok2, nil, nil); code != http.StatusOK {
		t.Fatalf("the copied user: %d", code)
	}
	var got struct{ Config map[string]string }
	if code := apiCall(t, http.MethodGet, p.base+"/api/connectors/"+conn.ID, tok2, nil, &got); code != http.StatusOK || got.Config["clientSecret"] != "gh-secret" {
		t.Fatalf("the copied connector: %d %+v", code, got.Config)
	}
	var created struct{ ID string }
	if code := apiCall(t, http.MethodPost, p.base+"/api/users", tok2, map[string]any{"username": "grace"}, &created); code != http.StatusOK {
		t.Fatalf("a new user after the copy (identity sequence moved on?): %d", code)
	}
}
