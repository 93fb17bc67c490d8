package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

func TestSignMatchesAnIndependentHMAC(t *testing.T) {
	body := []byte(`{"event":"User.Data.Updated","hookId":"h1"}`)
	m := hmac.New(sha256.New, []byte("BJKn2P6InIuI47cgsYzQG5nfdbrG8mAQ"))
	m.Write(body)
	if got, want := Sign("BJKn2P6InIuI47cgsYzQG5nfdbrG8mAQ", body), hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("Sign = %s; want %s", got, want)
	}
	if Sign("k", body) == Sign("k", append([]byte(" "), body...)) {
		t.Fatal("the signature does not cover the exact bytes")
	}
}

var at = time.Date(2026, 12, 3, 10, 0, 0, 123_000_000, time.UTC)

func TestPayloadKeyOrder(t *testing.T) {
	api := model.Origin{IP: "203.0.113.7", UserAgent: "curl", Path: "/users/u1", Method: "PATCH", Status: 200,
		MatchedRoute: "/users/:userId", Params: []model.Param{{Name: "userId", Value: "u1"}}}
	desc := "d"
	for _, tc := range []struct {
		name string
		e    Event
		want string
	}{
		{"management data event", Event{Name: "User.Data.Updated", CreatedAt: at, Origin: api, Data: map[string]string{"id": "u1"}, HasData: true},
			`{"event":"User.Data.Updated","createdAt":"2026-12-03T10:00:00.123Z","userAgent":"curl","ip":"203.0.113.7","path":"/users/u1","method":"PATCH","status":200,"params":{"userId":"u1"},"matchedRoute":"/users/:userId","data":{"id":"u1"},"hookId":"h1"}`},
		{"User.Deleted puts data first", Event{Name: "User.Deleted", CreatedAt: at, Origin: api, Data: 1, HasData: true, DataFirst: true},
			`{"event":"User.Deleted","createdAt":"2026-12-03T10:00:00.123Z","userAgent":"curl","ip":"203.0.113.7","data":1,"path":"/users/u1","method":"PATCH","status":200,"params":{"userId":"u1"},"matchedRoute":"/users/:userId","hookId":"h1"}`},
		{"a 204 has no data", Event{Name: "Role.Deleted", CreatedAt: at, Origin: model.Origin{Path: "/roles/r", Method: "DELETE", Status: 204, MatchedRoute: "/roles/:id"}},
			`{"event":"Role.Deleted","createdAt":"2026-12-03T10:00:00.123Z","path":"/roles/r","method":"DELETE","status":204,"params":{},"matchedRoute":"/roles/:id","hookId":"h1"}`},
		{"interaction event", Event{Name: "PostSignIn", CreatedAt: at, UserID: "u1", User: map[string]string{"id": "u1"},
			Origin:      model.Origin{IP: "198.51.100.1", UserAgent: "Firefox", InteractionEvent: "SignIn", SessionID: "s1", ApplicationID: "a1"},
			Application: &Application{ID: "a1", Type: "Traditional", Name: "LobeChat", Description: &desc}},
			`{"event":"PostSignIn","interactionEvent":"SignIn","createdAt":"2026-12-03T10:00:00.123Z","sessionId":"s1","userAgent":"Firefox","userId":"u1","userIp":"198.51.100.1","user":{"id":"u1"},"application":{"id":"a1","type":"Traditional","name":"LobeChat","description":"d"},"hookId":"h1"}`},
		{"data event of a registration", Event{Name: "User.Created", CreatedAt: at, Data: 2, HasData: true,
			Origin: model.Origin{IP: "198.51.100.1", UserAgent: "Firefox", InteractionEvent: "Register", SessionID: "s1", ApplicationID: "a1"}},
			`{"event":"User.Created","createdAt":"2026-12-03T10:00:00.123Z","userAgent":"Firefox","interactionEvent":"Register","sessionId":"s1","applicationId":"a1","ip":"198.51.100.1","data":2,"hookId":"h1"}`},
		{"no HTML escaping, as JSON.stringify", Event{Name: "User.Data.Updated", CreatedAt: at, Origin: model.Origin{Path: "/users/u1", Method: "PATCH", Status: 200, MatchedRoute: "/users/:userId"},
			Data: map[string]string{"avatar": "https://cdn.example/a.png?size=64&v=<2>"}, HasData: true},
			`{"event":"User.Data.Updated","createdAt":"2026-12-03T10:00:00.123Z","path":"/users/u1","method":"PATCH","status":200,"params":{},"matchedRoute":"/users/:userId","data":{"avatar":"https://cdn.example/a.png?size=64&v=<2>"},"hookId":"h1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Payload(tc.e, "h1")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("payload\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestTestPayloadIsLogtos(t *testing.T) {
	var data struct {
		Event, HookID, Path string
		Data                map[string]string
	}
	if err := json.Unmarshal(TestPayload("h1", "User.Created", at), &data); err != nil {
		t.Fatal(err)
	}
	if data.Event != "User.Created" || data.HookID != "h1" || data.Path != "/fake-path/:id" || data.Data["result"] != "success" {
		t.Errorf("data test payload = %+v", data)
	}
	var inter struct {
		SessionID string
		User      struct{ ID, Username string }
	}
	body := TestPayload("h1", "PostSignIn", at)
	if err := json.Unmarshal(body, &inter); err != nil {
		t.Fatal(err)
	}
	if inter.SessionID != "fake-session-id" || inter.User.ID != "fake-id" || inter.User.Username != "fake-user" {
		t.Errorf("interaction test payload = %s", body)
	}
	if !strings.HasPrefix(string(body), `{"event":"PostSignIn","hookId":"h1","createdAt":`) {
		t.Errorf("test payload order = %s; want Logto's event, hookId, createdAt first", body)
	}
}

func TestEvents(t *testing.T) {
	for _, e := range []string{"User.Data.Updated", "PostSignIn", "Role.Scopes.Updated", "Grant.LimitExceeded"} {
		if !ValidEvent(e) {
			t.Errorf("%s refused", e)
		}
	}
	for _, e := range []string{"", "user.created", "TrustedDevice.Created", "User.Data.Updated "} {
		if ValidEvent(e) {
			t.Errorf("%q accepted", e)
		}
	}
}

type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func (s *seen) handler(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs, s.body = append(s.reqs, r), append(s.body, b)
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}
}

func TestSenderHeaders(t *testing.T) {
	var s seen
	srv := httptest.NewServer(s.handler(200))
	defer srv.Close()
	body := []byte(`{"event":"x"}`)
	res := NewSender(SenderOptions{}).Send(t.Context(), model.HookConfig{URL: srv.URL, Headers: map[string]string{
		"x-team": "blue", "User-Agent": "mine", SignatureHeader: "forged", "Content-Type": "text/plain"}}, "key", body)
	if !res.OK() || string(res.Body) != `{"ok":true}` {
		t.Fatalf("result = %+v", res)
	}
	r := s.reqs[0]
	if r.Method != http.MethodPost || r.Header.Get("X-Team") != "blue" || r.Header.Get("User-Agent") != "mine" {
		t.Errorf("headers = %v", r.Header)
	}
	if r.Header.Get(SignatureHeader) != Sign("key", body) || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("a custom header replaced the signature or the content type: %v", r.Header)
	}
	if string(s.body[0]) != string(body) {
		t.Errorf("body = %s", s.body[0])
	}
	res = NewSender(SenderOptions{}).Send(t.Context(), model.HookConfig{URL: srv.URL}, "", body)
	if !res.OK() || s.reqs[1].Header.Get(SignatureHeader) != "" || s.reqs[1].Header.Get("User-Agent") != UserAgent {
		t.Errorf("without a key: %+v %v", res, s.reqs[1].Header)
	}
}

func TestSenderRefusesAndBounds(t *testing.T) {
	sender := NewSender(SenderOptions{MaxResponseBytes: 10, Timeout: 200 * time.Millisecond})
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "example.com/x", "http://user:pw@example.com/"} {
		res := sender.Send(t.Context(), model.HookConfig{URL: u}, "k", nil)
		var perm *PermanentError
		if res.StatusCode != 0 || res.Err == nil || !asPermanent(res.Err, &perm) {
			t.Errorf("%s: %+v; want a permanent error and no request", u, res)
		}
	}
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("a", 1000)))
	}))
	defer big.Close()
	if res := sender.Send(t.Context(), model.HookConfig{URL: big.URL}, "k", nil); len(res.Body) != 10 || !res.OK() {
		t.Errorf("answer read = %d bytes; want the 10-byte limit", len(res.Body))
	}
	redirect := httptest.NewServer(http.RedirectHandler("http://203.0.113.1/elsewhere", http.StatusTemporaryRedirect))
	defer redirect.Close()
	if res := sender.Send(t.Context(), model.HookConfig{URL: redirect.URL}, "k", nil); res.StatusCode != 307 || res.OK() {
		t.Errorf("redirect: %+v; want the 307 itself, not followed", res)
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	if res := sender.Send(t.Context(), model.HookConfig{URL: slow.URL}, "k", nil); res.Err == nil || res.StatusCode != 0 {
		t.Errorf("slow receiver: %+v; want a timeout", res)
	}
}

func asPermanent(err error, p **PermanentError) bool {
	pe, ok := err.(*PermanentError)
	*p = pe
	return ok
}

func TestCheckHeadersAndURL(t *testing.T) {
	for _, h := range []map[string]string{{"Host": "x"}, {"bad name": "x"}, {"x-a": "1\r\nX-B: 2"}, {"Transfer-Encoding": "chunked"}} {
		if CheckHeaders(h) == nil {
			t.Errorf("%v accepted", h)
		}
	}
	if err := CheckHeaders(map[string]string{"Authorization": "Bearer x", "x-team": "blue"}); err != nil {
		t.Error(err)
	}
	if CheckURL("https://hooks.example.com/a?b=c") != nil || CheckURL("http://127.0.0.1:8080/x") != nil {
		t.Error("a good URL was refused")
	}
}

func TestPolicy(t *testing.T) {
	p := Policy{MaxAttempts: 4, Base: 10 * time.Second, Max: 30 * time.Second, Jitter: func() float64 { return 0.5 }}
	for attempt, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 30 * time.Second, 9: 30 * time.Second} {
		if got := p.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v; want %v", attempt, got, want)
		}
	}
	lo := Policy{Base: time.Second, Jitter: func() float64 { return 0 }}.Backoff(1)
	hi := Policy{Base: time.Second, Jitter: func() float64 { return 0.999999 }}.Backoff(1)
	if lo != 800*time.Millisecond || hi < 1199*time.Millisecond || hi > 1200*time.Millisecond {
		t.Errorf("jitter range = %v..%v; want ±20%%", lo, hi)
	}
	now := at
	if o := p.Outcome(1, Result{StatusCode: 204}, now); o.Status != model.DeliveryDelivered || *o.ResponseCode != 204 || o.Error != nil {
		t.Errorf("2xx outcome = %+v", o)
	}
	o := p.Outcome(1, Result{StatusCode: 500}, now)
	if o.Status != model.DeliveryPending || o.NextAttemptAt != now.Add(10*time.Second).UnixMilli() || !strings.Contains(*o.Error, "500") {
		t.Errorf("first 500 = %+v", o)
	}
	if o := p.Outcome(4, Result{StatusCode: 500}, now); o.Status != model.DeliveryDead {
		t.Errorf("last attempt = %+v; want dead", o)
	}
	if o := p.Outcome(1, Result{StatusCode: 410}, now); o.Status != model.DeliveryDead {
		t.Errorf("410 = %+v; want dead", o)
	}
	if o := p.Outcome(1, Result{Err: &PermanentError{Reason: "url"}}, now); o.Status != model.DeliveryDead {
		t.Errorf("permanent error = %+v; want dead", o)
	}
}

// fakeQueue hands out jobs once and records outcomes; failed ones come back when due.
type fakeQueue struct {
	mu       sync.Mutex
	pending  []Job
	outcomes map[string][]model.DeliveryOutcome
	done     chan string
}

func newFakeQueue(url string, n int) *fakeQueue {
	q := &fakeQueue{outcomes: map[string][]model.DeliveryOutcome{}, done: make(chan string, 100)}
	for i := range n {
		q.pending = append(q.pending, Job{Delivery: model.Delivery{ID: string(rune('a' + i)), Body: []byte(`{}`)},
			Config: model.HookConfig{URL: url}, SigningKey: "k"})
	}
	return q
}

func (q *fakeQueue) Claim(context.Context, int) ([]Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.pending
	q.pending = nil
	return out, nil
}

func (q *fakeQueue) Finish(_ context.Context, job Job, _ Result, out model.DeliveryOutcome) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.outcomes[job.Delivery.ID] = append(q.outcomes[job.Delivery.ID], out)
	if out.Status == model.DeliveryPending {
		job.Delivery.Attempts++
		q.pending = append(q.pending, job)
	} else {
		q.done <- job.Delivery.ID
	}
	return nil
}

func runWorker(t *testing.T, q Queue, concurrency int) (*Worker, context.CancelFunc, chan struct{}) {
	t.Helper()
	w := NewWorker(WorkerConfig{Queue: q, Policy: Policy{MaxAttempts: 3, Base: time.Millisecond, Max: time.Millisecond},
		Clock: clock.System{}, Concurrency: concurrency, Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { w.Run(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	return w, cancel, stopped
}

func waitDone(t *testing.T, q *fakeQueue, n int) {
	t.Helper()
	for range n {
		select {
		case <-q.done:
		case <-time.After(10 * time.Second):
			t.Fatal("deliveries did not finish")
		}
	}
}

func TestWorkerRetriesThenDelivers(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	q := newFakeQueue(srv.URL, 1)
	runWorker(t, q, 1)
	waitDone(t, q, 1)
	got := q.outcomes["a"]
	if len(got) != 2 || got[0].Status != model.DeliveryPending || got[1].Status != model.DeliveryDelivered {
		t.Fatalf("outcomes = %+v; want pending then delivered", got)
	}
}

func TestWorkerEndsDeadAfterTheLimit(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { calls.Add(1); w.WriteHeader(500) }))
	defer srv.Close()
	q := newFakeQueue(srv.URL, 1)
	runWorker(t, q, 1)
	waitDone(t, q, 1)
	if got := q.outcomes["a"]; len(got) != 3 || got[2].Status != model.DeliveryDead || calls.Load() != 3 {
		t.Fatalf("outcomes = %+v after %d requests; want dead after 3", got, calls.Load())
	}
}

func TestWorkerBoundsConcurrency(t *testing.T) {
	var now, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		n := now.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
	}))
	defer srv.Close()
	q := newFakeQueue(srv.URL, 12)
	runWorker(t, q, 3)
	waitDone(t, q, 12)
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrent requests = %d; want at most 3 (and more than 1)", p)
	}
}

func TestWorkerFinishesInFlightOnShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { close(started); <-release }))
	defer srv.Close()
	q := newFakeQueue(srv.URL, 1)
	_, cancel, stopped := runWorker(t, q, 1)
	<-started
	cancel()
	select {
	case <-stopped:
		t.Fatal("Run returned with a delivery in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-stopped
	if got := q.outcomes["a"]; len(got) != 1 || got[0].Status != model.DeliveryDelivered {
		t.Fatalf("outcomes = %+v; want the in-flight delivery recorded as delivered", got)
	}
}

func TestNotifyWakesTheWorker(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	q := newFakeQueue(srv.URL, 0)
	w := NewWorker(WorkerConfig{Queue: q, Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	time.Sleep(20 * time.Millisecond) // let it go to sleep on the hour-long poll
	q.mu.Lock()
	q.pending = newFakeQueue(srv.URL, 1).pending
	q.mu.Unlock()
	w.Notify()
	waitDone(t, q, 1)
}
