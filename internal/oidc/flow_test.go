package oidc

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// TestAuthorizationCodeFlowWithIndependentClients signs alice into the Traditional web app the way
// a real relying party does it with golang.org/x/oauth2 and coreos/go-oidc: discovery, PKCE,
// state and nonce, code exchange with client_secret_basic, ID token verification against the
// JWKS, userinfo, refresh, and RP-initiated logout.
func TestAuthorizationCodeFlowWithIndependentClients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, f.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{
		ClientID: f.web.ID, ClientSecret: f.webSecret, Endpoint: provider.Endpoint(), RedirectURL: webCallback,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess, "roles"},
	}
	b := f.newBrowser(t)
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-456"),
		oauth2.SetAuthURLParam("prompt", "consent"))

	// The app sends the browser to /oidc/auth; Gatehouse sends it on to its sign-in page.
	b.loginHop(authURL, f.web.ID)
	// The experience signs alice in and sends the browser back; Gatehouse answers the app.
	resp := b.callback(b.get(b.signIn(f.web.ID, f.alice, nil)), webCallback)
	if resp.Get("state") != "state-123" || resp.Get("iss") != f.issuer || resp.Get("code") == "" {
		t.Fatalf("authorization response %v: want code, the state and iss (RFC 9207)", resp)
	}

	tok, err := cfg.Exchange(ctx, resp.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || strings.Contains(tok.AccessToken, ".") {
		t.Fatalf("token = %+v; want Bearer, a refresh token (offline_access with prompt=consent), an opaque access token", tok)
	}
	if got := tok.Extra("scope"); got != "openid profile email offline_access roles" {
		t.Errorf("scope = %v", got)
	}
	if d := time.Until(tok.Expiry); d < 3500*time.Second || d > 3600*time.Second {
		t.Errorf("access token expires in %v, want an hour", d)
	}

	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: f.web.ID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	if idToken.Nonce != "nonce-456" || idToken.Subject != f.alice.ID {
		t.Errorf("ID token nonce %q sub %q", idToken.Nonce, idToken.Subject)
	}
	var idClaims map[string]any
	must(t, idToken.Claims(&idClaims))
	// Profile claims travel in the ID token (Auth.js and LobeChat read them there), valued as Logto.
	for name, want := range map[string]any{
		"name": "Alice Liddell", "username": "alice", "preferred_username": "alice", "picture": nil,
		"given_name": "Alice", "family_name": "Liddell", "locale": "en-GB",
		"email": "alice@example.com", "email_verified": true, "roles": []any{"api user"},
		"created_at": float64(f.alice.CreatedAt), "updated_at": float64(f.alice.UpdatedAt),
	} {
		if got, ok := idClaims[name]; !ok || !equalJSON(got, want) {
			t.Errorf("ID token %s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	for _, absent := range []string{"at_hash", "custom_data", "phone_number", "website"} {
		if _, ok := idClaims[absent]; ok {
			t.Errorf("ID token carries %s: %v", absent, idClaims[absent])
		}
	}
	if idClaims["sid"] == nil || idClaims["auth_time"] == nil {
		t.Errorf("ID token lacks sid or auth_time: %v", idClaims)
	}
	if exp := time.Until(idToken.Expiry); exp < 3500*time.Second || exp > 3600*time.Second {
		t.Errorf("ID token expires in %v, want idTokenTtl 3600 s", exp)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var infoClaims map[string]any
	must(t, info.Claims(&infoClaims))
	if info.Subject != f.alice.ID || info.Email != "alice@example.com" || !info.EmailVerified ||
		!equalJSON(infoClaims["roles"], []any{"api user"}) || infoClaims["name"] != "Alice Liddell" {
		t.Errorf("userinfo = %v", infoClaims)
	}

	// A confidential client's refresh token is not rotated before 70% of its life.
	refreshed, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.AccessToken == tok.AccessToken || refreshed.RefreshToken != tok.RefreshToken {
		t.Errorf("refresh gave access %q refresh %q", refreshed.AccessToken, refreshed.RefreshToken)
	}
	if raw, _ := refreshed.Extra("id_token").(string); raw == "" {
		t.Error("refresh issued no ID token")
	} else if _, err := provider.Verifier(&oidc.Config{ClientID: f.web.ID}).Verify(ctx, raw); err != nil {
		t.Errorf("refreshed ID token: %v", err)
	}

	// RP-initiated logout, as LibreChat and Open WebUI do it.
	var discovery struct {
		EndSession string `json:"end_session_endpoint"`
	}
	must(t, provider.Claims(&discovery))
	endURL := discovery.EndSession + "?" + form("id_token_hint", rawID, "post_logout_redirect_uri", webLoggedOut, "state", "bye")
	confirm := b.get(endURL)
	if confirm.StatusCode != http.StatusOK || !strings.Contains(confirm.body, `id="op.logoutForm"`) {
		t.Fatalf("session/end: status %d body %s", confirm.StatusCode, confirm.body)
	}
	done := b.submitAutoPost(confirm)
	if loc := done.location(t); done.StatusCode != http.StatusSeeOther || loc.String() != webLoggedOut+"?state=bye" {
		t.Fatalf("logout confirmation: %d to %s", done.StatusCode, loc)
	}
	// The browser is signed out: a silent authorization now needs a login.
	silent := b.get(b.authorizeURL("client_id", f.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid", "prompt", "none", "state", "s"))
	if q := b.callback(silent, webCallback); q.Get("error") != "login_required" || q.Get("state") != "s" || q.Get("iss") != f.issuer {
		t.Errorf("prompt=none after logout: %v", q)
	}
	// offline_access was granted, so the refresh token outlives the logout, as in Logto.
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("an offline_access refresh token died with the session: %v", err)
	}
}

// TestPublicClientAndSingleSignOn: a SPA signs in with PKCE and gets no refresh token
// (offline_access without prompt=consent is dropped, as Logto does); then a native app in the same
// browser gets its code without the user signing in again, at a loopback redirect on a port of
// its choosing (RFC 8252 §7.3).
func TestPublicClientAndSingleSignOn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, f.issuer)
	must(t, err)
	b := f.newBrowser(t)

	spa := oauth2.Config{ClientID: f.spa.ID, Endpoint: provider.Endpoint(), RedirectURL: spaCallback,
		Scopes: []string{"openid", "offline_access", "profile"}}
	spa.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	verifier := oauth2.GenerateVerifier()
	b.loginHop(spa.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier)), f.spa.ID)
	code := b.callback(b.get(b.signIn(f.spa.ID, f.alice, nil)), spaCallback).Get("code")
	tok, err := spa.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("SPA exchange: %v", err)
	}
	if tok.RefreshToken != "" || tok.Extra("scope") != "openid profile" {
		t.Errorf("SPA token: refresh %q scope %v; offline_access must be dropped without prompt=consent", tok.RefreshToken, tok.Extra("scope"))
	}

	redirect := "http://127.0.0.1:53682/callback" // the registered loopback URI, another port
	native := oauth2.Config{ClientID: f.native.ID, Endpoint: spa.Endpoint, RedirectURL: redirect, Scopes: []string{"openid", "email"}}
	nativeVerifier := oauth2.GenerateVerifier()
	p := b.get(native.AuthCodeURL("s2", oauth2.S256ChallengeOption(nativeVerifier)))
	q := b.callback(p, redirect)
	if q.Get("code") == "" || q.Get("state") != "s2" {
		t.Fatalf("single sign-on: %v; want a code at once, without the sign-in page", q)
	}
	nativeTok, err := native.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(nativeVerifier))
	if err != nil {
		t.Fatalf("native exchange: %v", err)
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: f.native.ID}).Verify(ctx, nativeTok.Extra("id_token").(string))
	must(t, err)
	var c struct {
		Email string `json:"email"`
		SID   string `json:"sid"`
		Name  *string
	}
	must(t, idToken.Claims(&c))
	if idToken.Subject != f.alice.ID || c.Email != "alice@example.com" || c.SID == "" {
		t.Errorf("native ID token sub %s claims %+v", idToken.Subject, c)
	}
}

// TestFormPostAndThirdPartyConsent: a third-party app is sent to the consent page after sign-in,
// gets only what the user consented to, and receives its code through form_post.
func TestFormPostAndThirdPartyConsent(t *testing.T) {
	f := newFixture(t)
	b := f.newBrowser(t)
	authURL := b.authorizeURL("client_id", f.partner.ID, "redirect_uri", partnerCallback, "response_type", "code",
		"scope", "openid profile email read write", "resource", apiIndicator, "response_mode", "form_post", "state", "st<>")
	b.loginHop(authURL, f.partner.ID)
	resume := b.signIn(f.partner.ID, f.alice, nil)
	p := b.get(resume)
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/consent?app_id="+f.partner.ID {
		t.Fatalf("third-party app without consent: %d %s; want 303 /consent?app_id=…", p.StatusCode, p.Header.Get("Location"))
	}
	// The consent page records what the user allowed and sends the browser back.
	uid := b.interactionUID(f.partner.ID)
	in, err := f.svc.GetInteraction(t.Context(), model.DefaultTenantID, uid)
	must(t, err)
	in.Result.Consent = &model.InteractionConsent{Scopes: []string{"profile"}, ResourceScopes: map[string][]string{apiIndicator: {"read"}}}
	_, err = f.svc.SaveInteraction(t.Context(), model.DefaultTenantID, in)
	must(t, err)
	post := b.get(resume)
	if post.StatusCode != http.StatusOK || !strings.Contains(post.body, `action="`+partnerCallback+`"`) {
		t.Fatalf("form_post: %d %s", post.StatusCode, post.body)
	}
	fields := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(post.body, -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	if fields.Get("state") != "st<>" || fields.Get("iss") != f.issuer || fields.Get("code") == "" {
		t.Fatalf("form_post fields %v", fields)
	}
	tc := tokenCase{auth: basic(f.partner.ID, f.partnerSecret), body: form("grant_type", "authorization_code",
		"code", fields.Get("code"), "redirect_uri", partnerCallback, "resource", apiIndicator)}
	resp, body := do(t, f, tc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("exchange: %d %s", resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	must(t, json.Unmarshal(body, &tok))
	claims, _ := verifyWithJWKS(t, f, tok.AccessToken)
	if claims.Scope != "read" || claims.Subject != f.alice.ID || claims.Audience[0] != apiIndicator {
		t.Errorf("third-party API token scope %q sub %s aud %v; want only the consented read", claims.Scope, claims.Subject, claims.Audience)
	}
}
