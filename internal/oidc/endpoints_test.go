package oidc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/oidc/grants"
)

// webTokens signs alice into the web app (offline_access, the API resource) and exchanges the
// code, asking for an opaque token (no resource at the token endpoint).
func (f *fixture) webTokens(t *testing.T) tokenResult {
	t.Helper()
	b := f.newBrowser(t)
	q := b.signInFlow(f.web.ID, webCallback, f.alice, "scope", "openid offline_access profile read", "prompt", "consent", "resource", apiIndicator)
	r := f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "authorization_code", "code", q.Get("code"), "redirect_uri", webCallback)
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %v", r.status, r.body)
	}
	return r
}

func (f *fixture) post(t *testing.T, path, auth string, kv ...string) (int, http.Header, []byte) {
	t.Helper()
	resp, body := do(t, f, tokenCase{path: path, auth: auth, body: form(kv...)})
	return resp.StatusCode, resp.Header, body
}

func TestIntrospection(t *testing.T) {
	f := newFixture(t)
	tok := f.webTokens(t)
	webAuth := basic(f.web.ID, f.webSecret)

	status, _, body := f.post(t, "/token/introspection", webAuth, "token", tok.str("access_token"), "token_type_hint", "access_token")
	var got map[string]any
	must(t, json.Unmarshal(body, &got))
	// Logto's exact shape for an opaque access token (provider-semantics.test.ts).
	wantKeys := []string{"active", "client_id", "exp", "iat", "iss", "scope", "sub", "token_type"}
	if status != http.StatusOK || got["active"] != true || got["client_id"] != f.web.ID || got["sub"] != f.alice.ID ||
		got["iss"] != f.issuer || got["scope"] != "openid offline_access profile" || got["token_type"] != "Bearer" || len(got) != len(wantKeys) {
		t.Fatalf("introspection of the access token: %d %s", status, body)
	}
	status, _, body = f.post(t, "/token/introspection", webAuth, "token", tok.str("refresh_token"))
	got = nil
	must(t, json.Unmarshal(body, &got))
	if status != http.StatusOK || got["active"] != true || got["token_type"] != nil || got["scope"] != "openid offline_access profile read" {
		t.Fatalf("introspection of the refresh token: %d %s", status, body)
	}

	// A JWT access token for the API is verified with the JWKS, not introspected.
	jwtTok := f.token(t, webAuth, "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token"), "resource", apiIndicator)
	if jwtTok.status != http.StatusOK || strings.Count(jwtTok.str("access_token"), ".") != 2 || jwtTok.str("scope") != "read" {
		t.Fatalf("refresh for the API: %d %v", jwtTok.status, jwtTok.body)
	}
	status, _, body = f.post(t, "/token/introspection", webAuth, "token", jwtTok.str("access_token"))
	if status != http.StatusBadRequest || !strings.Contains(string(body), "Structured JWT Tokens cannot be introspected via the introspection_endpoint") {
		t.Fatalf("introspection of a JWT: %d %s", status, body)
	}

	for _, tc := range []struct {
		name, auth string
		kv         []string
	}{
		{"unknown token", webAuth, []string{"token", "nope"}},
		{"public client asking about another client's token", "", []string{"client_id", f.spa.ID, "token", tok.str("access_token")}},
		// RFC 7662 leaves the policy to the server: only the token's own client learns it is active.
		{"another confidential client asking about the access token", basic(f.partner.ID, f.partnerSecret), []string{"token", tok.str("access_token")}},
		{"another confidential client asking about the refresh token", basic(f.partner.ID, f.partnerSecret), []string{"token", tok.str("refresh_token"), "token_type_hint", "refresh_token"}},
	} {
		status, _, body := f.post(t, "/token/introspection", tc.auth, tc.kv...)
		if status != http.StatusOK || string(body) != `{"active":false}` {
			t.Errorf("%s: %d %s, want {\"active\":false}", tc.name, status, body)
		}
	}
	if status, _, _ := f.post(t, "/token/introspection", basic(f.web.ID, "wrong"), "token", tok.str("access_token")); status != http.StatusUnauthorized {
		t.Errorf("introspection with a wrong secret: %d", status)
	}
	if status, _, body := f.post(t, "/token/introspection", webAuth); status != http.StatusBadRequest || !strings.Contains(string(body), "'token'") {
		t.Errorf("introspection without token: %d %s", status, body)
	}
}

func TestRevocation(t *testing.T) {
	f := newFixture(t)
	webAuth := basic(f.web.ID, f.webSecret)
	tok := f.webTokens(t)
	introspect := func(token string) bool {
		_, _, body := f.post(t, "/token/introspection", webAuth, "token", token)
		var got map[string]any
		must(t, json.Unmarshal(body, &got))
		return got["active"] == true
	}

	// Unknown tokens and another client's tokens presented by a public client: 200, nothing done.
	for _, tc := range []struct{ name, auth, token, clientID string }{
		{"unknown token", webAuth, "nope", ""},
		{"public client, another client's token", "", tok.str("access_token"), f.spa.ID},
	} {
		kv := []string{"token", tc.token}
		if tc.clientID != "" {
			kv = append(kv, "client_id", tc.clientID)
		}
		status, _, body := f.post(t, "/token/revocation", tc.auth, kv...)
		if status != http.StatusOK || len(body) != 0 {
			t.Errorf("%s: %d %q, want an empty 200", tc.name, status, body)
		}
	}
	if !introspect(tok.str("access_token")) {
		t.Fatal("a refused revocation revoked the token")
	}
	// A confidential client presenting another client's token is told it may not.
	status, _, body := f.post(t, "/token/revocation", basic(f.partner.ID, f.partnerSecret), "token", tok.str("refresh_token"))
	if status != http.StatusBadRequest || !strings.Contains(string(body), "not authorized to revoke") {
		t.Errorf("another confidential client revoking: %d %s", status, body)
	}

	// Revoking the refresh token revokes its grant: the access token dies with it.
	status, _, body = f.post(t, "/token/revocation", webAuth, "token", tok.str("refresh_token"), "token_type_hint", "refresh_token")
	if status != http.StatusOK || len(body) != 0 {
		t.Fatalf("revocation: %d %s", status, body)
	}
	if introspect(tok.str("refresh_token")) || introspect(tok.str("access_token")) {
		t.Fatal("tokens of a revoked grant are still active")
	}
	if s := f.userinfoStatus(t, tok.str("access_token")); s != http.StatusUnauthorized {
		t.Fatalf("userinfo after revocation: %d", s)
	}
	revoked := f.audit.keyed("RevokeToken")
	if len(revoked) != 1 || revoked[0].ApplicationID != f.web.ID || revoked[0].UserID != f.alice.ID || revoked[0].Params["grantId"] == "" {
		t.Errorf("RevokeToken audit entries = %+v; want one naming the client, the user and the grant", revoked)
	}
	for _, e := range f.audit.keyed("ExchangeTokenBy.AuthorizationCode") {
		if strings.Contains(fmt.Sprint(e), tok.str("refresh_token")) {
			t.Fatalf("an audit entry holds a token: %+v", e)
		}
	}
	if len(f.audit.keyed("ExchangeTokenBy.AuthorizationCode")) == 0 {
		t.Error("no ExchangeTokenBy.AuthorizationCode entry for the code exchange")
	}
	wantInvalidGrant(t, f.token(t, webAuth, "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token")), "refresh after revocation")

	// Revoking an access token revokes its grant too (oidc-provider 9), refresh token included.
	tok = f.webTokens(t)
	if status, _, _ := f.post(t, "/token/revocation", webAuth, "token", tok.str("access_token")); status != http.StatusOK {
		t.Fatalf("access token revocation: %d", status)
	}
	wantInvalidGrant(t, f.token(t, webAuth, "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token")), "refresh after access token revocation")
}

func TestUserinfoAnswers(t *testing.T) {
	f := newFixture(t)
	tok := f.webTokens(t)
	at := tok.str("access_token")
	call := func(method, path, auth, contentType, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, f.issuer+path, strings.NewReader(body))
		must(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, resp.Header, out
	}

	status, _, got := call(http.MethodGet, "/me", "Bearer "+at, "", "")
	if status != http.StatusOK || got["sub"] != f.alice.ID || got["username"] != "alice" || got["email"] != nil {
		t.Fatalf("GET /me: %d %v (email was not granted)", status, got)
	}
	status, _, got = call(http.MethodPost, "/me", "", "application/x-www-form-urlencoded", form("access_token", at))
	if status != http.StatusOK || got["sub"] != f.alice.ID {
		t.Fatalf("POST /me with a form token: %d %v", status, got)
	}
	jwtTok := f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token"), "resource", apiIndicator)

	for _, tc := range []struct {
		name, method, path, auth, contentType, body string
		status                                      int
		challenge                                   string // WWW-Authenticate must contain it
	}{
		{"no token", http.MethodGet, "/me", "", "", "", 401, `Bearer realm="` + f.issuer + `"`},
		{"unknown token", http.MethodGet, "/me", "Bearer nope", "", "", 401, `error="invalid_token"`},
		{"JWT access token for an API", http.MethodGet, "/me", "Bearer " + jwtTok.str("access_token"), "", "", 401, `error="invalid_token"`},
		{"token in the query", http.MethodGet, "/me?access_token=" + at, "", "", "", 400, ""},
		{"Basic scheme", http.MethodGet, "/me", "Basic " + at, "", "", 400, ""},
		{"two mechanisms", http.MethodPost, "/me", "Bearer " + at, "application/x-www-form-urlencoded", form("access_token", at), 400, ""},
		{"scope not held", http.MethodGet, "/me?scope=openid+email", "Bearer " + at, "", "", 403, `error="insufficient_scope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := call(tc.method, tc.path, tc.auth, tc.contentType, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			if tc.challenge != "" && !strings.Contains(header.Get("WWW-Authenticate"), tc.challenge) {
				t.Fatalf("WWW-Authenticate %q, want it to contain %s", header.Get("WWW-Authenticate"), tc.challenge)
			}
			if body["sub"] != nil {
				t.Fatalf("an error answer carries claims: %v", body)
			}
		})
	}

	// An access token past its hour is refused.
	f.clk.Advance(grants.OpaqueAccessTokenTTL)
	if s := f.userinfoStatus(t, at); s != http.StatusUnauthorized {
		t.Fatalf("expired access token: %d", s)
	}
}

// TestCORS: a SPA may call the token and userinfo endpoints from its own origin (that of a
// redirect URI), a page on another origin may not read the answers; discovery is open to all.
func TestCORS(t *testing.T) {
	f := newFixture(t)
	send := func(method, path, origin, body, auth string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, f.issuer+path, strings.NewReader(body))
		must(t, err)
		req.Header.Set("Origin", origin)
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp
	}
	const spaOrigin, evil = "https://spa.example.com", "https://evil.example.com"

	if r := send(http.MethodOptions, "/token", evil, "", ""); r.StatusCode != http.StatusNoContent ||
		r.Header.Get("Access-Control-Allow-Origin") != evil || r.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Errorf("preflight: %d %v", r.StatusCode, r.Header)
	}
	if r := send(http.MethodGet, "/.well-known/openid-configuration", evil, "", ""); r.Header.Get("Access-Control-Allow-Origin") != evil {
		t.Errorf("discovery is not readable cross-origin: %v", r.Header)
	}

	code := f.spaCode(t)
	exchange := form("grant_type", "authorization_code", "client_id", f.spa.ID, "code", code, "redirect_uri", spaCallback, "code_verifier", testVerifier)
	if r := send(http.MethodPost, "/token", evil, exchange, ""); r.StatusCode != http.StatusBadRequest || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("token request from another origin: %d ACAO %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	r := send(http.MethodPost, "/token", spaOrigin, exchange, "")
	if r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != spaOrigin {
		t.Fatalf("token request from the SPA's origin: %d ACAO %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	at := f.exchangeSPA(t, f.spaCode(t)).str("access_token")
	if r := send(http.MethodGet, "/me", evil, "", "Bearer "+at); r.StatusCode != http.StatusBadRequest || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("userinfo from another origin: %d", r.StatusCode)
	}
	if r := send(http.MethodGet, "/me", spaOrigin, "", "Bearer "+at); r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != spaOrigin {
		t.Errorf("userinfo from the SPA's origin: %d %v", r.StatusCode, r.Header)
	}
	// RFC 9700 §2.6: the authorization endpoint is a navigation, never read by a page: no CORS
	// answer for any origin, and no preflight route.
	authQuery := "/auth?" + form("client_id", f.spa.ID, "redirect_uri", spaCallback, "response_type", "code", "scope", "openid",
		"code_challenge", testChallenge, "code_challenge_method", "S256")
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, origin := range []string{evil, spaOrigin} {
		req, err := http.NewRequest(http.MethodGet, f.issuer+authQuery, nil)
		must(t, err)
		req.Header.Set("Origin", origin)
		r, err := noRedirects.Do(req)
		must(t, err)
		r.Body.Close()
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET /oidc/auth from %s: %d ACAO %q", origin, r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
		}
		if r := send(http.MethodOptions, "/auth", origin, "", ""); r.Header.Get("Access-Control-Allow-Origin") != "" || r.StatusCode == http.StatusNoContent {
			t.Errorf("preflight of /oidc/auth from %s: %d ACAO %q", origin, r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}
