package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/grants"
)

// challengeFor is a PKCE pair the tests reuse.
var testVerifier = oauth2.GenerateVerifier()
var testChallenge = oauth2.S256ChallengeFromVerifier(testVerifier)

// TestHostileAuthorizationRequests sends near-miss and malformed authorization requests. Until the
// client and redirect URI are trusted the answer is JSON with no Location; after, the error goes
// to the registered redirect URI with state and iss; never a code, never a 5xx.
func TestHostileAuthorizationRequests(t *testing.T) {
	f := newFixture(t)
	web := func(kv ...string) []string {
		return append([]string{"client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "state", "st"}, kv...)
	}
	spa := func(kv ...string) []string {
		return append([]string{"client_id", f.spa.ID, "redirect_uri", spaCallback, "response_type", "code", "scope", "openid", "state", "st",
			"code_challenge", testChallenge, "code_challenge_method", "S256"}, kv...)
	}
	native := func(redirect string) []string {
		return []string{"client_id", f.native.ID, "redirect_uri", redirect, "response_type", "code", "scope", "openid",
			"code_challenge", testChallenge, "code_challenge_method", "S256"}
	}
	with := func(base []string, name, value string) []string {
		out := []string{}
		for i := 0; i < len(base); i += 2 {
			if base[i] != name {
				out = append(out, base[i], base[i+1])
			}
		}
		if value != "\x00drop" {
			out = append(out, name, value)
		}
		return out
	}
	const drop = "\x00drop"
	cases := []struct {
		name   string
		params []string
		raw    string // a raw query instead of params
		// json: the error answered as JSON with status 400; redirect: the error at the
		// redirect URI (in the fragment when fragment is set); login: 303 to the sign-in page.
		json, redirect string
		fragment       bool
		login          bool
	}{
		{name: "registered redirect URI signs in", params: web(), login: true},
		{name: "unregistered redirect_uri", params: with(web(), "redirect_uri", "https://evil.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "trailing slash", params: with(web(), "redirect_uri", webCallback+"/"), json: "invalid_redirect_uri"},
		{name: "host case", params: with(web(), "redirect_uri", "https://WEB.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "path case", params: with(web(), "redirect_uri", "https://web.example.com/Callback"), json: "invalid_redirect_uri"},
		{name: "extra path", params: with(web(), "redirect_uri", webCallback+"/../evil"), json: "invalid_redirect_uri"},
		{name: "extra query", params: with(web(), "redirect_uri", webCallback+"?next=https://evil.example.com"), json: "invalid_redirect_uri"},
		{name: "userinfo before the host", params: with(web(), "redirect_uri", "https://web.example.com@evil.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "userinfo on the host", params: with(web(), "redirect_uri", "https://evil@web.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "other port on a web host", params: with(web(), "redirect_uri", "https://web.example.com:8443/callback"), json: "invalid_redirect_uri"},
		{name: "fragment", params: with(web(), "redirect_uri", webCallback+"#x"), json: "invalid_redirect_uri"},
		{name: "percent-encoded path", params: with(web(), "redirect_uri", "https://web.example.com/%63allback"), json: "invalid_redirect_uri"},
		{name: "http instead of https", params: with(web(), "redirect_uri", "http://web.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "native loopback on any port", params: native("http://127.0.0.1:50123/callback"), login: true},
		{name: "native loopback with another path", params: native("http://127.0.0.1:50123/callback/x"), json: "invalid_redirect_uri"},
		{name: "native loopback another loopback name", params: native("http://localhost:50123/callback"), json: "invalid_redirect_uri"},
		{name: "native loopback over https", params: native("https://127.0.0.1:50123/callback"), json: "invalid_redirect_uri"},
		{name: "native loopback with userinfo", params: native("http://127.0.0.1:50123@evil.example.com/callback"), json: "invalid_redirect_uri"},
		{name: "native custom scheme exact", params: native(nativeScheme), login: true},
		{name: "native custom scheme near miss", params: native(nativeScheme + "/x"), json: "invalid_redirect_uri"},
		{name: "no redirect_uri with one registered", params: with(web(), "redirect_uri", drop), login: true},
		{name: "no redirect_uri with several registered", params: with(native(nativeScheme), "redirect_uri", drop), json: "invalid_request"},
		{name: "unknown client", params: with(web(), "client_id", "nobody"), json: "invalid_client"},
		{name: "no client_id", params: with(web(), "client_id", drop), json: "invalid_request"},
		{name: "machine-to-machine client", params: with(web(), "client_id", f.m2m.ID), json: "invalid_redirect_uri"},
		{name: "oversized state", params: with(web(), "state", strings.Repeat("s", maxAuthorizeParamBytes+1)), json: "invalid_request"},
		{name: "oversized request", raw: form(web()...) + "&x=" + strings.Repeat("x", maxAuthorizeRequestBytes), json: "invalid_request"},
		{name: "state twice", raw: form(web()...) + "&state=other", json: "invalid_request"},
		{name: "NUL byte in state", params: with(web(), "state", "a\x00b"), json: "invalid_request"},
		{name: "invalid UTF-8", params: with(web(), "login_hint", "\xff"), json: "invalid_request"},
		{name: "malformed encoding", raw: form(web()...) + "&x=%zz", json: "invalid_request"},
		{name: "SPA without PKCE", params: with(with(spa(), "code_challenge", drop), "code_challenge_method", drop), redirect: "invalid_request"},
		{name: "plain PKCE", params: with(spa(), "code_challenge_method", "plain"), redirect: "invalid_request"},
		{name: "PKCE challenge without method", params: with(spa(), "code_challenge_method", drop), redirect: "invalid_request"},
		{name: "PKCE challenge too short", params: with(spa(), "code_challenge", "short"), redirect: "invalid_request"},
		{name: "implicit flow", params: with(web(), "response_type", "token"), redirect: "unsupported_response_type", fragment: true},
		{name: "hybrid flow", params: with(web(), "response_type", "code id_token"), redirect: "unsupported_response_type", fragment: true},
		{name: "no response_type", params: with(web(), "response_type", drop), redirect: "invalid_request"},
		{name: "unsupported response_mode", params: with(web(), "response_mode", "jwt"), redirect: "unsupported_response_mode"},
		{name: "request object", params: with(web(), "request", "eyJhbGciOiJub25lIn0.e30."), redirect: "request_not_supported"},
		{name: "unknown resource", params: with(web(), "resource", "https://unknown.example.com"), redirect: "invalid_target"},
		{name: "relative resource", params: with(web(), "resource", "api"), redirect: "invalid_target"},
		{name: "resource of another tenant", params: with(web(), "resource", otherIndicator), redirect: "invalid_target"},
		{name: "scope with a quote", params: with(web(), "scope", `openid "x"`), redirect: "invalid_scope"},
		{name: "neither openid nor resource", params: with(web(), "scope", "profile"), redirect: "invalid_scope"},
		{name: "nonce without openid", params: with(with(web(), "scope", "read"), "nonce", "n"), redirect: "invalid_request"},
		{name: "unknown prompt", params: with(web(), "prompt", "select_account"), redirect: "invalid_request"},
		{name: "prompt none with login", params: with(web(), "prompt", "none login"), redirect: "invalid_request"},
		{name: "prompt none without a session", params: with(web(), "prompt", "none"), redirect: "login_required"},
		{name: "negative max_age", params: with(web(), "max_age", "-1"), redirect: "invalid_request"},
		{name: "garbage max_age", params: with(web(), "max_age", "1e3"), redirect: "invalid_request"},
		{name: "forged id_token_hint", params: with(web(), "id_token_hint", "eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJ4In0.c2ln"), redirect: "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := f.newBrowser(t)
			query := tc.raw
			if query == "" {
				query = form(tc.params...)
			}
			p := b.get(f.issuer + "/auth?" + query)
			loc := p.Header.Get("Location")
			switch {
			case tc.login:
				if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/sign-in?") {
					t.Fatalf("status %d Location %q, want 303 to /sign-in; body %s", p.StatusCode, loc, p.body)
				}
			case tc.json != "":
				if p.StatusCode != http.StatusBadRequest || loc != "" {
					t.Fatalf("status %d Location %q, want 400 without a redirect; body %s", p.StatusCode, loc, p.body)
				}
				var body map[string]string
				must(t, json.Unmarshal([]byte(p.body), &body))
				if body["error"] != tc.json || body["code"] != "oidc."+tc.json {
					t.Fatalf("body %s, want error %s", p.body, tc.json)
				}
			default:
				if p.StatusCode != http.StatusSeeOther {
					t.Fatalf("status %d, want 303 to the redirect URI; body %s", p.StatusCode, p.body)
				}
				u := p.location(t)
				params := u.Query()
				if tc.fragment {
					params, _ = url.ParseQuery(u.Fragment)
				}
				if params.Get("error") != tc.redirect || params.Get("state") != "st" || params.Get("iss") != f.issuer {
					t.Fatalf("redirected to %s; want error %s with state and iss", u, tc.redirect)
				}
				if params.Has("code") || !strings.HasPrefix(u.String(), spaCallback) && !strings.HasPrefix(u.String(), webCallback) {
					t.Fatalf("error redirect %s carries a code or leaves the registered URI", u)
				}
			}
		})
	}
}

// tokenResult is a decoded token endpoint answer.
type tokenResult struct {
	status int
	body   map[string]any
}

func (r tokenResult) str(name string) string { s, _ := r.body[name].(string); return s }

func (f *fixture) token(t *testing.T, auth string, kv ...string) tokenResult {
	t.Helper()
	resp, body := do(t, f, tokenCase{auth: auth, body: form(kv...)})
	out := tokenResult{status: resp.StatusCode}
	must(t, json.Unmarshal(body, &out.body))
	return out
}

// spaCode signs alice into the SPA in a fresh browser (with offline_access and prompt=consent, so
// a refresh token comes with the code) and returns the code.
func (f *fixture) spaCode(t *testing.T, extra ...string) string {
	t.Helper()
	b := f.newBrowser(t)
	q := b.signInFlow(f.spa.ID, spaCallback, f.alice, append([]string{"scope", "openid offline_access profile", "prompt", "consent",
		"code_challenge", testChallenge, "code_challenge_method", "S256"}, extra...)...)
	return q.Get("code")
}

func (f *fixture) exchangeSPA(t *testing.T, code string) tokenResult {
	t.Helper()
	return f.token(t, "", "grant_type", "authorization_code", "client_id", f.spa.ID, "code", code,
		"redirect_uri", spaCallback, "code_verifier", testVerifier)
}

func (f *fixture) refreshSPA(t *testing.T, refresh string) tokenResult {
	t.Helper()
	return f.token(t, "", "grant_type", "refresh_token", "client_id", f.spa.ID, "refresh_token", refresh)
}

// userinfoStatus calls /oidc/me with an access token.
func (f *fixture) userinfoStatus(t *testing.T, accessToken string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.issuer+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func wantInvalidGrant(t *testing.T, r tokenResult, what string) {
	t.Helper()
	if r.status != http.StatusBadRequest || r.str("error") != "invalid_grant" || r.str("access_token") != "" {
		t.Fatalf("%s: %d %v, want 400 invalid_grant and no token", what, r.status, r.body)
	}
}

// TestHostileTokenRequests covers what a thief or a confused client does with codes and refresh
// tokens. Each case checks the answer and that nothing usable is left behind.
func TestHostileTokenRequests(t *testing.T) {
	t.Run("code without verifier, wrong verifier, other redirect_uri, other client: refused, code stays the client's", func(t *testing.T) {
		f := newFixture(t)
		code := f.spaCode(t)
		base := []string{"grant_type", "authorization_code", "client_id", f.spa.ID, "code", code, "redirect_uri", spaCallback}
		wantInvalidGrant(t, f.token(t, "", base...), "missing code_verifier")
		wantInvalidGrant(t, f.token(t, "", append(base, "code_verifier", oauth2.GenerateVerifier())...), "wrong code_verifier")
		wantInvalidGrant(t, f.token(t, "", "grant_type", "authorization_code", "client_id", f.spa.ID, "code", code,
			"redirect_uri", spaCallback+"/x", "code_verifier", testVerifier), "redirect_uri mismatch")
		wantInvalidGrant(t, f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "authorization_code", "code", code,
			"redirect_uri", spaCallback, "code_verifier", testVerifier), "code of another client")
		if r := f.token(t, "", append(base, "code_verifier", "short")...); r.status != http.StatusBadRequest || r.str("error") != "invalid_request" {
			t.Fatalf("malformed code_verifier: %d %v", r.status, r.body)
		}
		wantInvalidGrant(t, f.token(t, "", "grant_type", "authorization_code", "client_id", f.spa.ID, "code", "bogus",
			"redirect_uri", spaCallback, "code_verifier", testVerifier), "bogus code")
		// None of that burnt the code: its client still redeems it.
		if r := f.exchangeSPA(t, code); r.status != http.StatusOK {
			t.Fatalf("legitimate exchange after the attempts: %d %v", r.status, r.body)
		}
	})

	t.Run("replayed code revokes what the first exchange issued", func(t *testing.T) {
		f := newFixture(t)
		code := f.spaCode(t)
		first := f.exchangeSPA(t, code)
		if first.status != http.StatusOK || first.str("refresh_token") == "" {
			t.Fatalf("first exchange: %d %v", first.status, first.body)
		}
		if s := f.userinfoStatus(t, first.str("access_token")); s != http.StatusOK {
			t.Fatalf("userinfo before the replay: %d", s)
		}
		wantInvalidGrant(t, f.exchangeSPA(t, code), "replayed code")
		wantInvalidGrant(t, f.refreshSPA(t, first.str("refresh_token")), "the first exchange's refresh token after a replay")
		if s := f.userinfoStatus(t, first.str("access_token")); s != http.StatusUnauthorized {
			t.Fatalf("the first exchange's access token after a replay: %d, want 401", s)
		}
	})

	t.Run("expired code", func(t *testing.T) {
		f := newFixture(t)
		code := f.spaCode(t)
		f.clk.Advance(61 * time.Second)
		wantInvalidGrant(t, f.exchangeSPA(t, code), "code after 60 s")
	})

	t.Run("reused rotated refresh token revokes the grant; within the leeway it still works", func(t *testing.T) {
		f := newFixture(t)
		first := f.exchangeSPA(t, f.spaCode(t))
		rt1 := first.str("refresh_token")
		second := f.refreshSPA(t, rt1)
		rt2 := second.str("refresh_token")
		if second.status != http.StatusOK || rt2 == "" || rt2 == rt1 {
			t.Fatalf("public clients rotate on every refresh: %d %v", second.status, second.body)
		}
		f.clk.Advance(time.Second)
		if leeway := f.refreshSPA(t, rt1); leeway.status != http.StatusOK {
			t.Fatalf("reuse within Logto's 3 s leeway: %d %v", leeway.status, leeway.body)
		}
		f.clk.Advance(3 * time.Second)
		wantInvalidGrant(t, f.refreshSPA(t, rt1), "reuse after the leeway")
		wantInvalidGrant(t, f.refreshSPA(t, rt2), "the newest rotated token after reuse")
		if s := f.userinfoStatus(t, second.str("access_token")); s != http.StatusUnauthorized {
			t.Fatalf("access token of the revoked grant: %d", s)
		}
	})

	t.Run("refresh token of another client, expired, narrowed and widened scope", func(t *testing.T) {
		f := newFixture(t)
		rt := f.exchangeSPA(t, f.spaCode(t)).str("refresh_token")
		wantInvalidGrant(t, f.token(t, "", "grant_type", "refresh_token", "client_id", f.native.ID, "refresh_token", rt), "another client's refresh token")
		if r := f.token(t, "", "grant_type", "refresh_token", "client_id", f.spa.ID, "refresh_token", rt, "scope", "openid email"); r.status != http.StatusBadRequest ||
			r.str("error") != "invalid_scope" || r.str("scope") != "email" {
			t.Fatalf("widening the scope: %d %v", r.status, r.body)
		}
		narrowed := f.token(t, "", "grant_type", "refresh_token", "client_id", f.spa.ID, "refresh_token", rt, "scope", "openid")
		if narrowed.status != http.StatusOK || narrowed.str("scope") != "openid" {
			t.Fatalf("narrowing the scope: %d %v", narrowed.status, narrowed.body)
		}
		f.clk.Advance(grants.DefaultRefreshTokenTTL + time.Second)
		wantInvalidGrant(t, f.refreshSPA(t, narrowed.str("refresh_token")), "expired refresh token")
	})

	t.Run("suspended user", func(t *testing.T) {
		f := newFixture(t)
		// Signing in as a suspended user ends in access_denied, without a code.
		b := f.newBrowser(t)
		authURL := b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "state", "x")
		b.loginHop(authURL, f.web.ID)
		q := b.callback(b.get(b.signIn(f.web.ID, f.mallory, nil)), webCallback)
		if q.Get("error") != "access_denied" || q.Has("code") {
			t.Fatalf("suspended user's sign-in: %v", q)
		}
		// A user suspended after sign-in can neither refresh nor read userinfo; unsuspended, the
		// untouched token works again (Logto's provider-semantics test).
		tok := f.exchangeSPA(t, f.spaCode(t))
		users := f.st.Tenant(model.DefaultTenantID).Users()
		must(t, users.SetSuspended(context.Background(), f.alice.ID, true, f.clk.Now().UnixMilli()))
		wantInvalidGrant(t, f.refreshSPA(t, tok.str("refresh_token")), "refresh of a suspended user")
		if s := f.userinfoStatus(t, tok.str("access_token")); s != http.StatusUnauthorized {
			t.Fatalf("userinfo of a suspended user: %d", s)
		}
		must(t, users.SetSuspended(context.Background(), f.alice.ID, false, f.clk.Now().UnixMilli()))
		if r := f.refreshSPA(t, tok.str("refresh_token")); r.status != http.StatusOK {
			t.Fatalf("refresh after unsuspension: %d %v", r.status, r.body)
		}
	})
}

// TestHostileLogout: post_logout_redirect_uri is never an open redirect.
func TestHostileLogout(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	q := b.signInFlow(f.web.ID, webCallback, f.alice, "scope", "openid")
	idToken := f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "authorization_code", "code", q.Get("code"), "redirect_uri", webCallback).str("id_token")

	for _, tc := range []struct {
		name   string
		params []string
	}{
		{"unregistered URI with a hint", []string{"id_token_hint", idToken, "post_logout_redirect_uri", "https://evil.example.com/"}},
		{"unregistered URI with client_id", []string{"client_id", f.web.ID, "post_logout_redirect_uri", "https://evil.example.com/"}},
		{"near miss", []string{"client_id", f.web.ID, "post_logout_redirect_uri", webLoggedOut + "/"}},
		{"another app's URI", []string{"client_id", f.partner.ID, "post_logout_redirect_uri", webCallback}},
		{"hint and client_id disagree", []string{"id_token_hint", idToken, "client_id", f.spa.ID, "post_logout_redirect_uri", webLoggedOut}},
		{"forged hint", []string{"id_token_hint", idToken[:len(idToken)-4] + "AAAA", "post_logout_redirect_uri", webLoggedOut}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(f.issuer + "/session/end?" + form(tc.params...))
			if p.StatusCode != http.StatusBadRequest || p.Header.Get("Location") != "" || !strings.Contains(p.body, "invalid_") {
				t.Fatalf("status %d Location %q body %s; want a 400 error and no redirect", p.StatusCode, p.Header.Get("Location"), p.body)
			}
		})
	}
	t.Run("without a client the URI is ignored", func(t *testing.T) {
		done := b.submitAutoPost(b.get(f.issuer + "/session/end?" + form("post_logout_redirect_uri", "https://evil.example.com/")))
		if loc := done.location(t); done.StatusCode != http.StatusSeeOther || loc.String() != f.issuer+"/session/end/success" {
			t.Fatalf("logout without a client went to %s", loc)
		}
		if ok := b.get(f.issuer + "/session/end/success"); ok.StatusCode != http.StatusOK {
			t.Fatalf("success page: %d", ok.StatusCode)
		}
	})
	t.Run("confirmation needs the xsrf secret of this browser", func(t *testing.T) {
		other := f.newBrowser(t)
		p := other.postForm(f.issuer+"/session/end/confirm", url.Values{"xsrf": {"guess"}, "logout": {"yes"}})
		if p.StatusCode != http.StatusBadRequest {
			t.Fatalf("confirmation without the logout cookie: %d", p.StatusCode)
		}
		page := b.get(f.issuer + "/session/end?" + form("client_id", f.web.ID))
		if !strings.Contains(page.body, `name="xsrf"`) {
			t.Fatalf("logout page %s", page.body)
		}
		p = b.postForm(f.issuer+"/session/end/confirm", url.Values{"xsrf": {"wrong"}, "logout": {"yes"}})
		if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.body, "xsrf token invalid") {
			t.Fatalf("confirmation with a wrong xsrf: %d %s", p.StatusCode, p.body)
		}
	})
}
