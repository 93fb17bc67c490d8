package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
)

// fixture is a seeded default tenant behind the real composed handler, on a real SQLite file.
type fixture struct {
	d      *Deps
	srv    *httptest.Server
	clk    *clock.Fake
	admin  struct{ id, secret string } // M2M app holding "Logto Management API access"
	trad   struct{ id, secret string } // Traditional web app
	plain  struct{ id, secret string } // M2M app with no roles
	orders model.Resource
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.FromEnv(func(k string) (string, bool) {
		if k == "DB_URL" {
			return "sqlite:" + filepath.Join(dir, "gh.db"), true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenStore(ctx, cfg, true, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{clk: clock.NewFake(time.Now())}
	f.d = NewDeps(db, f.clk, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if _, err := f.d.Service.Seed(ctx, seed.SeedOptions{SkipWhenExists: true}); err != nil {
		t.Fatal(err)
	}
	tenant := model.DefaultTenantID
	admin, err := f.d.Service.CreateApplicationWithRoles(ctx, tenant, applications.CreateApplicationInput{Name: "admin", Type: model.AppMachineToMachine}, []string{model.ManagementAPIAccessRoleName})
	if err != nil {
		t.Fatal(err)
	}
	f.admin.id, f.admin.secret = admin.ID, admin.Secret
	trad, err := f.d.Service.CreateApplication(ctx, tenant, applications.CreateApplicationInput{Name: "web", Type: model.AppTraditional, RedirectURIs: []string{"https://app.example/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	f.trad.id, f.trad.secret = trad.ID, trad.Secret
	plain, err := f.d.Service.CreateApplication(ctx, tenant, applications.CreateApplicationInput{Name: "plain", Type: model.AppMachineToMachine})
	if err != nil {
		t.Fatal(err)
	}
	f.plain.id, f.plain.secret = plain.ID, plain.Secret
	f.orders, err = f.d.Service.CreateResource(ctx, tenant, access.ResourceInput{Name: "Orders", Indicator: "https://orders.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	// A second secret of the admin app that expires in an hour; the test clock then moves past it.
	exp := f.clk.Now().Add(time.Hour).UnixMilli()
	if _, err := f.d.Service.AddSecret(ctx, tenant, f.admin.id, "short-lived", &exp); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(Handler(f.d, cfg, tenant))
	t.Cleanup(f.srv.Close)
	return f
}

// token performs a client_credentials request and returns the access token.
func (f *fixture) token(t *testing.T, id, secret, resource, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {resource}, "scope": {scope}}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token for %s: status %d", id, resp.StatusCode)
	}
	return tr.AccessToken
}

// TestHostileRequests sends malformed and hostile requests to /oidc and /api and checks each gets
// the right status and error code, never a 500, and writes nothing (the tenant's generation
// counter, bumped by every write, does not move).
func TestHostileRequests(t *testing.T) {
	f := newFixture(t)
	mgmt := model.ManagementAPIIndicator(model.DefaultTenantID)
	// Move past the short-lived secret's expiry first, so every token below is fresh.
	f.clk.Advance(2 * time.Hour)
	adminTok := f.token(t, f.admin.id, f.admin.secret, mgmt, "all")
	ordersTok := f.token(t, f.admin.id, f.admin.secret, f.orders.Indicator, "")
	noAllTok := f.token(t, f.plain.id, f.plain.secret, mgmt, "all")
	// alg=none: the admin token's claims with an unsigned header.
	parts := strings.Split(adminTok, ".")
	noneTok := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + parts[1] + "."

	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	form := "application/x-www-form-urlencoded"
	ccBody := func(extra string) string {
		return "grant_type=client_credentials&resource=" + url.QueryEscape(mgmt) + "&scope=all" + extra
	}
	bearer := "Bearer " + adminTok

	type tc struct {
		name        string
		method      string
		path        string
		contentType string
		auth        string
		body        string
		status      int
		code        string // OAuth "error" at /oidc, Logto "code" at /api
	}
	cases := []tc{
		// ---- /oidc/token
		{"wrong secret (basic)", "POST", "/oidc/token", form, basic(f.admin.id, "wrong"), ccBody(""), 401, "invalid_client"},
		{"wrong secret (post)", "POST", "/oidc/token", form, "", ccBody("&client_id=" + f.admin.id + "&client_secret=wrong"), 401, "invalid_client"},
		{"secret of another app", "POST", "/oidc/token", form, basic(f.admin.id, f.plain.secret), ccBody(""), 401, "invalid_client"},
		{"unknown client", "POST", "/oidc/token", form, basic("nosuchclient", "x"), ccBody(""), 401, "invalid_client"},
		{"malformed basic", "POST", "/oidc/token", form, "Basic !!!", ccBody(""), 400, "invalid_request"},
		{"basic without colon", "POST", "/oidc/token", form, "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), ccBody(""), 400, "invalid_request"},
		{"bare Basic", "POST", "/oidc/token", form, "Basic", ccBody(""), 400, "invalid_request"},
		{"basic and body secret", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), ccBody("&client_secret=" + f.admin.secret), 400, "invalid_request"},
		{"no client authentication", "POST", "/oidc/token", form, "", ccBody(""), 400, "invalid_request"},
		{"expired secret", "POST", "/oidc/token", form, basic(f.admin.id, "short-lived-placeholder"), ccBody(""), 0, ""}, // replaced below
		{"missing resource", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), "grant_type=client_credentials&scope=all", 400, "invalid_target"},
		{"unknown resource", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), "grant_type=client_credentials&resource=https%3A%2F%2Fnope.example", 400, "invalid_target"},
		{"two resources", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), ccBody("&resource=" + url.QueryEscape(f.orders.Indicator)), 400, "invalid_target"},
		{"password grant", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), "grant_type=password&username=a&password=b", 400, "unsupported_grant_type"},
		{"no grant_type", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), "resource=" + url.QueryEscape(mgmt), 400, "invalid_request"},
		{"repeated grant_type", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), ccBody("&grant_type=client_credentials"), 400, "invalid_request"},
		{"NUL in grant_type", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), "grant_type=client_credentials%00&resource=" + url.QueryEscape(mgmt), 400, ""},
		{"invalid JSON body", "POST", "/oidc/token", "application/json", basic(f.admin.id, f.admin.secret), `{"grant_type":`, 400, "invalid_request"},
		{"JSON with nested object", "POST", "/oidc/token", "application/json", basic(f.admin.id, f.admin.secret), `{"grant_type":{"x":1}}`, 400, "invalid_request"},
		{"oversized body", "POST", "/oidc/token", form, basic(f.admin.id, f.admin.secret), ccBody("&pad=" + strings.Repeat("a", 200<<10)), 413, "invalid_request"},
		{"traditional app doing client_credentials", "POST", "/oidc/token", form, basic(f.trad.id, f.trad.secret), ccBody(""), 400, "invalid_request"},
		{"GET /oidc/token", "GET", "/oidc/token", "", "", "", 404, "invalid_request"},
		{"unknown /oidc route", "POST", "/oidc/nothing-here", form, "", "", 404, "invalid_request"},
		// ---- /api
		{"no authorization header", "GET", "/api/applications", "", "", "", 401, "auth.authorization_header_missing"},
		{"Basic at /api", "GET", "/api/applications", "", basic(f.admin.id, f.admin.secret), "", 401, "auth.authorization_token_type_not_supported"},
		{"garbage bearer", "GET", "/api/applications", "", "Bearer not.a.jwt", "", 401, "auth.unauthorized"},
		{"token for the wrong audience", "GET", "/api/applications", "", "Bearer " + ordersTok, "", 401, "auth.unauthorized"},
		{"alg none token", "GET", "/api/applications", "", "Bearer " + noneTok, "", 401, "auth.unauthorized"},
		{"token without scope all", "GET", "/api/applications", "", "Bearer " + noAllTok, "", 403, "auth.forbidden"},
		{"invalid JSON", "POST", "/api/roles", "application/json", bearer, `{"name":`, 400, ""},
		{"unknown field", "POST", "/api/roles", "application/json", bearer, `{"name":"r1","description":"d","surprise":1}`, 400, "guard.invalid_input"},
		{"wrong field type", "POST", "/api/resources", "application/json", bearer, `{"name":123,"indicator":"https://x.example"}`, 400, "guard.invalid_input"},
		{"NUL in name", "POST", "/api/resources", "application/json", bearer, `{"name":"a\u0000b","indicator":"https://y.example"}`, 400, "guard.invalid_input"},
		{"duplicate role name", "POST", "/api/roles", "application/json", bearer, `{"name":"Logto Management API access","description":"dup","type":"MachineToMachine"}`, 422, "role.name_in_use"},
		{"duplicate resource indicator", "POST", "/api/resources", "application/json", bearer, `{"name":"again","indicator":"https://orders.example.com"}`, 422, "resource.resource_identifier_in_use"},
		{"application that does not exist", "GET", "/api/applications/doesnotexist", "", bearer, "", 404, "entity.not_exists_with_id"},
		{"patch application that does not exist", "PATCH", "/api/applications/doesnotexist", "application/json", bearer, `{"name":"x"}`, 404, "entity.not_exists_with_id"},
		{"scopes of a missing resource", "POST", "/api/resources/doesnotexist/scopes", "application/json", bearer, `{"name":"read"}`, 404, "entity.not_exists_with_id"},
		{"SAML via /applications", "POST", "/api/applications", "application/json", bearer, `{"name":"s","type":"SAML"}`, 400, "application.saml.use_saml_app_api"},
		{"unknown application type", "POST", "/api/applications", "application/json", bearer, `{"name":"s","type":"Robot"}`, 400, "guard.invalid_input"},
		{"redirect URI with javascript scheme", "POST", "/api/applications", "application/json", bearer, `{"name":"s","type":"Traditional","oidcClientMetadata":{"redirectUris":["javascript:alert(1)"],"postLogoutRedirectUris":[]}}`, 400, ""},
		{"page_size too large", "GET", "/api/roles?page=1&page_size=100000", "", bearer, "", 400, ""},
		{"page zero", "GET", "/api/roles?page=0", "", bearer, "", 400, ""},
		{"oversized JSON", "POST", "/api/roles", "application/json", bearer, `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
		{"delete the current signing key", "DELETE", "/api/configs/oidc/private-keys/" + f.currentKeyID(t), "", bearer, "", 422, ""},
		{"unknown /api route", "GET", "/api/no-such-thing", "", bearer, "", 404, ""},
	}
	// The expired secret: the admin app's "short-lived" secret value, now past its expiry.
	secrets, err := f.d.Service.ListSecrets(context.Background(), model.DefaultTenantID, f.admin.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s.Name == "short-lived" {
			cases[9] = tc{"expired secret", "POST", "/oidc/token", form, basic(f.admin.id, s.Value), ccBody(""), 400, "invalid_request"}
		}
	}
	if cases[9].status == 0 {
		t.Fatal("the short-lived secret was not found")
	}
	if len(cases) < 30 {
		t.Fatalf("only %d hostile requests", len(cases))
	}

	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, err := f.d.Store.Generation(ctx, model.DefaultTenantID)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(c.method, f.srv.URL+c.path, bytes.NewBufferString(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("status %d (a server error for bad input): %s", resp.StatusCode, raw)
			}
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, raw)
			}
			var body struct{ Error, Code, Message string }
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("error body is not JSON: %q", raw)
			}
			if strings.HasPrefix(c.path, "/oidc") {
				if body.Error == "" || (c.code != "" && body.Error != c.code) {
					t.Fatalf("error %q, want %q: %s", body.Error, c.code, raw)
				}
			} else if body.Code == "" && body.Message == "" || (c.code != "" && body.Code != c.code) {
				t.Fatalf("code %q, want %q: %s", body.Code, c.code, raw)
			}
			after, err := f.d.Store.Generation(ctx, model.DefaultTenantID)
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Fatalf("the request wrote to the store (generation %d -> %d)", before, after)
			}
		})
	}

	// A JSON body is accepted like a form (Logto rewrites it), and is not a write either.
	t.Run("JSON token request works", func(t *testing.T) {
		b, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "resource": mgmt, "scope": "all"})
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/oidc/token", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", basic(f.admin.id, f.admin.secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			raw, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %s", resp.StatusCode, raw)
		}
	})
}

func (f *fixture) currentKeyID(t *testing.T) string {
	t.Helper()
	list, err := f.d.Service.ListKeys(context.Background(), model.DefaultTenantID, keyring.KeyTypePrivateKeys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range list {
		if k.Status == model.KeyCurrent {
			return k.ID
		}
	}
	t.Fatal("no Current key")
	return ""
}

// Issue 6 (noticed then): a non-canonical /api path gets the API's JSON 404, not ServeMux's HTML
// redirect to the cleaned path.
func TestNonCanonicalAPIPathsAreJSON404(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/users//roles", "/api/./applications", "/api/users/../applications", "/api//status"} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+p, nil)
		req.URL.Opaque = p // keep the path as written
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Code string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || body.Code != "entity.not_found" || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			t.Errorf("GET %s = %d %q (%s); want Logto's JSON 404", p, resp.StatusCode, body.Code, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Get(f.srv.URL + "/api/status")
	if err != nil || resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		t.Fatalf("canonical path: %v %v", resp, err)
	}
	resp.Body.Close()

	// A token request to a non-canonical path is not re-sent anywhere with 307 (RFC 9700 §4.12).
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/oidc//token", strings.NewReader("grant_type=client_credentials"))
	req.URL.Opaque = "/oidc//token"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(f.admin.id, f.admin.secret)
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var oauthErr struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&oauthErr)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || oauthErr.Error != "invalid_request" || resp.Header.Get("Location") != "" {
		t.Errorf("POST /oidc//token = %d %q, Location %q; want 404 invalid_request and no redirect", resp.StatusCode, oauthErr.Error, resp.Header.Get("Location"))
	}
}
