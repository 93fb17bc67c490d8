package blackbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDeploymentKit starts Gatehouse exactly as a Compose file written for Logto does — `sh -c
// "npm run cli db seed -- --swe && npm start"`, through the image's npm/npx stand-ins
// (deploy/logto-compat) — behind Debian's Caddy running the repository's Caddyfile on
// non-standard ports, with TRUST_PROXY_HEADER and without ADMIN_ENDPOINT. Through Caddy:
// discovery names the public issuer, /readyz answers, the first admin is created and signs in to
// the console at Caddy's origin (no invalid_redirect_uri), and the LobeChat guide's upgrade line
// runs while the server is up.
func TestDeploymentKit(t *testing.T) {
	if _, err := exec.LookPath("caddy"); err != nil {
		t.Fatal("caddy is needed (apt install caddy)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binPath, filepath.Join(bin, "gatehouse")); err != nil {
		t.Fatal(err)
	}
	shims, _ := filepath.Abs("../../deploy/logto-compat")
	port, admPort, authSite, adminSite := freePort(t), freePort(t), freePort(t), freePort(t)
	endpoint, adminPublic := fmt.Sprintf("http://localhost:%d", authSite), fmt.Sprintf("http://localhost:%d", adminSite)
	env := []string{"PATH=" + shims + ":" + bin + ":/usr/bin:/bin", "HOME=" + dir, "DB_URL=sqlite:" + filepath.Join(dir, "gatehouse.db"),
		"PORT=" + strconv.Itoa(port), "ADMIN_PORT=" + strconv.Itoa(admPort), "ENDPOINT=" + endpoint, "TRUST_PROXY_HEADER=true"}

	startGroup(t, dir, env, "sh", "-c", "npm run cli db seed -- --swe && npm start")
	caddyEnv := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir, "CADDY_ADMIN=off",
		"AUTH_SITE="+endpoint, "ADMIN_SITE="+adminPublic, "GATEHOUSE_HOST=127.0.0.1",
		"GATEHOUSE_PORT="+strconv.Itoa(port), "GATEHOUSE_ADMIN_PORT="+strconv.Itoa(admPort))
	caddyfile, _ := filepath.Abs("../../Caddyfile")
	startGroup(t, dir, caddyEnv, "caddy", "run", "--config", caddyfile, "--adapter", "caddyfile")

	var disco struct{ Issuer string }
	waitFor(t, "discovery through Caddy (server log: "+filepath.Join(dir, "sh.log")+")", func() bool {
		resp, err := http.Get(endpoint + "/oidc/.well-known/openid-configuration")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	getJSON(t, endpoint+"/oidc/.well-known/openid-configuration", &disco)
	if disco.Issuer != endpoint+"/oidc" {
		t.Fatalf("issuer through Caddy %q, want %q", disco.Issuer, endpoint+"/oidc")
	}
	var ready struct{ Status string }
	if code := getJSON(t, endpoint+"/readyz", &ready); code != http.StatusOK || ready.Status != "ok" {
		t.Fatalf("/readyz through Caddy: %d %+v", code, ready)
	}

	// The console through Caddy's admin site, ADMIN_ENDPOINT unset: the sign-in stays on the
	// origin the browser used.
	br := newPageBrowser(t)
	where, page := br.follow("GET", adminPublic+"/console", nil, "")
	if where != adminPublic+"/console/welcome" {
		t.Fatalf("first visit through Caddy ended at %s", where)
	}
	where, signIn := br.follow("POST", where, url.Values{"csrf": {csrfIn(t, page)}, "username": {"root"},
		"password": {"Admin-passw0rd!"}, "confirm_password": {"Admin-passw0rd!"}}, "")
	if !strings.HasPrefix(where, adminPublic+"/sign-in") {
		t.Fatalf("after the welcome page: %s (want Caddy's origin)\n%s", where, signIn)
	}
	where, home := br.follow("POST", where, url.Values{"csrf": {csrfIn(t, signIn)}, "identifier": {"root"}, "password": {"Admin-passw0rd!"}}, "")
	if where != adminPublic+"/console" || !strings.Contains(home, "Signed in as root") {
		t.Fatalf("console sign-in through Caddy (admin site %s, admin port %d) ended at %s:\n%s", adminPublic, admPort, where, home)
	}

	// The LobeChat guide's upgrade line, while the server runs.
	up := exec.Command("sh", "-c", `npm run cli db seed -- --swe --encrypt-base-role && npx @logto/cli db alteration deploy 1.22.0`)
	up.Env, up.Dir = env, dir
	if out, err := up.CombinedOutput(); err != nil || !strings.Contains(string(out), "apply themselves") {
		t.Fatalf("upgrade line: %v\n%s", err, out)
	}
}

// startGroup starts a command in its own process group, stopped (SIGTERM, then SIGKILL) at the
// end of the test; its output goes to a log file in dir.
func startGroup(t *testing.T, dir string, env []string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Dir = env, dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.Create(filepath.Join(dir, filepath.Base(name)+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return cmd
}

// TestSharedPort serves both tenants on one port, told apart by host name (ADMIN_PORT = PORT,
// ADMIN_ENDPOINT on its own host), for platforms that route a single port: the admin host gets
// the console and the admin tenant's issuer, every other host the user tenant.
func TestSharedPort(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	user, admin := fmt.Sprintf("http://auth.example.test:%d", port), fmt.Sprintf("http://admin.example.test:%d", port)
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "PORT=" + strconv.Itoa(port), "ADMIN_PORT=" + strconv.Itoa(port),
		"ENDPOINT=" + user, "ADMIN_ENDPOINT=" + admin}
	startGroup(t, dir, env, binPath, "serve")
	// Every host name reaches this machine's port (as a platform's router would).
	dial := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial.DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", port))
	}}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	issuerAt := func(base string) string {
		var disco struct{ Issuer string }
		resp, err := client.Get(base + "/oidc/.well-known/openid-configuration")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		_ = json.NewDecoder(resp.Body).Decode(&disco)
		return disco.Issuer
	}
	waitFor(t, "the shared port", func() bool { return issuerAt(user) != "" })
	if got := issuerAt(user); got != user+"/oidc" {
		t.Fatalf("user host's issuer %q", got)
	}
	if got := issuerAt(admin); got != admin+"/oidc" {
		t.Fatalf("admin host's issuer %q", got)
	}
	resp, err := client.Get(admin + "/console")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/console/welcome" {
		t.Fatalf("the admin host's /console went to %q", loc)
	}
	if resp, err = client.Get(user + "/console"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the user host serves the console: %d", resp.StatusCode)
	}
}
