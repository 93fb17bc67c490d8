package experience

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

const tenant = model.DefaultTenantID

// testBackend is the real service with the sign-in experience held in the test, so each test
// sets the one it needs.
type testBackend struct {
	*service.Service
	mu  sync.Mutex
	sie model.SignInExperience
}

func (b *testBackend) GetSignInExperience(context.Context, string) (model.SignInExperience, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sie, nil
}

func (b *testBackend) setSIE(mod func(*model.SignInExperience)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	mod(&b.sie)
}

// defaultSIE is Logto's seeded sign-in experience: username + password sign-in and sign-up.
func defaultSIE() model.SignInExperience {
	return model.SignInExperience{
		TenantID:     tenant,
		ID:           "default",
		Color:        model.Color{PrimaryColor: "#6139F6", DarkPrimaryColor: "#8453FF"},
		Branding:     model.Branding{LogoURL: "https://logto.io/logo.svg", DarkLogoURL: "https://logto.io/logo-dark.svg"},
		LanguageInfo: model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"},
		SignIn: model.SignIn{Methods: []model.SignInMethod{
			{Identifier: model.IdentifierUsername, Password: true, IsPasswordPrimary: true},
		}},
		SignUp:             model.SignUp{Identifiers: []string{model.IdentifierUsername}, Password: true},
		SignInMode:         model.SignInModeSignInAndRegister,
		AgreeToTermsPolicy: "Automatic",
	}
}

// harness is one store, service and clock; node starts an Experience (a "node") on it.
type harness struct {
	t       testing.TB
	st      store.Store
	svc     *service.Service
	backend *testBackend
	clk     *clock.Fake
	jar     *cookie.Jar
	app     model.Application
	mail    *mailbox // what the test email connector sent
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fresh := store.NewFreshness(db, clk, time.Second)
	box := &mailbox{}
	svc := service.New(db, fresh, clk, slog.New(slog.DiscardHandler), service.Options{Passwords: password.New(password.Options{}),
		MoreConnectorFactories: []connector.Factory{box},
		// A provider that does not answer in 2 s fails the sign-in (the default is 10 s).
		ConnectorClient: connector.NewClient(connector.ClientOptions{Timeout: 2 * time.Second})})
	if _, err := svc.Seed(t.Context(), seed.SeedOptions{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	app, err := svc.CreateApplication(t.Context(), tenant, applications.CreateApplicationInput{
		Name: "Chat", Type: model.AppSPA, RedirectURIs: []string{"https://chat.example.com/callback"},
	})
	if err != nil {
		t.Fatalf("create application: %v", err)
	}
	return &harness{t: t, st: db, svc: svc, backend: &testBackend{Service: svc, sie: defaultSIE()}, clk: clk, mail: box,
		jar: cookie.NewJar(directory.New(db, fresh, clk)), app: app.Application}
}

// node is one server of the deployment: an Experience mounted behind the same middleware as
// the binary's.
type node struct {
	h      *harness
	exp    *Experience
	srv    *httptest.Server
	issuer string
}

func (h *harness) node(rl RateLimit) *node {
	h.t.Helper()
	n := &node{h: h}
	mux := http.NewServeMux()
	n.srv = httptest.NewServer(httpx.Proxy(0, httpx.Middleware(slog.New(slog.DiscardHandler), mux)))
	h.t.Cleanup(n.srv.Close)
	n.issuer = n.srv.URL + "/oidc"
	n.exp = New(Options{
		TenantID: tenant, Issuer: n.issuer, Service: h.backend, Passwords: password.New(password.Options{}),
		Cookies: h.jar, RateLimit: rl, Clock: h.clk,
	})
	n.exp.Mount(mux)
	return n
}

// createUser makes a user with a password through the service, as the Management API would.
func (h *harness) createUser(username, email, pw string) model.User {
	h.t.Helper()
	in := users.CreateUserInput{Password: pw}
	if username != "" {
		in.Username = &username
	}
	if email != "" {
		in.PrimaryEmail = &email
	}
	u, err := h.svc.CreateUser(h.t.Context(), tenant, in)
	if err != nil {
		h.t.Fatalf("create user %q: %v", username, err)
	}
	return u
}

// browser is an HTTP client with its own cookies that does not follow redirects.
type browser struct {
	n      *node
	client *http.Client
	appID  string // sent as Logto-App-Id when set
}

func (n *node) browser() *browser {
	n.h.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		n.h.t.Fatal(err)
	}
	return &browser{n: n, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// on sends b's later requests to another node of the same deployment. Cookies are kept per
// host, not per port, so the interaction cookie goes along.
func (b *browser) on(n *node) *browser {
	return &browser{n: n, appID: b.appID, client: b.client}
}

// startInteraction does what /oidc/auth does for the experience: it stores an interaction for
// the harness's application and sets the _interaction cookie in b.
func (b *browser) startInteraction(mod func(*model.Interaction)) model.Interaction {
	h := b.n.h
	h.t.Helper()
	in := model.Interaction{
		ClientID: h.app.ID, Prompt: "login",
		Params: model.AuthParams{
			ResponseType: "code", RedirectURI: "https://chat.example.com/callback", Scope: "openid profile offline_access",
			State: "st-123", CodeChallenge: "abc", CodeChallengeMethod: "S256",
		},
	}
	if mod != nil {
		mod(&in)
	}
	created, err := h.svc.CreateInteraction(h.t.Context(), tenant, in)
	if err != nil {
		h.t.Fatalf("create interaction: %v", err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, b.n.srv.URL+"/oidc/auth", nil)
	if err := h.jar.SetInteraction(rec, req, tenant, in.ClientID, created.UID, time.Hour); err != nil {
		h.t.Fatalf("set interaction cookie: %v", err)
	}
	u, _ := url.Parse(b.n.srv.URL)
	b.client.Jar.SetCookies(u, rec.Result().Cookies())
	return created
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

func (b *browser) do(method, path string, body io.Reader, contentType string, header http.Header) response {
	t := b.n.h.t
	t.Helper()
	req, err := http.NewRequest(method, b.n.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if b.appID != "" {
		req.Header.Set(cookie.AppIDHeader, b.appID)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// api calls the Experience API with a JSON body (nil for none).
func (b *browser) api(method, path string, body any) response {
	b.n.h.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			b.n.h.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	return b.do(method, path, rd, "application/json", nil)
}

func (b *browser) get(path string, header http.Header) response {
	b.n.h.t.Helper()
	return b.do(http.MethodGet, path, nil, "", header)
}

// post sends a form as a same-origin browser would.
func (b *browser) post(path string, form url.Values) response {
	b.n.h.t.Helper()
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded",
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {b.n.srv.URL}})
}

// wantStatus checks the status and, when code is not empty, Logto's error code.
func wantStatus(t testing.TB, r response, status int, code string, what string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d (body %s)", what, r.status, status, r.body)
	}
	if code != "" {
		if got := r.json(t)["code"]; got != code {
			t.Fatalf("%s: code %v, want %s (body %s)", what, got, code, r.body)
		}
	}
}

// signInAPI runs Logto's observed hop sequence and returns the submit response.
func (b *browser) signInAPI(kind, value, pw string) response {
	t := b.n.h.t
	t.Helper()
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT /api/experience")
	r := b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
		"identifier": map[string]string{"type": kind, "value": value}, "password": pw})
	if r.status != http.StatusOK {
		return r
	}
	id := r.json(t)["verificationId"]
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", map[string]any{"verificationId": id}), http.StatusNoContent, "", "identification")
	return b.api(http.MethodPost, "/api/experience/submit", nil)
}

// interaction reads the stored interaction.
func (h *harness) interaction(uid string) model.Interaction {
	h.t.Helper()
	in, err := h.svc.GetInteraction(h.t.Context(), tenant, uid)
	if err != nil {
		h.t.Fatalf("get interaction: %v", err)
	}
	return in
}

func ptr[T any](v T) *T { return &v }

func mustParse(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
