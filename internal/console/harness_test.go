package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// harness is the console over a seeded SQLite store, with an admin signed in: the real
// use-cases behind every page, only the OIDC sign-in skipped (the black-box and browser tests
// cover it).
type harness struct {
	t       testing.TB
	ctx     context.Context
	svc     *service.Service
	st      store.Store
	srv     *httptest.Server
	client  *http.Client
	csrf    string
	console *Console
}

// testBackend is the composition root's backend without the checklist's queries.
type testBackend struct {
	*service.Service
}

func (b testBackend) HasAdmin(ctx context.Context) (bool, error) { return b.Console.HasAdmin(ctx) }
func (b testBackend) CreateFirstAdmin(ctx context.Context, username, password string) (model.User, error) {
	return b.Console.CreateFirstAdmin(ctx, username, password)
}
func (b testBackend) StartSession(ctx context.Context, userID, idToken string) (string, error) {
	return b.Console.StartSession(ctx, userID, idToken)
}
func (b testBackend) Session(ctx context.Context, token string) (model.ConsoleSession, model.User, error) {
	return b.Console.Session(ctx, token)
}
func (b testBackend) EndSession(ctx context.Context, token string) (string, error) {
	return b.Console.EndSession(ctx, token)
}
func (b testBackend) AllowOrigin(ctx context.Context, origin string) error {
	return b.Console.AllowOrigin(ctx, origin)
}
func (b testBackend) Checklist(context.Context) (Checklist, error) { return Checklist{}, nil }

func newHarness(t testing.TB) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	svc := service.New(st, store.NewFreshness(st, clk, time.Second), clk, nil,
		service.Options{Passwords: password.New(password.Options{})})
	if _, err := svc.Seed(ctx, seed.SeedOptions{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	mux := http.NewServeMux()
	// One trusted proxy hop: X-Forwarded-Proto is read (the console follows it only with
	// Options.TrustProxy).
	srv := httptest.NewServer(httpx.Proxy(1, httpx.Middleware(slog.New(slog.DiscardHandler), mux)))
	t.Cleanup(srv.Close)
	c := New(Options{AdminURL: srv.URL, ClientID: "admin-console", Backend: testBackend{svc}, Apps: svc, AppSettings: svc, Conns: svc, SIE: svc,
		Hooks: svc, Users: svc, Access: svc, Audit: svc, Keys: svc, SessionTTL: 14 * 24 * time.Hour, HookEvents: webhook.Events(), UserIssuer: "http://localhost:3001/oidc"})
	c.Mount(mux)
	if err := svc.Console.EnsureClient(ctx, srv.URL+"/console/callback", srv.URL+"/console"); err != nil {
		t.Fatalf("console client: %v", err)
	}
	admin, err := svc.Console.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatalf("first admin: %v", err)
	}
	token, err := svc.Console.StartSession(ctx, admin.ID, "id-token")
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(srv.URL + "/console")
	jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/console"}})
	h := &harness{t: t, ctx: ctx, svc: svc, st: st, srv: srv, console: c,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	s, _, err := svc.Console.Session(ctx, token)
	if err != nil {
		t.Fatalf("read session: %v", err)
	}
	h.csrf = s.CSRF
	return h
}

// get fetches a console page and returns its status and body.
func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post submits a console form as the browser does (same origin, the session's CSRF token unless
// the form sets its own) and returns the status, the Location and the body.
func (h *harness) post(path string, form url.Values) (int, string, string) {
	h.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", h.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var fieldErrorRE = regexp.MustCompile(`<p class="field-error" id="([A-Za-z0-9_]+)-error"[^>]*>([^<]*)</p>`)

// fieldErrors returns the field-level errors a page shows, by field.
func fieldErrors(body string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldErrorRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}
