package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// updateApp changes an application in the store and tells the provider's caches, as the
// service does after its writes.
func (f *fixture) updateApp(t *testing.T, app model.Application, change func(*model.Application)) {
	t.Helper()
	change(&app)
	must(t, f.st.Tenant(model.DefaultTenantID).Applications().Update(context.Background(), app))
	f.fresh.Invalidate(model.DefaultTenantID)
}

func (f *fixture) webCode(t *testing.T, b *browser, kv ...string) string {
	t.Helper()
	return b.signInFlow(f.web.ID, webCallback, f.alice, kv...).Get("code")
}

func (f *fixture) exchangeWeb(t *testing.T, code string, kv ...string) tokenResult {
	t.Helper()
	return f.token(t, basic(f.web.ID, f.webSecret), append([]string{"grant_type", "authorization_code", "code", code, "redirect_uri", webCallback}, kv...)...)
}

func TestRefreshTokenPolicies(t *testing.T) {
	f := newFixture(t)
	t.Run("alwaysIssueRefreshToken gives a web app a refresh token without offline_access", func(t *testing.T) {
		plain := f.exchangeWeb(t, f.webCode(t, f.newBrowser(t), "scope", "openid"))
		if plain.status != http.StatusOK || plain.str("refresh_token") != "" {
			t.Fatalf("without offline_access: %v", plain.body)
		}
		f.updateApp(t, f.web, func(a *model.Application) { a.CustomClientMetadata.AlwaysIssueRefreshToken = ptrTo(true) })
		always := f.exchangeWeb(t, f.webCode(t, f.newBrowser(t), "scope", "openid"))
		if always.status != http.StatusOK || always.str("refresh_token") == "" {
			t.Fatalf("with alwaysIssueRefreshToken: %v", always.body)
		}
	})

	t.Run("confidential clients rotate once 70% of the lifetime passed", func(t *testing.T) {
		tok := f.exchangeWeb(t, f.webCode(t, f.newBrowser(t), "scope", "openid offline_access", "prompt", "consent"))
		rt := tok.str("refresh_token")
		refresh := func(rt string) tokenResult {
			return f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "refresh_token", "refresh_token", rt)
		}
		f.clk.Advance(9 * 24 * time.Hour)
		if r := refresh(rt); r.status != http.StatusOK || r.str("refresh_token") != rt {
			t.Fatalf("at 9 of 14 days: %v; want the same refresh token", r.body)
		}
		f.clk.Advance(24 * time.Hour)
		r := refresh(rt)
		if r.status != http.StatusOK || r.str("refresh_token") == rt || r.str("refresh_token") == "" {
			t.Fatalf("at 10 of 14 days: %v; want a rotated refresh token", r.body)
		}
		// A confidential client's rotated token gets a full new lifetime.
		_, _, body := f.post(t, "/token/introspection", basic(f.web.ID, f.webSecret), "token", r.str("refresh_token"))
		var got map[string]any
		must(t, json.Unmarshal(body, &got))
		if exp := int64(got["exp"].(float64)); exp-f.clk.Now().Unix() < int64(13*24*time.Hour/time.Second) {
			t.Fatalf("rotated token expires in %d s", exp-f.clk.Now().Unix())
		}
	})

	t.Run("SPA rotations keep the remaining lifetime", func(t *testing.T) {
		tok := f.exchangeSPA(t, f.spaCode(t))
		f.clk.Advance(5 * 24 * time.Hour)
		r := f.refreshSPA(t, tok.str("refresh_token"))
		_, _, body := f.post(t, "/token/introspection", "", "client_id", f.spa.ID, "token", r.str("refresh_token"))
		var got map[string]any
		must(t, json.Unmarshal(body, &got))
		if left := time.Duration(int64(got["exp"].(float64))-f.clk.Now().Unix()) * time.Second; left > 9*24*time.Hour+time.Minute {
			t.Fatalf("rotated SPA token lives %v more; want the 9 days left of the first", left)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

func TestResourceAccessTokens(t *testing.T) {
	f := newFixture(t)
	// Alice holds read and write on the API through her role, not admin.
	code := f.webCode(t, f.newBrowser(t), "scope", "openid offline_access read write admin", "prompt", "consent", "resource", apiIndicator)
	tok := f.exchangeWeb(t, code, "resource", apiIndicator)
	if tok.status != http.StatusOK || tok.str("scope") != "read write" || tok.str("id_token") == "" {
		t.Fatalf("code exchange for the API: %v", tok.body)
	}
	claims, header := verifyWithJWKS(t, f, tok.str("access_token"))
	if header.ExtraHeaders["typ"] != "at+jwt" || claims.Scope != "read write" || claims.Subject != f.alice.ID ||
		claims.ClientID != f.web.ID || claims.Audience[0] != apiIndicator {
		t.Fatalf("API token: header %v claims %+v", header.ExtraHeaders, claims)
	}
	if exp := time.Until(claims.Expiry.Time()); exp < 7000*time.Second || exp > 7200*time.Second {
		t.Errorf("API token lives %v, want the resource's 7200 s", exp)
	}
	// A narrower scope on refresh; a resource not asked for at authorization is refused.
	narrow := f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token"),
		"resource", apiIndicator, "scope", "read")
	if narrow.str("scope") != "read" {
		t.Errorf("narrowed refresh: %v", narrow.body)
	}
	other := f.token(t, basic(f.web.ID, f.webSecret), "grant_type", "refresh_token", "refresh_token", tok.str("refresh_token"), "resource", billingIndicator)
	if other.status != http.StatusBadRequest || other.str("error") != "invalid_target" {
		t.Errorf("refresh for a resource not granted: %d %v", other.status, other.body)
	}

	// Without openid and without a resource parameter, the default resource is the audience.
	must(t, f.st.Tenant(model.DefaultTenantID).Resources().SetDefault(context.Background(), f.api.ID, true))
	f.fresh.Invalidate(model.DefaultTenantID)
	code = f.webCode(t, f.newBrowser(t), "scope", "read")
	plain := f.exchangeWeb(t, code)
	if plain.status != http.StatusOK || strings.Count(plain.str("access_token"), ".") != 2 || plain.str("id_token") != "" {
		t.Fatalf("default resource: %v", plain.body)
	}
	if c, _ := verifyWithJWKS(t, f, plain.str("access_token")); c.Audience[0] != apiIndicator || c.Scope != "read" {
		t.Errorf("default resource token: %+v", c)
	}
}

func TestPromptsAndSessions(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	f.webCode(t, b, "scope", "openid")
	base := []string{"client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "state", "s"}

	if q := b.callback(b.get(b.authorizeURL(append(base, "prompt", "none")...)), webCallback); q.Get("code") == "" {
		t.Fatalf("prompt=none with a session: %v", q)
	}
	// prompt=login and max_age=0 ask again even with a session.
	b.loginHop(b.authorizeURL(append(base, "prompt", "login")...), f.web.ID)
	b.loginHop(b.authorizeURL(append(base, "max_age", "0")...), f.web.ID)
	// max_age: fine right after the sign-in, a new sign-in once it passed.
	if q := b.callback(b.get(b.authorizeURL(append(base, "max_age", "60")...)), webCallback); q.Get("code") == "" {
		t.Fatalf("max_age within: %v", q)
	}
	f.clk.Advance(2 * time.Minute)
	if q := b.callback(b.get(b.authorizeURL(append(base, "max_age", "60", "prompt", "none")...)), webCallback); q.Get("error") != "login_required" {
		t.Fatalf("max_age passed with prompt=none: %v", q)
	}
	// The session ends after its TTL.
	f.clk.Advance(15 * 24 * time.Hour)
	if q := b.callback(b.get(b.authorizeURL(append(base, "prompt", "none")...)), webCallback); q.Get("error") != "login_required" {
		t.Fatalf("expired session: %v", q)
	}
}

func TestInteractionResume(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	authURL := b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid")
	b.loginHop(authURL, f.web.ID)
	uid := b.interactionUID(f.web.ID)
	resume := f.issuer + "/auth/" + uid

	// Before the sign-in, the browser is sent back to the sign-in page.
	if p := b.get(resume); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/sign-in?app_id=") {
		t.Fatalf("resume before sign-in: %d %s", p.StatusCode, p.Header.Get("Location"))
	}
	b.signIn(f.web.ID, f.alice, nil)
	// Another browser cannot finish this interaction (login CSRF): it lacks the cookie.
	if p := f.newBrowser(t).get(resume); p.StatusCode != http.StatusBadRequest || !strings.Contains(p.body, `"session.not_found"`) {
		t.Fatalf("resume from another browser: %d %s", p.StatusCode, p.body)
	}
	if q := b.callback(b.get(resume), webCallback); q.Get("code") == "" {
		t.Fatalf("resume: %v", q)
	}
	// One sign-in, one code.
	if p := b.get(resume); p.StatusCode != http.StatusBadRequest || !strings.Contains(p.body, `"session.not_found"`) {
		t.Fatalf("second resume: %d %s", p.StatusCode, p.body)
	}
	// An interaction expires after an hour.
	b2 := f.newBrowser(t)
	b2.loginHop(authURL, f.web.ID)
	late := b2.signIn(f.web.ID, f.alice, nil)
	f.clk.Advance(time.Hour + time.Second)
	if p := b2.get(late); p.StatusCode != http.StatusBadRequest || !strings.Contains(p.body, `"session.not_found"`) {
		t.Fatalf("resume after an hour: %d %s", p.StatusCode, p.body)
	}
}

func TestExperiencePromptURL(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	base := []string{"client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid"}
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{[]string{"first_screen", "register", "ui_locales", "zh-CN", "login_hint", "a@b.c"},
			"/register?app_id=" + f.web.ID + "&ui_locales=zh-CN&login_hint=a%40b.c"},
		{[]string{"interaction_mode", "signUp"}, "/register?app_id=" + f.web.ID},
		{[]string{"first_screen", "identifier:sign_in"}, "/identifier-sign-in?app_id=" + f.web.ID},
		{[]string{"first_screen", "bogus"}, "/sign-in?app_id=" + f.web.ID},
		{[]string{"direct_sign_in", "social:github"}, "/direct/social/github?app_id=" + f.web.ID + "&fallback=sign-in"},
	} {
		p := b.get(b.authorizeURL(append(base, tc.extra...)...))
		if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != tc.want {
			t.Errorf("%v: %d %q, want %q", tc.extra, p.StatusCode, p.Header.Get("Location"), tc.want)
		}
	}
}

// TestSuspendedSessionUser: a session whose user was suspended no longer signs anybody in.
func TestSuspendedSessionUser(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	f.webCode(t, b, "scope", "openid")
	must(t, f.st.Tenant(model.DefaultTenantID).Users().SetSuspended(context.Background(), f.alice.ID, true, f.clk.Now().UnixMilli()))
	q := b.callback(b.get(b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code",
		"scope", "openid", "prompt", "none")), webCallback)
	if q.Get("error") != "login_required" {
		t.Fatalf("prompt=none for a suspended user's session: %v", q)
	}
}

// TestTwoInteractionsInOneBrowser: with sign-ins for two apps open in one browser, each resume
// finds its own interaction through the per-client _interaction cookie map (Logto's format).
func TestTwoInteractionsInOneBrowser(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	b.loginHop(b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid"), f.web.ID)
	webUID := b.interactionUID(f.web.ID)
	b.loginHop(b.authorizeURL("client_id", f.spa.ID, "redirect_uri", spaCallback, "response_type", "code", "scope", "openid",
		"code_challenge", testChallenge, "code_challenge_method", "S256"), f.spa.ID)
	if spaUID := b.interactionUID(f.spa.ID); spaUID == webUID {
		t.Fatal("both apps share one interaction")
	}
	if q := b.callback(b.get(b.signIn(f.web.ID, f.alice, nil)), webCallback); q.Get("code") == "" {
		t.Fatalf("the first app's sign-in: %v", q)
	}
	if q := b.callback(b.get(b.signIn(f.spa.ID, f.alice, nil)), spaCallback); q.Get("code") == "" {
		t.Fatalf("the second app's sign-in: %v", q)
	}
}

// TestRequirePKCE: a confidential client keeps Logto's default (PKCE optional, verified when
// used) until its customClientMetadata.requirePkce is set; then the authorization endpoint
// refuses a request without a challenge, and the token endpoint refuses a code issued without one
// (RFC 9700 §2.1.1).
func TestRequirePKCE(t *testing.T) {
	f := newFixture(t)
	if tok := f.exchangeWeb(t, f.webCode(t, f.newBrowser(t), "scope", "openid")); tok.status != http.StatusOK {
		t.Fatalf("a confidential client without PKCE, by default: %d %v", tok.status, tok.body)
	}
	codeBefore := f.webCode(t, f.newBrowser(t), "scope", "openid")

	f.updateApp(t, f.web, func(a *model.Application) { a.CustomClientMetadata.RequirePKCE = ptrTo(true) })

	// The authorization endpoint answers at the redirect URI, as for a public client.
	b := f.newBrowser(t)
	p := b.get(b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "state", "s1"))
	q := b.callback(p, webCallback)
	if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "requires PKCE") || q.Get("state") != "s1" {
		t.Fatalf("authorization without a challenge: %v", q)
	}
	// A code issued before the switch, without a challenge, no longer redeems.
	wantInvalidGrant(t, f.exchangeWeb(t, codeBefore), "a code without PKCE after requirePkce")
	// With PKCE the client signs in as before.
	code := f.webCode(t, f.newBrowser(t), "scope", "openid", "code_challenge", testChallenge, "code_challenge_method", "S256")
	if tok := f.exchangeWeb(t, code, "code_verifier", testVerifier); tok.status != http.StatusOK {
		t.Fatalf("with PKCE: %d %v", tok.status, tok.body)
	}
}
