package management

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

const (
	testIssuer      = "http://localhost:3001/oidc"
	testAdminIssuer = "http://localhost:3002/oidc"
)

// env is the default tenant's Management API over a seeded SQLite database.
type env struct {
	t       testing.TB
	ctx     context.Context
	st      store.Store
	svc     *service.Service
	keys    *keys.Manager
	clk     *clock.Fake
	api     *API
	mux     *http.ServeMux
	handler http.Handler
	token   string // a valid token with scope `all`
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	fresh := store.NewFreshness(st, clk, time.Second)
	svc := service.New(st, fresh, clk, nil, service.Options{})
	if _, err := svc.Seed(ctx, seed.SeedOptions{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	km := keys.NewManager(st, fresh, clk, discardLog())
	api := New(Options{TenantID: model.DefaultTenantID, Issuer: testIssuer, AdminIssuer: testAdminIssuer,
		Service: svc, Keys: km, Clock: clk})
	mux := http.NewServeMux()
	api.Mount(mux)
	e := &env{t: t, ctx: ctx, st: st, svc: svc, keys: km, clk: clk, api: api, mux: mux,
		handler: httpx.Middleware(discardLog(), mux)}
	e.token = e.mint(model.DefaultTenantID, nil)
	return e
}

// mint signs an access token as the client_credentials grant issues it, with the real key set of
// keyTenant; edit changes the claims first.
func (e *env) mint(keyTenant string, edit func(map[string]any)) string {
	e.t.Helper()
	now := e.clk.Now()
	claims := map[string]any{
		"iss": testIssuer, "aud": model.ManagementAPIIndicator(model.DefaultTenantID), "scope": "all",
		"client_id": "m2m-client", "sub": "m2m-client", "jti": "jti-" + now.Format(time.RFC3339Nano),
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if keyTenant == model.AdminTenantID {
		claims["iss"] = testAdminIssuer
	}
	if edit != nil {
		edit(claims)
	}
	set, err := e.keys.Keys(e.ctx, keyTenant)
	if err != nil {
		e.t.Fatalf("keys of %s: %v", keyTenant, err)
	}
	tok, err := set.Sign(claims, keys.TypAccessToken)
	if err != nil {
		e.t.Fatalf("sign: %v", err)
	}
	return tok
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, into any) {
	t.Helper()
	if err := json.Unmarshal(r.body, into); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// code returns the Logto error code of the body.
func (r response) code() string {
	var b struct{ Code string }
	_ = json.Unmarshal(r.body, &b)
	return b.Code
}

// do sends a request with the env's valid token.
func (e *env) do(method, path, body string) response {
	return e.doAuth(method, path, "Bearer "+e.token, body)
}

func (e *env) doAuth(method, path, authorization, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = "localhost:3001"
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// want fails unless the answer has status and, when code is not empty, that error code.
func (e *env) want(r response, status int, code string) {
	e.t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		e.t.Fatalf("got %d %s; want %d %s", r.status, r.body, status, code)
	}
	if r.status >= 400 {
		var b map[string]any
		if err := json.Unmarshal(r.body, &b); err != nil {
			e.t.Fatalf("error body is not JSON: %s", r.body)
		}
		if _, ok := b["message"].(string); !ok {
			e.t.Fatalf("error body has no message: %s", r.body)
		}
	}
}
