package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/testcert"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// server is the one gatehouse (behind Caddy) the tests in this package share.
var server struct {
	bin       string
	dir       string
	endpoint  string // https://localhost:<caddy port>, the public ENDPOINT
	direct    string // http://127.0.0.1:<port>, gatehouse itself
	admin     string // http://localhost:<admin port>, the admin listener (the console)
	caRoot    string // the root certificate of Caddy's site (trusted by every client)
	client    *http.Client
	mgmtToken string
	procs     []*exec.Cmd
}

func TestMain(m *testing.M) {
	code := 1
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup: "+err.Error())
	} else {
		code = m.Run()
	}
	for _, p := range server.procs {
		_ = p.Process.Signal(os.Interrupt)
		_, _ = p.Process.Wait()
	}
	if server.dir != "" {
		_ = os.RemoveAll(server.dir)
	}
	os.Exit(code)
}

// requireTools fails (never skips) when something the suite needs is missing; .ci/run installs it.
func requireTools() error {
	var missing []string
	for _, tool := range []string{"node", "caddy", "/usr/bin/python3", chromiumPath} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if _, err := os.Stat("node_modules/openid-client"); err != nil {
		missing = append(missing, "test/e2e/node_modules (run: npm ci --prefix test/e2e)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import authlib, requests").Run(); err != nil {
		missing = append(missing, "python3-authlib and python3-requests (apt)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing: %s (.ci/run installs them)", strings.Join(missing, ", "))
	}
	return nil
}

const chromiumPath = "/usr/bin/chromium"

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func setup() error {
	if err := requireTools(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gatehouse-e2e-")
	if err != nil {
		return err
	}
	server.dir = dir
	server.bin = os.Getenv("GATEHOUSE_BIN")
	if server.bin == "" {
		server.bin = filepath.Join(dir, "gatehouse")
		build := exec.Command("go", "build", "-o", server.bin, "github.com/gatehouse-id/gatehouse/cmd/gatehouse")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	var ports [4]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return err
		}
	}
	port, adminPort, httpsPort, httpPort := ports[0], ports[1], ports[2], ports[3]
	server.endpoint = fmt.Sprintf("https://localhost:%d", httpsPort)
	server.direct = fmt.Sprintf("http://127.0.0.1:%d", port)
	server.admin = fmt.Sprintf("http://localhost:%d", adminPort)

	// Caddy terminates TLS, as in the self-hosting guide's Caddyfile, with a certificate of the
	// harness's own CA: Caddy 2.6's internal issuance races its own storage cleaner at start
	// (it once deleted the certificate it was writing and retried a minute later, failing CI).
	certs, err := testcert.Write(dir, "localhost")
	if err != nil {
		return err
	}
	server.caRoot = certs.CA
	caddyfile := fmt.Sprintf(`{
	admin off
	http_port %d
	https_port %d
	storage file_system %s
}
https://localhost:%d {
	tls %s %s
	reverse_proxy 127.0.0.1:%d
}
`, httpPort, httpsPort, filepath.Join(dir, "caddy"), httpsPort, certs.Cert, certs.Key, port)
	if err := os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(caddyfile), 0o600); err != nil {
		return err
	}
	caddy := exec.Command("caddy", "run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile")
	caddy.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	caddyLog, _ := os.Create(filepath.Join(dir, "caddy.log"))
	caddy.Stdout, caddy.Stderr = caddyLog, caddyLog
	if err := caddy.Start(); err != nil {
		return fmt.Errorf("start caddy: %w", err)
	}
	server.procs = append(server.procs, caddy)

	env := append(os.Environ(),
		"DB_URL=sqlite:"+filepath.Join(dir, "gatehouse.db"),
		"PORT="+strconv.Itoa(port), "ADMIN_PORT="+strconv.Itoa(adminPort),
		"ENDPOINT="+server.endpoint, "TRUST_PROXY_HEADER=true")
	gh := exec.Command(server.bin, "serve")
	gh.Env, gh.Dir = env, dir
	ghLog, _ := os.Create(filepath.Join(dir, "gatehouse.log"))
	gh.Stdout, gh.Stderr = ghLog, ghLog
	if err := gh.Start(); err != nil {
		return fmt.Errorf("start gatehouse: %w", err)
	}
	server.procs = append(server.procs, gh)

	// Wait for discovery through Caddy.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if pem, err := os.ReadFile(server.caRoot); err == nil {
			pool := x509.NewCertPool()
			if pool.AppendCertsFromPEM(pem) {
				server.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
				resp, err := server.client.Get(server.endpoint + "/oidc/.well-known/openid-configuration")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
				}
			}
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(filepath.Join(dir, "gatehouse.log"))
			clogs, _ := os.ReadFile(filepath.Join(dir, "caddy.log"))
			return fmt.Errorf("not ready behind Caddy after 30 s\ngatehouse:\n%s\ncaddy:\n%s", tail(logs), tail(clogs))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A Management API client, bootstrapped from the CLI as the README shows.
	cmd := exec.Command(server.bin, "app", "create", "--type", "MachineToMachine", "--name", "e2e-admin", "--role", "Logto Management API access")
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("app create: %w", err)
	}
	var created struct{ ID, Secret string }
	if err := json.Unmarshal(out, &created); err != nil {
		return fmt.Errorf("app create printed %q", out)
	}
	cc := clientcredentials.Config{
		ClientID: created.ID, ClientSecret: created.Secret, TokenURL: server.endpoint + "/oidc/token",
		Scopes: []string{"all"}, EndpointParams: url.Values{"resource": {"https://default.logto.app/api"}},
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, server.client)
	for {
		tok, err := cc.Token(ctx)
		if err == nil {
			server.mgmtToken = tok.AccessToken
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("management token: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// api calls the Management API through Caddy and decodes the answer into out.
func api(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, server.endpoint+"/api"+path, r)
	req.Header.Set("Authorization", "Bearer "+server.mgmtToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := server.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s /api%s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s /api%s: decode %s: %v", method, path, raw, err)
		}
	}
}

// testApp is a Traditional web app registered for one client library.
type testApp struct{ ID, Secret string }

func createApp(t *testing.T, name string, redirect, postLogout []string, custom map[string]any) testApp {
	t.Helper()
	if redirect == nil {
		redirect = []string{}
	}
	if postLogout == nil {
		postLogout = []string{}
	}
	body := map[string]any{
		"name": name, "type": "Traditional",
		"oidcClientMetadata": map[string]any{"redirectUris": redirect, "postLogoutRedirectUris": postLogout},
	}
	if custom != nil {
		body["customClientMetadata"] = custom
	}
	var app struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	api(t, http.MethodPost, "/applications", body, &app)
	if app.Secret == "" {
		var secrets []struct{ Value string }
		api(t, http.MethodGet, "/applications/"+app.ID+"/secrets", nil, &secrets)
		if len(secrets) == 0 {
			t.Fatal("the new Traditional app has no secret")
		}
		app.Secret = secrets[0].Value
	}
	return testApp{app.ID, app.Secret}
}

// testUser is a user with a username, password, email, name and avatar.
type testUser struct{ ID, Username, Password, Email, Name, Avatar string }

func createUser(t *testing.T, username string) testUser {
	t.Helper()
	u := testUser{
		Username: username, Password: "Correct-Horse-7-" + username,
		Email: username + "@example.com", Name: "User " + username, Avatar: "https://example.com/" + username + ".png",
	}
	var created struct{ ID string }
	api(t, http.MethodPost, "/users", map[string]any{
		"username": u.Username, "password": u.Password, "primaryEmail": u.Email, "name": u.Name, "avatar": u.Avatar,
	}, &created)
	u.ID = created.ID
	return u
}

// runScript runs a client-library script with env and decodes the JSON line it prints.
func runScript(t *testing.T, out any, name string, args []string, env map[string]string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+server.caRoot, "REQUESTS_CA_BUNDLE="+server.caRoot, "SSL_CERT_FILE="+server.caRoot)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s %v failed: %v\nstdout:\n%s\nstderr:\n%s\ngatehouse log tail:\n%s", name, args, err, stdout.String(), stderr.String(), serverLogTail())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("%s %v did not finish in 2 minutes\nstderr:\n%s", name, args, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		t.Fatalf("%s printed %q: %v", name, stdout.String(), err)
	}
}

func serverLogTail() string {
	b, _ := os.ReadFile(filepath.Join(server.dir, "gatehouse.log"))
	return tail(b)
}
