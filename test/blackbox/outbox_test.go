package blackbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issue 8: webhooks that are never lost.

// delivery is one request a receiver got.
type delivery struct {
	event, sig string
	body       []byte
}

// receiver is a webhook endpoint on a fixed port that can be down (not listening), answer
// errors, or behave like LobeChat.
type receiver struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	got  []delivery
	ln   net.Listener
	srv  *http.Server
	// answer gives the status for the n-th request (1-based) and its body.
	answer func(n int, d delivery) (int, string)
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		answer: func(int, delivery) (int, string) { return 200, "ok" }}
	t.Cleanup(r.down)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/api/webhooks/logto" }

func (r *receiver) up() {
	r.t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		r.t.Fatal(err)
	}
	r.ln, r.srv = ln, &http.Server{Handler: http.HandlerFunc(r.serve)}
	go func() { _ = r.srv.Serve(ln) }()
}

func (r *receiver) down() {
	if r.srv != nil {
		_ = r.srv.Close()
		r.srv = nil
	}
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var p struct{ Event string }
	_ = json.Unmarshal(body, &p)
	d := delivery{event: p.Event, sig: req.Header.Get("logto-signature-sha-256"), body: body}
	r.mu.Lock()
	r.got = append(r.got, d)
	status, text := r.answer(len(r.got), d)
	r.mu.Unlock()
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor polls cond for up to 90 s (a delivery claimed by a killed node waits out its 30 s
// lease; CI machines are slow).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// admin is a node with a Management API token.
type admin struct {
	t          *testing.T
	n          *node
	token      string
	id, secret string
}

func newAdmin(t *testing.T, n *node) *admin {
	a := &admin{t: t}
	a.id, a.secret = createM2M(t, n.dir, n.env, "webhook-admin")
	a.use(n)
	return a
}

// use points the admin at n with a token n issued.
func (a *admin) use(n *node) {
	a.t.Helper()
	tok, err := m2mToken(a.t, n.base, a.id, a.secret)
	if err != nil {
		a.t.Fatal(err)
	}
	a.n, a.token = n, tok
}

func (a *admin) call(method, path string, body, out any, want int) {
	a.t.Helper()
	if code := apiCall(a.t, method, a.n.base+path, a.token, body, out); code != want {
		a.t.Fatalf("%s %s = %d; want %d", method, path, code, want)
	}
}

type hook struct {
	ID, SigningKey string
}

func (a *admin) newHook(url string, events ...string) hook {
	var h hook
	a.call("POST", "/api/hooks", map[string]any{"name": "receiver", "events": events, "config": map[string]any{"url": url}}, &h, 201)
	if len(h.SigningKey) != 32 {
		a.t.Fatalf("signingKey = %q; want 32 characters", h.SigningKey)
	}
	return h
}

func (a *admin) newUser(username string) string {
	var u struct{ ID string }
	a.call("POST", "/api/users", map[string]any{"username": username}, &u, 200)
	return u.ID
}

type outboxRow struct {
	ID, Event, Status, LastError string
	Attempts                     int
	LastResponseStatus           *int
}

// outbox lists the hook's deliveries in status (all when ""), every page.
func (a *admin) outbox(hookID, status string) []outboxRow {
	a.t.Helper()
	var all []outboxRow
	for page := 1; ; page++ {
		var rows []outboxRow
		a.call("GET", fmt.Sprintf("/api/hooks/%s/deliveries?page=%d&page_size=100&status=%s", hookID, page, status), nil, &rows, 200)
		all = append(all, rows...)
		if len(rows) < 100 {
			return all
		}
	}
}

// lobeChat verifies a delivery the way LobeChat's /api/webhooks/logto does (raw body, HMAC-SHA256
// hex, string equality) and reads what it reads; it answers 400 like LobeChat otherwise.
func lobeChat(key string, seen func(event string, data map[string]any)) func(int, delivery) (int, string) {
	return func(_ int, d delivery) (int, string) {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(d.body)
		if hex.EncodeToString(m.Sum(nil)) != d.sig {
			return 400, `{"error":"webhook verification failed or payload was malformed"}`
		}
		var p struct {
			Event string
			Data  map[string]any
		}
		if json.Unmarshal(d.body, &p) != nil {
			return 400, `{"error":"webhook verification failed or payload was malformed"}`
		}
		switch p.Event {
		case "User.Data.Updated", "User.SuspensionStatus.Updated":
			seen(p.Event, p.Data)
			return 200, `{"message":"ok"}`
		}
		return 400, "unrecognised payload type"
	}
}

// topKeys lists a JSON object's keys in order.
func topKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestLobeChatReceiver(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	a := newAdmin(t, n)
	rcv := newReceiver(t)
	rcv.up()
	h := a.newHook(rcv.url(), "User.Data.Updated", "User.SuspensionStatus.Updated")
	var mu sync.Mutex
	seen := map[string][]map[string]any{} // by event: the worker sends up to 10 at once, in any order
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen["User.Data.Updated"]) + len(seen["User.SuspensionStatus.Updated"])
	}
	record := func(event string, d map[string]any) { mu.Lock(); seen[event] = append(seen[event], d); mu.Unlock() }
	rcv.answer = lobeChat(h.SigningKey, record)

	id := a.newUser("lobe_user")
	a.call("PATCH", "/api/users/"+id, map[string]any{"name": "Lobe User", "avatar": "https://img.example.com/a.png?size=64&v=2",
		"primaryEmail": "lobe@example.com"}, nil, 200)
	a.call("PATCH", "/api/users/"+id+"/is-suspended", map[string]any{"isSuspended": true}, nil, 200)
	waitFor(t, "two verified deliveries", func() bool { return count() == 2 })

	if d := seen["User.Data.Updated"][0]; d["id"] != id || d["name"] != "Lobe User" || d["avatar"] != "https://img.example.com/a.png?size=64&v=2" || d["primaryEmail"] != "lobe@example.com" {
		t.Errorf("User.Data.Updated data = %v", d)
	}
	if d := seen["User.SuspensionStatus.Updated"][0]; d["isSuspended"] != true {
		t.Errorf("User.SuspensionStatus.Updated data = %v", d)
	}
	var first delivery
	for _, d := range rcv.deliveries() {
		if d.event == "User.Data.Updated" {
			first = d
		}
	}
	want := "event,createdAt,userAgent,ip,path,method,status,params,matchedRoute,data,hookId"
	if got := strings.Join(topKeys(t, first.body), ","); got != want {
		t.Errorf("payload keys = %s; want %s", got, want)
	}
	var p struct {
		Path, Method, MatchedRoute, HookID string
		Status                             int
		Params                             map[string]string
	}
	_ = json.Unmarshal(first.body, &p)
	if p.Path != "/users/"+id || p.Method != "PATCH" || p.MatchedRoute != "/users/:userId" || p.Status != 200 || p.Params["userId"] != id || p.HookID != h.ID {
		t.Errorf("payload route = %+v", p)
	}
	// The outbox shows the body byte for byte as it was sent and signed (no re-escaping of &).
	for _, row := range a.outbox(h.ID, "delivered") {
		if row.Event != "User.Data.Updated" {
			continue
		}
		var one struct{ Body json.RawMessage }
		a.call("GET", "/api/hooks/"+h.ID+"/deliveries/"+row.ID, nil, &one, 200)
		if !bytes.Equal(one.Body, first.body) || !bytes.Contains(first.body, []byte("size=64&v=2")) {
			t.Errorf("stored body\n%s\nsent body\n%s", one.Body, first.body)
		}
	}

	// A new signing key signs the next delivery; LobeChat with the new key accepts it.
	var rotated hook
	a.call("PATCH", "/api/hooks/"+h.ID+"/signing-key", nil, &rotated, 200)
	rcv.mu.Lock()
	rcv.answer = lobeChat(rotated.SigningKey, record)
	rcv.mu.Unlock()
	a.call("PATCH", "/api/users/"+id+"/is-suspended", map[string]any{"isSuspended": false}, nil, 200)
	waitFor(t, "a delivery signed with the new key", func() bool { return count() == 3 })

	// A disabled hook gets nothing queued, so nothing can be sent.
	a.call("PATCH", "/api/hooks/"+h.ID, map[string]any{"enabled": false}, nil, 200)
	a.call("PATCH", "/api/users/"+id, map[string]any{"name": "Not Sent"}, nil, 200)
	if got := len(a.outbox(h.ID, "")); got != 3 {
		t.Errorf("a disabled hook got %d deliveries; want the 3 from before", got)
	}

	var stats []struct {
		ID             string
		ExecutionStats struct{ RequestCount, SuccessCount int }
	}
	a.call("GET", "/api/hooks?includeExecutionStats=true", nil, &stats, 200)
	if len(stats) != 1 || stats[0].ExecutionStats.RequestCount != 3 || stats[0].ExecutionStats.SuccessCount != 3 {
		t.Errorf("executionStats = %+v; want 3 of 3", stats)
	}
	var recent []struct{ Key string }
	a.call("GET", "/api/hooks/"+h.ID+"/recent-logs", nil, &recent, 200)
	if len(recent) != 3 || recent[0].Key != "TriggerHook.User.SuspensionStatus.Updated" {
		t.Errorf("recent logs = %+v", recent)
	}
	var userLogs []struct{ Key string }
	a.call("GET", "/api/users/"+id+"/logs", nil, &userLogs, 200)
	keys := map[string]int{}
	for _, l := range userLogs {
		keys[l.Key]++
	}
	if keys["User.Data.Updated"] != 2 || keys["User.SuspensionStatus.Updated"] != 2 || keys["User.Created"] != 1 {
		t.Errorf("user's audit entries = %v", keys)
	}
	checkNoSecretsInLogs(t, a, id)
}

// checkNoSecretsInLogs sets a password and reads every audit entry: no password, client secret or
// token appears in any of them.
func checkNoSecretsInLogs(t *testing.T, a *admin, userID string) {
	const password = "correct horse battery staple 42"
	a.call("PATCH", "/api/users/"+userID+"/password", map[string]any{"password": password}, nil, 200)
	// Token exchanges are audited in batches written a moment later (package audit): wait for
	// the entry, then read every entry.
	var raw []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest("GET", a.n.base+"/api/logs?page_size=100", nil)
		req.Header.Set("Authorization", "Bearer "+a.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(raw), "ExchangeTokenBy.ClientCredentials") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the token exchange was not audited: %s", raw)
		}
	}
	for _, secret := range []string{password, a.token, a.token[len(a.token)-20:]} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("an audit entry holds a secret (%q…)", secret[:8])
		}
	}
}

// Committed events survive a SIGKILL: the receiver is down, the server is killed with events
// pending, and after a restart every one of them arrives.
func TestWebhooksSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	env := []string{"DB_URL=sqlite:" + filepath.Join(dir, "gh.db"), "GATEHOUSE_WEBHOOK_RETRY_BASE_MS=200", "GATEHOUSE_WEBHOOK_MAX_ATTEMPTS=50"}
	n := startNode(t, dir, env...)
	a := newAdmin(t, n)
	rcv := newReceiver(t) // down: nothing listens yet
	h := a.newHook(rcv.url(), "User.Data.Updated")
	id := a.newUser("survivor")
	const events = 20
	for i := range events {
		a.call("PATCH", "/api/users/"+id, map[string]any{"name": "name-" + strconv.Itoa(i)}, nil, 200)
	}
	n.kill() // SIGKILL: no shutdown, no flush

	n2 := startNode(t, dir, env...)
	a.use(n2)
	if pending := a.outbox(h.ID, "pending"); len(pending) != events {
		t.Fatalf("after the restart %d deliveries are pending; want %d", len(pending), events)
	}
	rcv.up()
	waitFor(t, "every event after the restart", func() bool { return len(distinctNames(rcv.deliveries())) == events })
	waitFor(t, "every delivery marked delivered", func() bool { return len(a.outbox(h.ID, "delivered")) == events })
}

func distinctNames(ds []delivery) map[string]bool {
	names := map[string]bool{}
	for _, d := range ds {
		var p struct{ Data struct{ Name string } }
		if json.Unmarshal(d.body, &p) == nil && p.Data.Name != "" {
			names[p.Data.Name] = true
		}
	}
	return names
}

// A receiver that fails for a while gets everything once it is back, each delivery with the same
// bytes and signature on every attempt.
func TestReceiverDownThenBack(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, "GATEHOUSE_WEBHOOK_RETRY_BASE_MS=200")
	a := newAdmin(t, n)
	rcv := newReceiver(t)
	rcv.answer = func(n int, _ delivery) (int, string) {
		if n <= 6 {
			return 503, "restarting"
		}
		return 200, "ok"
	}
	rcv.up()
	h := a.newHook(rcv.url(), "User.Data.Updated")
	id := a.newUser("patient")
	for i := range 3 {
		a.call("PATCH", "/api/users/"+id, map[string]any{"name": "n" + strconv.Itoa(i)}, nil, 200)
	}
	waitFor(t, "some failed attempts", func() bool {
		for _, r := range a.outbox(h.ID, "pending") {
			if r.Attempts >= 2 && r.LastError != "" && r.LastResponseStatus != nil && *r.LastResponseStatus == 503 {
				return true
			}
		}
		return false
	})
	waitFor(t, "all three delivered", func() bool { return len(a.outbox(h.ID, "delivered")) == 3 })
	byName := map[string][]delivery{}
	for _, d := range rcv.deliveries() {
		for name := range distinctNames([]delivery{d}) {
			byName[name] = append(byName[name], d)
		}
	}
	if len(byName) != 3 {
		t.Fatalf("events received = %d; want 3", len(byName))
	}
	for name, ds := range byName {
		for _, d := range ds[1:] {
			if !bytes.Equal(d.body, ds[0].body) || d.sig != ds[0].sig {
				t.Errorf("%s: attempts sent different bytes or signatures", name)
			}
		}
	}
}

// A receiver that always fails is retried up to the limit; the delivery is then dead, listed as
// such, and a manual redeliver sends it again.
func TestDeadLetterAfterLimit(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir, "GATEHOUSE_WEBHOOK_RETRY_BASE_MS=200", "GATEHOUSE_WEBHOOK_MAX_ATTEMPTS=3")
	a := newAdmin(t, n)
	rcv := newReceiver(t)
	failing := true
	rcv.answer = func(int, delivery) (int, string) {
		if failing {
			return 500, "boom"
		}
		return 200, "ok"
	}
	rcv.up()
	h := a.newHook(rcv.url(), "User.Data.Updated")
	id := a.newUser("doomed")
	a.call("PATCH", "/api/users/"+id, map[string]any{"name": "x"}, nil, 200)
	waitFor(t, "a dead delivery", func() bool { return len(a.outbox(h.ID, "dead")) == 1 })
	dead := a.outbox(h.ID, "dead")[0]
	if got := len(rcv.deliveries()); got != 3 || dead.Attempts != 3 || dead.LastResponseStatus == nil || *dead.LastResponseStatus != 500 {
		t.Fatalf("dead after %d requests: %+v; want exactly 3 attempts ending on 500", got, dead)
	}
	rcv.mu.Lock()
	failing = false
	rcv.mu.Unlock()
	var again outboxRow
	a.call("POST", "/api/hooks/"+h.ID+"/deliveries/"+dead.ID+"/redeliver", nil, &again, 200)
	waitFor(t, "the redelivered delivery", func() bool { return len(a.outbox(h.ID, "delivered")) == 1 })
	ds := rcv.deliveries()
	if len(ds) != 4 || !bytes.Equal(ds[3].body, ds[0].body) {
		t.Fatalf("redelivery sent %d requests; want a 4th with the same body", len(ds))
	}
}

// Two nodes on one PostgreSQL drain one outbox: every event arrives exactly once.
func TestTwoNodesDrainWithoutDuplicates(t *testing.T) {
	dbURL := postgresDatabase(t)
	env := []string{"DB_URL=" + dbURL, "GATEHOUSE_MASTER_KEY=" + newMasterKey(), "ENDPOINT=https://auth.example.test"}
	n1 := startNode(t, t.TempDir(), env...)
	n2 := startNode(t, t.TempDir(), env...)
	a1 := newAdmin(t, n1)
	a2 := &admin{t: t, n: n2, token: a1.token} // one ENDPOINT, one issuer: the token is good on both
	rcv := newReceiver(t)
	rcv.up()
	h := a1.newHook(rcv.url(), "User.Data.Updated")
	id := a1.newUser("shared")
	const events = 120
	var wg sync.WaitGroup
	for w, a := range []*admin{a1, a2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < events; i += 2 {
				if code := apiCall(t, "PATCH", a.n.base+"/api/users/"+id, a.token, map[string]any{"name": "e" + strconv.Itoa(i)}, nil); code != 200 {
					t.Errorf("PATCH = %d", code)
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "every event", func() bool { return len(distinctNames(rcv.deliveries())) == events })
	waitFor(t, "the outbox drained", func() bool { return len(a1.outbox(h.ID, "delivered")) == events })
	if got := len(rcv.deliveries()); got != events {
		t.Fatalf("the receiver got %d requests for %d events: duplicates", got, events)
	}
}
