package blackbox

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"
)

// TestServeWithNothingConfigured is the README's first command: no environment at all.
func TestServeWithNothingConfigured(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)

	if _, err := os.Stat(filepath.Join(dir, "data", "gatehouse.db")); err != nil {
		t.Fatalf("serve did not create ./data/gatehouse.db: %v", err)
	}
	for _, want := range []string{n.base, n.admBase, n.base + "/oidc"} {
		if !strings.Contains(n.stdout.String(), want) {
			t.Errorf("start-up output does not mention %s:\n%s", want, n.stdout)
		}
	}
	for _, c := range []struct{ base string }{{n.base}, {n.admBase}} {
		var disc struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if code := getJSON(t, c.base+"/oidc/.well-known/openid-configuration", &disc); code != http.StatusOK {
			t.Fatalf("discovery status %d", code)
		}
		if disc.Issuer != c.base+"/oidc" {
			t.Errorf("issuer = %q, want %q", disc.Issuer, c.base+"/oidc")
		}
		var jwks struct {
			Keys []struct {
				Kty, Crv, Alg, Kid string
			} `json:"keys"`
		}
		if code := getJSON(t, disc.JWKSURI, &jwks); code != http.StatusOK || len(jwks.Keys) == 0 {
			t.Fatalf("jwks status %d keys %d", code, len(jwks.Keys))
		}
		if k := jwks.Keys[0]; k.Kty != "EC" || k.Crv != "P-384" || k.Alg != "ES384" || k.Kid == "" {
			t.Errorf("seeded key = %+v, want an EC P-384 ES384 key with a kid", k)
		}
		for _, probe := range []string{"/healthz", "/readyz"} {
			var st struct{ Status string }
			if code := getJSON(t, c.base+probe, &st); code != http.StatusOK || st.Status != "ok" {
				t.Errorf("%s%s = %d %q, want 200 ok", c.base, probe, code, st.Status)
			}
		}
	}
	// The user listener's / says what the server is.
	resp, err := http.Get(n.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), n.base+"/oidc/.well-known/openid-configuration") {
		t.Errorf("GET / = %d:\n%s", resp.StatusCode, page)
	}
	if err := n.stop(); err != nil {
		t.Fatalf("serve did not exit cleanly on SIGINT: %v\n%s", err, n.stderr)
	}
}

// TestMachineToMachineSQLite and TestMachineToMachinePostgres are the end-to-end story:
// bootstrap an M2M client from the CLI, get a token with x/oauth2, manage the server with it.
func TestMachineToMachineSQLite(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, "DB_URL=sqlite:"+filepath.Join(dir, "gh.db"))
	machineToMachine(t, n, n)

	// The node's metrics count what just happened.
	resp, err := http.Get(n.admBase + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`gatehouse_tokens_issued_total{grant="ClientCredentials"}`,
		`gatehouse_http_requests_total{method="POST",route="POST /oidc/token",status="200",tenant="default"}`,
		`gatehouse_webhook_queue_depth 0`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), want) {
			t.Errorf("GET /metrics (%d) lacks %s", resp.StatusCode, want)
		}
	}
}

func TestMachineToMachinePostgres(t *testing.T) {
	dbURL := postgresDatabase(t)
	// PostgreSQL needs a master key, the same on every node.
	key := "GATEHOUSE_MASTER_KEY=" + newMasterKey()
	// Two nodes on one fresh database, started at the same time: migrations run once under the
	// lock, both serve, and what one writes the other sees. Like nodes behind a load balancer they
	// share one public ENDPOINT, hence one issuer, so a token from either is good at both.
	type started struct {
		n   *node
		err error
	}
	ch := make(chan started, 2)
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		go func() {
			n, err := startNodeE(t, dir, "DB_URL="+dbURL, key,
				"ENDPOINT=https://auth.example.test", "ADMIN_ENDPOINT=https://admin.example.test")
			ch <- started{n, err}
		}()
	}
	first, second := <-ch, <-ch
	for _, s := range []started{first, second} {
		if s.err != nil {
			t.Fatal(s.err)
		}
	}
	a, b := first.n, second.n
	machineToMachine(t, a, b)
}

// machineToMachine creates the client through a's CLI environment and uses it on both nodes.
func machineToMachine(t *testing.T, a, b *node) {
	ctx := context.Background()
	id, secret := createM2M(t, a.dir, a.env, "provisioner")

	// The new client is usable on the other node too (the CLI wrote straight to the database).
	var token string
	deadline := time.Now().Add(5 * time.Second)
	for {
		cc := clientcredentials.Config{
			ClientID: id, ClientSecret: secret, TokenURL: b.base + "/oidc/token",
			Scopes:         []string{"all"},
			EndpointParams: map[string][]string{"resource": {"https://default.logto.app/api"}},
		}
		tok, err := cc.Token(ctx)
		if err == nil {
			token = tok.AccessToken
			if s, _ := tok.Extra("scope").(string); s != "all" {
				t.Fatalf("token scope = %q, want all", s)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("client_credentials on node b: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Manage applications with it, on node a.
	var apps []struct{ ID, Name, Type string }
	if code := apiCall(t, http.MethodGet, a.base+"/api/applications", token, nil, &apps); code != http.StatusOK {
		t.Fatalf("GET /api/applications = %d", code)
	}
	found := false
	for _, app := range apps {
		found = found || (app.ID == id && app.Name == "provisioner" && app.Type == "MachineToMachine")
	}
	if !found {
		t.Fatalf("GET /api/applications does not list the CLI-created app: %+v", apps)
	}

	// An API resource with a scope, a role holding it, a second M2M app with that role.
	var res struct{ ID, Indicator string }
	if code := apiCall(t, http.MethodPost, a.base+"/api/resources", token,
		map[string]any{"name": "Orders", "indicator": "https://orders.example.com"}, &res); code != http.StatusCreated {
		t.Fatalf("POST /api/resources = %d", code)
	}
	var scope struct{ ID string }
	if code := apiCall(t, http.MethodPost, a.base+"/api/resources/"+res.ID+"/scopes", token,
		map[string]any{"name": "read:orders", "description": "Read orders"}, &scope); code != http.StatusCreated {
		t.Fatalf("POST scopes = %d", code)
	}
	var role struct{ ID string }
	if code := apiCall(t, http.MethodPost, a.base+"/api/roles", token,
		map[string]any{"name": "order-reader", "description": "reads orders", "type": "MachineToMachine", "scopeIds": []string{scope.ID}}, &role); code != http.StatusOK {
		t.Fatalf("POST /api/roles = %d", code)
	}
	var worker struct{ ID, Secret string }
	if code := apiCall(t, http.MethodPost, a.base+"/api/applications", token,
		map[string]any{"name": "worker", "type": "MachineToMachine"}, &worker); code != http.StatusOK {
		t.Fatalf("POST /api/applications = %d", code)
	}
	if worker.Secret == "" {
		t.Fatalf("M2M application create response has no secret")
	}
	if code := apiCall(t, http.MethodPost, a.base+"/api/applications/"+worker.ID+"/roles", token,
		map[string]any{"roleIds": []string{role.ID}}, nil); code != http.StatusCreated {
		t.Fatalf("POST application roles = %d", code)
	}

	workerToken := func(base string) (string, error) {
		cc := clientcredentials.Config{
			ClientID: worker.ID, ClientSecret: worker.Secret, TokenURL: base + "/oidc/token",
			Scopes:         []string{"read:orders", "write:orders"},
			EndpointParams: map[string][]string{"resource": {res.Indicator}},
		}
		tok, err := cc.Token(ctx)
		if err != nil {
			return "", err
		}
		s, _ := tok.Extra("scope").(string)
		return s, nil
	}
	// On the node that wrote: at once. Only the granted scope survives.
	if s, err := workerToken(a.base); err != nil || s != "read:orders" {
		t.Fatalf("worker token on node a: scope %q, err %v; want read:orders", s, err)
	}
	// Remove the role through node a; node b must stop granting the scope within its freshness interval.
	if code := apiCall(t, http.MethodDelete, a.base+"/api/applications/"+worker.ID+"/roles/"+role.ID, token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE application role = %d", code)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		s, err := workerToken(b.base)
		if err == nil && s == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node b still grants %q (err %v) 5 s after the role was removed", s, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestBadConfigurationExitsWithOneLine(t *testing.T) {
	cases := []struct {
		env  string
		word string
	}{
		{"PORT=abc", "PORT"},
		{"ADMIN_PORT=70000", "ADMIN_PORT"},
		{"DB_URL=mysql://x", "DB_URL"},
		{"TRUST_PROXY_HEADER=maybe", "TRUST_PROXY_HEADER"},
		{"ENDPOINT=not a url", "ENDPOINT"},
		{"DATABASE_POOL_SIZE=-1", "DATABASE_POOL_SIZE"},
		{"HTTPS_CERT_PATH=/nonexistent.pem", "HTTPS_"},
		{"OIDC_PRIVATE_KEYS=garbage", "OIDC_PRIVATE_KEYS"},
		{"GATEHOUSE_MASTER_KEY=not-a-key", "GATEHOUSE_MASTER_KEY"},
		{"GATEHOUSE_MASTER_KEY_FILE=/nonexistent.key", "GATEHOUSE_MASTER_KEY_FILE"},
		// PostgreSQL without a master key is refused before connecting (nothing listens on port 1).
		{"DB_URL=postgres://gh:pw@127.0.0.1:1/gatehouse", "GATEHOUSE_MASTER_KEY"},
	}
	for _, c := range cases {
		t.Run(c.env, func(t *testing.T) {
			dir := t.TempDir()
			_, errOut, code := cli(t, dir, []string{"PATH=" + os.Getenv("PATH"), c.env}, "serve")
			if code != 2 {
				t.Fatalf("exit code %d, want 2; stderr: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.word) {
				t.Fatalf("want one line naming %s, got:\n%s", c.word, errOut)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Fatalf("stack trace in output:\n%s", errOut)
			}
		})
	}
}

func TestCLIVerbs(t *testing.T) {
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "DB_URL=sqlite:" + filepath.Join(dir, "gh.db")}

	// Every verb has --help.
	for _, verb := range [][]string{
		{}, {"serve"}, {"db"}, {"db", "seed"}, {"db", "alteration"}, {"db", "config"}, {"db", "config", "get"}, {"admin"}, {"admin", "reset-password"},
		{"db", "config", "rotate"}, {"app"}, {"app", "create"}, {"keys"}, {"keys", "generate-master"},
		{"keys", "rotate-master"}, {"version"},
	} {
		out, errOut, code := cli(t, dir, env, append(verb, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("gatehouse %s --help: exit %d, stdout %q stderr %q", strings.Join(verb, " "), code, out, errOut)
		}
	}

	if out, _, code := cli(t, dir, env, "version"); code != 0 || !strings.HasPrefix(out, "gatehouse ") {
		t.Errorf("version: %d %q", code, out)
	}

	// Seed: first time seeds, --swe skips, plain seed on a seeded database refuses.
	if out, errOut, code := cli(t, dir, env, "db", "seed", "--swe"); code != 0 || !strings.Contains(out, "Seeded") {
		t.Fatalf("db seed --swe on an empty database: %d %q %q", code, out, errOut)
	}
	if out, _, code := cli(t, dir, env, "db", "seed", "--swe"); code != 0 || !strings.Contains(out, "skipped") {
		t.Fatalf("second db seed --swe: %d %q", code, out)
	}
	if _, errOut, code := cli(t, dir, env, "db", "seed"); code != 1 || !strings.Contains(errOut, "--swe") {
		t.Fatalf("db seed on a seeded database: exit %d, %q; want 1 and a hint at --swe", code, errOut)
	}
	if out, _, code := cli(t, dir, env, "db", "seed", "--swe", "--encrypt-base-role"); code != 0 || !strings.Contains(out, "no per-tenant role") {
		t.Fatalf("--encrypt-base-role should be accepted and explained: %d %q", code, out)
	}

	// Alterations: all applied after seeding; deploy has nothing to do.
	out, _, code := cli(t, dir, env, "db", "alteration", "list")
	if code != 0 || !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
		t.Fatalf("alteration list: %d\n%s", code, out)
	}
	if out, _, code := cli(t, dir, env, "db", "alteration", "deploy"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("alteration deploy: %d %q", code, out)
	}
	// The LobeChat guide's upgrade line names a Logto version and chains the start with &&.
	if out, errOut, code := cli(t, dir, env, "db", "alteration", "deploy", "1.22.0"); code != 0 || !strings.Contains(out, "up to date") ||
		!strings.Contains(errOut, "apply themselves") {
		t.Fatalf("alteration deploy 1.22.0: %d %q %q; want 0 and a note that migrations apply themselves", code, out, errOut)
	}
	if _, _, code := cli(t, dir, env, "db", "alteration", "deploy", "next-please"); code != 2 {
		t.Fatalf("alteration deploy with a nonsense target: exit %d, want 2", code)
	}
	if _, _, code := cli(t, dir, env, "db", "alteration", "rollback"); code != 2 {
		t.Fatalf("alteration rollback without target: exit %d, want 2", code)
	}
	if _, _, code := cli(t, dir, env, "db", "alteration", "frobnicate"); code != 2 {
		t.Fatalf("unknown alteration action: exit %d, want 2", code)
	}

	// Config: get the keys; rotate private keys keeps the old one as Previous.
	out, _, code = cli(t, dir, env, "db", "config", "get", "oidc.privateKeys")
	if code != 0 || !strings.Contains(out, "Current") || !strings.Contains(out, "BEGIN PRIVATE KEY") {
		t.Fatalf("config get oidc.privateKeys: %d %q", code, out)
	}
	if _, errOut, code := cli(t, dir, env, "db", "config", "rotate", "oidc.privateKeys"); code != 0 {
		t.Fatalf("config rotate: %d %s", code, errOut)
	}
	out, _, _ = cli(t, dir, env, "db", "config", "get", "oidc.privateKeys")
	if !strings.Contains(out, "Current") || !strings.Contains(out, "Previous") {
		t.Fatalf("after rotate, want Current and Previous keys: %q", out)
	}
	if _, _, code := cli(t, dir, env, "db", "config", "rotate", "oidc.privateKeys", "--type", "dsa"); code != 2 {
		t.Fatalf("rotate --type dsa: exit %d, want 2", code)
	}

	// app create: bad type is a usage error; a public app prints no secret.
	if _, _, code := cli(t, dir, env, "app", "create", "--type", "Robot", "--name", "x"); code != 2 {
		t.Fatalf("app create --type Robot: exit %d, want 2", code)
	}
	if _, errOut, code := cli(t, dir, env, "app", "create", "--type", "MachineToMachine", "--name", "x", "--role", "no such role"); code == 0 || !strings.Contains(errOut, "no such role") {
		t.Fatalf("app create with an unknown role: exit %d, %q", code, errOut)
	}
	if _, _, code := cli(t, dir, env, "frobnicate"); code != 2 {
		t.Fatalf("unknown verb: exit %d, want 2", code)
	}
}
