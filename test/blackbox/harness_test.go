package blackbox

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// binPath is the gatehouse binary under test: $GATEHOUSE_BIN (make check builds it) or one built
// here into a temporary directory.
var binPath string

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "blackbox: "+err.Error())
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	binPath = os.Getenv("GATEHOUSE_BIN")
	if binPath == "" {
		dir, err := os.MkdirTemp("", "gatehouse-bin-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "gatehouse")
		build := exec.Command("go", "build", "-o", binPath, "github.com/gatehouse-id/gatehouse/cmd/gatehouse")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 0, fmt.Errorf("build gatehouse: %w", err)
		}
	}
	return m.Run(), nil
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe to read while the process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// node is one running `gatehouse serve`.
type node struct {
	t              *testing.T
	cmd            *exec.Cmd
	dir            string
	env            []string
	port, admPort  int
	base, admBase  string
	stdout, stderr *syncBuffer
	done           chan error
	client         *http.Client // trusts the node's certificate when it serves TLS
}

// startNode runs `gatehouse serve` in dir with env (plus free PORT/ADMIN_PORT) and waits until
// discovery answers on both ports.
func startNode(t *testing.T, dir string, env ...string) *node {
	t.Helper()
	n, err := startNodeE(t, dir, env...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// startNodeE is startNode returning its failure, for callers on other goroutines (t.Fatal
// must only be called from the test's own goroutine).
func startNodeE(t *testing.T, dir string, env ...string) (*node, error) {
	n := &node{t: t, dir: dir, port: freePort(t), admPort: freePort(t), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	scheme := "http"
	n.client = http.DefaultClient
	for _, kv := range env {
		if cert, ok := strings.CutPrefix(kv, "HTTPS_CERT_PATH="); ok {
			pem, err := os.ReadFile(cert)
			if err != nil {
				return nil, err
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pem)
			scheme = "https"
			n.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		}
	}
	n.base = fmt.Sprintf("%s://localhost:%d", scheme, n.port)
	n.admBase = fmt.Sprintf("%s://localhost:%d", scheme, n.admPort)
	n.env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PORT=" + strconv.Itoa(n.port), "ADMIN_PORT=" + strconv.Itoa(n.admPort)}, env...)
	n.cmd = exec.Command(binPath, "serve")
	n.cmd.Dir, n.cmd.Env = dir, n.env
	n.cmd.Stdout, n.cmd.Stderr = n.stdout, n.stderr
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { n.done <- n.cmd.Wait() }()
	t.Cleanup(n.kill)
	deadline := time.Now().Add(30 * time.Second)
	for _, base := range []string{n.base, n.admBase} {
		for {
			resp, err := n.client.Get(base + "/oidc/.well-known/openid-configuration")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case err := <-n.done:
				n.done <- err
				return nil, fmt.Errorf("gatehouse serve exited early (%v)\nstdout:\n%s\nstderr:\n%s", err, n.stdout, n.stderr)
			default:
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("gatehouse serve not ready on %s after 30 s\nstderr:\n%s", base, n.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return n, nil
}

// stop sends SIGTERM and returns the exit error (nil for a clean exit).
func (n *node) stop() error {
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-n.done:
		n.done <- err
		return err
	case <-time.After(15 * time.Second):
		n.t.Fatal("gatehouse serve did not stop within 15 s of SIGINT")
		return nil
	}
}

func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	err := <-n.done
	n.done <- err
}

// cli runs a gatehouse verb with the node's environment and returns stdout, stderr and exit code.
func cli(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir, cmd.Env = dir, env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// createM2M creates a machine-to-machine app holding the Management API access role via the CLI.
func createM2M(t *testing.T, dir string, env []string, name string) (id, secret string) {
	t.Helper()
	out, errOut, code := cli(t, dir, env, "app", "create", "--type", "MachineToMachine", "--name", name, "--role", "Logto Management API access")
	if code != 0 {
		t.Fatalf("app create exited %d: %s", code, errOut)
	}
	var created struct{ ID, Secret string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.Secret == "" {
		t.Fatalf("app create printed %q, want {\"id\",\"secret\"}", out)
	}
	return created.ID, created.Secret
}

// apiCall performs a Management API request and decodes a JSON answer into out (if not nil).
func apiCall(t *testing.T, method, u, token string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, u, raw, err)
		}
	}
	return resp.StatusCode
}

// postgresDatabase creates a fresh database owned by a fresh ordinary role (no superuser, no
// CREATEROLE, no CREATEDB) and returns a DB_URL that logs in as that role; the server is the one
// make check started, or a throwaway cluster of this test process.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	return storetest.PostgresDatabase(t)
}

// newMasterKey returns a fresh GATEHOUSE_MASTER_KEY value (PostgreSQL nodes need one, shared).
func newMasterKey() string { return secretbox.GenerateMasterKey().Encode() }

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
	}
	return resp.StatusCode
}
