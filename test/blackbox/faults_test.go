package blackbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// privatePostgres starts a PostgreSQL cluster of this test alone (scripts/testpg in its own
// directory), which the test may take away and bring back; it returns the DB_URL and the
// script's environment.
func privatePostgres(t *testing.T) (string, []string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "gatehouse-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../../scripts/testpg")
	env := append(os.Environ(), "GATEHOUSE_TESTPG_DIR="+dir)
	run := func(verb string) string {
		cmd := exec.Command(script, verb)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("testpg %s: %v", verb, err)
		}
		return string(out)
	}
	out := run("start")
	t.Cleanup(func() { run("stop") })
	_, dsn, ok := strings.Cut(strings.TrimSpace(out), "=")
	if !ok {
		t.Fatalf("testpg printed %q", out)
	}
	return dsn, env
}

// load sends a steady mix of requests — users created through the Management API (writes), a
// user list (reads), client_credentials tokens — from four workers, and records every answer.
type load struct {
	t          *testing.T
	base       string
	token      string
	id, secret string
	mu         sync.Mutex
	statuses   map[int]int // status → count
	slowest    time.Duration
	created    []string // user ids whose creation was acknowledged (201)
	stop       chan struct{}
	wg         sync.WaitGroup
}

func (l *load) record(status int, took time.Duration, createdID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses[status]++
	l.slowest = max(l.slowest, took)
	if createdID != "" {
		l.created = append(l.created, createdID)
	}
}

func (l *load) run(workers int) {
	client := &http.Client{Timeout: 60 * time.Second}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				l.once(client, fmt.Sprintf("w%d_%d", w, i), i%3)
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
}

// once sends one request of kind 0 (create a user), 1 (list users) or 2 (a token).
func (l *load) once(client *http.Client, name string, kind int) {
	var req *http.Request
	switch kind {
	case 0:
		body, _ := json.Marshal(map[string]string{"username": "u_" + name})
		req, _ = http.NewRequest(http.MethodPost, l.base+"/api/users", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+l.token)
	case 1:
		req, _ = http.NewRequest(http.MethodGet, l.base+"/api/users?page_size=5", nil)
		req.Header.Set("Authorization", "Bearer "+l.token)
	default:
		form := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://default.logto.app/api"}, "scope": {"all"}}
		req, _ = http.NewRequest(http.MethodPost, l.base+"/oidc/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(l.id, l.secret)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		l.record(-1, time.Since(start), "") // no answer at all (a killed server)
		return
	}
	var created struct{ ID string }
	if kind == 0 && resp.StatusCode == http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(&created)
	}
	resp.Body.Close()
	l.record(resp.StatusCode, time.Since(start), created.ID)
}

func (l *load) finish() {
	close(l.stop)
	l.wg.Wait()
}

func newLoad(t *testing.T, n *node) *load {
	id, secret := createM2M(t, n.dir, n.env, "load")
	tok, err := m2mToken(t, n.base, id, secret)
	if err != nil {
		t.Fatal(err)
	}
	return &load{t: t, base: n.base, token: tok, id: id, secret: secret, statuses: map[int]int{}, stop: make(chan struct{})}
}

// readyStatus is GET /readyz's status, -1 when nothing answers.
func readyStatus(base string) int {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(base + "/readyz")
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDatabaseOutage takes PostgreSQL away for 30 s under load: requests that need it get 503
// (never 500, never a hang), /readyz says so, and once it is back the same process serves
// again without a restart — every user whose creation was acknowledged, before or after, is
// there.
func TestDatabaseOutage(t *testing.T) {
	dsn, pgEnv := privatePostgres(t)
	n := startNode(t, t.TempDir(), "DB_URL="+dsn, "GATEHOUSE_MASTER_KEY="+newMasterKey())
	l := newLoad(t, n)
	l.run(4)
	time.Sleep(2 * time.Second)

	script, _ := filepath.Abs("../../scripts/testpg")
	pause := exec.Command(script, "pause")
	pause.Env = pgEnv
	if out, err := pause.CombinedOutput(); err != nil {
		t.Fatalf("pause PostgreSQL: %v %s", err, out)
	}
	outageStart := time.Now()
	sawNotReady := false
	for time.Since(outageStart) < 30*time.Second {
		sawNotReady = sawNotReady || readyStatus(n.base) == http.StatusServiceUnavailable
		time.Sleep(500 * time.Millisecond)
	}
	l.mu.Lock()
	during := l.statuses[http.StatusServiceUnavailable]
	l.mu.Unlock()
	resume := exec.Command(script, "start")
	resume.Env = pgEnv
	if out, err := resume.CombinedOutput(); err != nil {
		dir := strings.TrimPrefix(pgEnv[len(pgEnv)-1], "GATEHOUSE_TESTPG_DIR=")
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		t.Fatalf("bring PostgreSQL back: %v %s\n%s", err, out, log)
	}
	eventually(t, "/readyz after PostgreSQL is back", 30*time.Second, func() bool { return readyStatus(n.base) == http.StatusOK })
	l.mu.Lock()
	createdBefore := len(l.created)
	l.mu.Unlock()
	eventually(t, "a user created after the outage", 30*time.Second, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.created) > createdBefore
	})
	l.finish()

	t.Logf("answers: %v; slowest %v; users acknowledged %d; 503s during the outage %d", l.statuses, l.slowest, len(l.created), during)
	if !sawNotReady {
		t.Error("/readyz never reported the outage")
	}
	if during == 0 {
		t.Error("no request was answered 503 during the outage")
	}
	for status, count := range l.statuses {
		if status != http.StatusOK && status != http.StatusCreated && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d", count, status)
		}
	}
	if l.slowest > 15*time.Second {
		t.Errorf("a request took %v (the connect timeout is 10 s)", l.slowest)
	}
	for _, id := range l.created {
		if code := apiCall(t, http.MethodGet, n.base+"/api/users/"+id, l.token, nil, nil); code != http.StatusOK {
			t.Errorf("acknowledged user %s: GET answered %d", id, code)
		}
	}
}

// TestKillUnderWriteLoad kills the server (SIGKILL) while users are being created, on SQLite
// and on PostgreSQL: after a restart, every creation it acknowledged is there.
func TestKillUnderWriteLoad(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dir := t.TempDir()
			env := []string{"GATEHOUSE_MASTER_KEY=" + newMasterKey()}
			if db == "postgres" {
				env = append(env, "DB_URL="+postgresDatabase(t))
			}
			n := startNode(t, dir, env...)
			l := newLoad(t, n)
			l.run(6)
			time.Sleep(1500 * time.Millisecond)
			n.kill()
			l.finish()
			if len(l.created) == 0 {
				t.Fatal("no creation was acknowledged before the kill")
			}
			n2 := startNode(t, dir, env...)
			tok, err := m2mToken(t, n2.base, l.id, l.secret)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range l.created {
				if code := apiCall(t, http.MethodGet, n2.base+"/api/users/"+id, tok, nil, nil); code != http.StatusOK {
					t.Errorf("acknowledged user %s lost: GET answered %d", id, code)
				}
			}
			t.Logf("%d acknowledged creations, all present after SIGKILL", len(l.created))
		})
	}
}
