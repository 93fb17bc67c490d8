package e2e

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// communityIdP is a local stand-in for a community's OAuth 2.0 server (a Discourse "connect"
// provider such as LINUX DO), which the tests cannot reach: an authorization page with Allow
// and Deny buttons, single-use codes, a query-string token answer and a nested profile with a
// numeric id.
func communityIdP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	var mu sync.Mutex
	codes := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil || q.Get("client_id") != "gatehouse" || q.Get("response_type") != "code" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		allow, deny := *back, *back
		code := fmt.Sprintf("code-%d", len(codes)+1)
		mu.Lock()
		codes[code] = true
		mu.Unlock()
		allow.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		deny.RawQuery = url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}.Encode()
		fmt.Fprintf(w, `<!doctype html><title>Community</title><h1>Let Gatehouse see your profile?</h1>
<p><a id="allow" href="%s">Allow</a> <a id="deny" href="%s">Deny</a></p>`, html.EscapeString(allow.String()), html.EscapeString(deny.String()))
	})
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := codes[r.PostFormValue("code")] && r.PostFormValue("client_secret") == "community-secret"
		delete(codes, r.PostFormValue("code"))
		mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("error=invalid_grant"))
			return
		}
		_, _ = w.Write([]byte("access_token=community-at&token_type=bearer"))
	})
	mux.HandleFunc("GET /api/user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer community-at" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"user": map[string]any{
			"id": 4242, "username": "mira", "name": "Mira Chen", "email": "mira@community.example",
		}})
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return base
}

// TestBrowserSocialOnlySignIn is seed guide A's steps 3–4 in Chromium: the admin adds a generic
// OAuth 2.0 connector and makes the page social-only with their colours and CSS; a person
// presses "Continue with LINUX DO", allows it at the provider, and lands in the app signed in.
// A second run denies at the provider and must end on a page with a way back.
func TestBrowserSocialOnlySignIn(t *testing.T) {
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts, _ = filepath.Abs("artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	idp := communityIdP(t)
	var conn struct{ ID string }
	api(t, http.MethodPost, "/connectors", map[string]any{
		"connectorId": "oauth2",
		"config": map[string]any{
			"authorizationEndpoint": idp + "/oauth2/authorize", "tokenEndpoint": idp + "/oauth2/token",
			"userInfoEndpoint": idp + "/api/user", "clientId": "gatehouse", "clientSecret": "community-secret",
			"scope": "read", "profileMap": map[string]string{"id": "user.id", "name": "user.name", "email": "user.email"},
		},
		"metadata": map[string]any{"target": "linuxdo", "name": map[string]string{"en": "LINUX DO", "zh-CN": "LINUX DO 社区"}},
	}, &conn)
	var before map[string]any
	api(t, http.MethodGet, "/sign-in-exp", nil, &before)
	t.Cleanup(func() {
		api(t, http.MethodPatch, "/sign-in-exp", map[string]any{"signIn": before["signIn"], "signUp": before["signUp"],
			"socialSignInConnectorTargets": []string{}, "customCss": before["customCss"], "color": before["color"]}, nil)
		api(t, http.MethodDelete, "/connectors/"+conn.ID, nil, nil)
	})
	api(t, http.MethodPatch, "/sign-in-exp", map[string]any{
		"signIn":                       map[string]any{"methods": []any{}},
		"signUp":                       map[string]any{"identifiers": []any{}, "password": false, "verify": false},
		"socialSignInConnectorTargets": []string{"linuxdo"},
		"color":                        map[string]any{"primaryColor": "#0F766E", "isDarkModeEnabled": false, "darkPrimaryColor": "#2DD4BF"},
		"customCss":                    "body { border-top: 6px solid rgb(15, 118, 110); }",
	}, nil)
	app := createApp(t, "Social demo", nil, nil, nil)
	rp := demoRP(t, app)
	api(t, http.MethodPatch, "/applications/"+app.ID, map[string]any{
		"oidcClientMetadata": map[string]any{"redirectUris": []string{rp + "/callback"}, "postLogoutRedirectUris": []string{}},
	}, nil)

	var got struct {
		SignedIn, Denied, ZhButton string
		PasswordFields             int
		BorderTop                  string
	}
	runScript(t, &got, "node", []string{"js/playwright-social.mjs"}, map[string]string{"RP_URL": rp, "ARTIFACTS_DIR": artifacts})
	if want := "Signed in as Mira Chen (mira@community.example)"; !strings.Contains(got.SignedIn, want) {
		t.Errorf("relying party shows %q, want %q", got.SignedIn, want)
	}
	if got.PasswordFields != 0 {
		t.Errorf("the social-only page shows %d password fields", got.PasswordFields)
	}
	if got.BorderTop != "rgb(15, 118, 110) 6px" {
		t.Errorf("custom CSS not applied: border-top %q", got.BorderTop)
	}
	if !strings.Contains(got.Denied, "cancelled at LINUX DO") || !strings.Contains(got.Denied, "Back to sign in") {
		t.Errorf("after a denial the page says %q; want the cancelled wording and a way back", got.Denied)
	}
	if !strings.Contains(got.ZhButton, "通过 LINUX DO 社区 继续") {
		t.Errorf("Chinese button reads %q", got.ZhButton)
	}
	var users []struct {
		ID         string                     `json:"id"`
		Identities map[string]json.RawMessage `json:"identities"`
	}
	api(t, http.MethodGet, "/users?search=%25mira%40community.example%25", nil, &users)
	if len(users) != 1 || !strings.Contains(string(users[0].Identities["linuxdo"]), `"userId":"4242"`) {
		t.Errorf("users found by the social email: %+v; want one with the linuxdo identity 4242", users)
	}
	// The denial is in the audit log with its cause (entries are written in batches: wait).
	var denial string
	for deadline := time.Now().Add(10 * time.Second); denial == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var logs []json.RawMessage
		api(t, http.MethodGet, "/logs?logKey=Interaction.SignIn.Verification.Social.Submit", nil, &logs)
		for _, l := range logs {
			if strings.Contains(string(l), "access_denied") {
				denial = string(l)
			}
		}
	}
	if !strings.Contains(denial, `"result":"Error"`) || !strings.Contains(denial, "connector.general") {
		t.Errorf("no audit entry names the denial's cause: %q", denial)
	}
	for _, f := range []string{"social-only-sign-in.png", "social-signed-in.png", "social-denied.png", "social-only-sign-in-zh.png"} {
		if st, err := os.Stat(filepath.Join(artifacts, f)); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s missing", f)
		}
	}
}
