package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// browser is a cookie-keeping client that does not follow redirects by itself.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{
		Jar: jar, Transport: server.client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// follow GETs u and its redirects until a Location starts with stop (returned unfetched), or a
// page answers (returned with its status).
func (b *browser) follow(u, stop string) (string, int) {
	b.t.Helper()
	for i := 0; i < 20; i++ {
		if stop != "" && strings.HasPrefix(u, stop) {
			return u, 0
		}
		resp, err := b.c.Get(u)
		if err != nil {
			b.t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				b.t.Fatal(err)
			}
			u = next.String()
			continue
		}
		return u, resp.StatusCode
	}
	b.t.Fatal("too many redirects")
	return "", 0
}

func (b *browser) json(method, u string, body any, appID string) (int, map[string]any) {
	b.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, u, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Logto-App-Id", appID)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode >= 400 {
		b.t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// signIn follows authURL to the sign-in page, signs in through the Experience API, and returns the
// callback URL; with a live session it returns the callback straight away (SSO).
func (b *browser) signIn(authURL, redirectURI, appID string, u testUser) (callback string, askedToSignIn bool) {
	b.t.Helper()
	page, status := b.follow(authURL, redirectURI)
	if strings.HasPrefix(page, redirectURI) {
		return page, false
	}
	pu, _ := url.Parse(page)
	if status != http.StatusOK || pu.Path != "/sign-in" {
		b.t.Fatalf("expected the sign-in page, got %d %s", status, page)
	}
	apiBase := pu.Scheme + "://" + pu.Host + "/api/experience"
	b.json(http.MethodPut, apiBase, map[string]any{"interactionEvent": "SignIn"}, appID)
	_, v := b.json(http.MethodPost, apiBase+"/verification/password", map[string]any{
		"identifier": map[string]any{"type": "username", "value": u.Username}, "password": u.Password}, appID)
	b.json(http.MethodPost, apiBase+"/identification", map[string]any{"verificationId": v["verificationId"]}, appID)
	_, sub := b.json(http.MethodPost, apiBase+"/submit", nil, appID)
	cb, _ := b.follow(fmt.Sprint(sub["redirectTo"]), redirectURI)
	if !strings.HasPrefix(cb, redirectURI) {
		b.t.Fatalf("sign-in ended at %s", cb)
	}
	return cb, true
}

// TestGoOIDC: golang.org/x/oauth2 + coreos/go-oidc, a full sign-in → tokens → userinfo → refresh →
// logout, and single sign-on: a second app is not asked to sign in while the session lives.
func TestGoOIDC(t *testing.T) {
	ctx := oidc.ClientContext(context.Background(), server.client)
	user := createUser(t, "go_user")
	redirect := "https://go.example.test/callback"
	app := createApp(t, "Go app", []string{redirect}, []string{"https://go.example.test/"}, nil)

	provider, err := oidc.NewProvider(ctx, issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, Endpoint: provider.Endpoint(), RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}}
	verifier := oauth2.GenerateVerifier()
	b := newBrowser(t)
	authURL := conf.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n-1"), oauth2.SetAuthURLParam("prompt", "consent"))
	cb, asked := b.signIn(authURL, redirect, app.ID, user)
	if !asked {
		t.Fatal("a fresh browser was not asked to sign in")
	}
	q, _ := url.Parse(cb)
	if q.Query().Get("state") != "st-1" || q.Query().Get("iss") != issuer() {
		t.Fatalf("callback %s: want state st-1 and iss %s", cb, issuer())
	}
	tok, err := conf.Exchange(ctx, q.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idTok, err := provider.VerifierContext(ctx, &oidc.Config{ClientID: app.ID, SupportedSigningAlgs: []string{"ES384"}}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	var claims struct {
		Nonce, Email, Name, Username, Picture string
		CreatedAt                             float64 `json:"created_at"`
	}
	if err := idTok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idTok.Subject != user.ID || claims.Nonce != "n-1" || claims.Email != user.Email || claims.Username != user.Username || claims.Picture != user.Avatar {
		t.Errorf("ID token: sub %s claims %+v", idTok.Subject, claims)
	}
	if claims.CreatedAt < 1e12 {
		t.Errorf("created_at = %v, want epoch milliseconds (Logto)", claims.CreatedAt)
	}
	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != user.ID || ui.Email != user.Email {
		t.Fatalf("userinfo: %+v, %v", ui, err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access + prompt=consent")
	}
	expired := *tok
	expired.AccessToken, expired.Expiry = "", expired.Expiry.Add(-24*3600*1e9)
	refreshed, err := conf.TokenSource(ctx, &expired).Token()
	if err != nil || refreshed.AccessToken == "" || refreshed.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %v", err)
	}

	// SSO: another app in the same browser gets a code without the sign-in page.
	redirect2 := "https://second.example.test/callback"
	app2 := createApp(t, "Second app", []string{redirect2}, nil, nil)
	conf2 := oauth2.Config{ClientID: app2.ID, ClientSecret: app2.Secret, Endpoint: provider.Endpoint(), RedirectURL: redirect2, Scopes: []string{oidc.ScopeOpenID}}
	v2 := oauth2.GenerateVerifier()
	cb2, asked2 := b.signIn(conf2.AuthCodeURL("st-2", oauth2.S256ChallengeOption(v2)), redirect2, app2.ID, user)
	if asked2 {
		t.Error("the second app asked the user to sign in again while the session lives")
	}
	q2, _ := url.Parse(cb2)
	if _, err := conf2.Exchange(ctx, q2.Query().Get("code"), oauth2.VerifierOption(v2)); err != nil {
		t.Fatalf("second app's code: %v", err)
	}

	// Logout with id_token_hint and a registered post-logout URI; then the session is gone.
	var disc struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&disc); err != nil || disc.EndSession == "" {
		t.Fatalf("end_session_endpoint: %v", err)
	}
	end := disc.EndSession + "?" + url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {"https://go.example.test/"}, "state": {"bye"}}.Encode()
	landed := logoutGo(t, b, end, "https://go.example.test/")
	if !strings.Contains(landed, "state=bye") {
		t.Errorf("logout landed at %s, want state=bye", landed)
	}
	if _, asked := b.signIn(conf.AuthCodeURL("st-3", oauth2.S256ChallengeOption(verifier)), redirect, app.ID, user); !asked {
		t.Error("after logout the browser was not asked to sign in again")
	}
}

// logoutGo follows the end-session URL, submitting Logto's confirmation form when one is shown.
func logoutGo(t *testing.T, b *browser, u, post string) string {
	t.Helper()
	for i := 0; i < 10; i++ {
		if strings.HasPrefix(u, post) {
			return u
		}
		resp, err := b.c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			next, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
			u = next.String()
			continue
		}
		action, fields, ok := parseForm(string(body))
		if !ok {
			t.Fatalf("logout stopped at %d %s: %.300s", resp.StatusCode, u, body)
		}
		target, _ := resp.Request.URL.Parse(action)
		posted, err := b.c.PostForm(target.String(), fields)
		if err != nil {
			t.Fatal(err)
		}
		posted.Body.Close()
		next, _ := posted.Request.URL.Parse(posted.Header.Get("Location"))
		u = next.String()
	}
	t.Fatal("logout: too many hops")
	return ""
}
