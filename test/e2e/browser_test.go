package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// demoRP is a tiny relying party: /login starts a PKCE authorization, /callback exchanges the
// code, verifies the ID token and greets the user by name.
func demoRP(t *testing.T, app testApp) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	srv := &http.Server{Handler: demoHandler(t, app, base)}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return base
}

// lazyRP is a demo relying party whose client is created after it listens (by the console in a
// browser): GET /configure?id=&secret= gives it its client.
type lazyRP struct {
	base string
	mu   sync.Mutex
	h    http.Handler
}

func newLazyRP(t *testing.T) *lazyRP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := &lazyRP{base: "http://" + l.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.mu.Lock()
		defer rp.mu.Unlock()
		if r.URL.Path == "/configure" {
			rp.h = demoHandler(t, testApp{ID: r.URL.Query().Get("id"), Secret: r.URL.Query().Get("secret")}, rp.base)
			fmt.Fprint(w, "configured")
			return
		}
		if rp.h == nil {
			http.Error(w, "not configured", http.StatusServiceUnavailable)
			return
		}
		rp.h.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return rp
}

// demoHandler serves the demo relying party of app at base.
func demoHandler(t *testing.T, app testApp, base string) http.Handler {
	ctx := oidc.ClientContext(context.Background(), server.client)
	provider, err := oidc.NewProvider(ctx, issuer())
	if err != nil {
		t.Error(err)
		return http.NotFoundHandler()
	}
	conf := oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, Endpoint: provider.Endpoint(), RedirectURL: base + "/callback", Scopes: []string{"openid", "profile", "email"}}
	verifier := provider.Verifier(&oidc.Config{ClientID: app.ID, SupportedSigningAlgs: []string{"ES384"}})
	pending := map[string]string{} // state -> PKCE verifier
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		state, v := hex.EncodeToString(b), oauth2.GenerateVerifier()
		pending[state] = v
		http.Redirect(w, r, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(v)), http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		v, ok := pending[r.URL.Query().Get("state")]
		if !ok {
			http.Error(w, "unknown state", http.StatusBadRequest)
			return
		}
		tok, err := conf.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		id, err := verifier.Verify(ctx, raw)
		if err != nil {
			http.Error(w, "id token: "+err.Error(), http.StatusBadGateway)
			return
		}
		var c struct{ Name, Email string }
		_ = id.Claims(&c)
		fmt.Fprintf(w, "<!doctype html><title>Demo app</title><h1>Signed in as %s (%s)</h1>", html.EscapeString(c.Name), html.EscapeString(c.Email))
	})
	return mux
}

// TestBrowserSignIn drives the hosted sign-in page in Chromium, once with the default light
// branding and once with dark mode enabled and custom CSS, and keeps the screenshots in
// test/e2e/artifacts (or $ARTIFACTS_DIR).
func TestBrowserSignIn(t *testing.T) {
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts, _ = filepath.Abs("artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	user := createUser(t, "browser_user")

	cases := []struct {
		scheme      string
		signInExp   map[string]any
		wantBorder  string // the custom CSS paints body's top border this colour
		wantDarkBkg bool
	}{
		{scheme: "light", signInExp: map[string]any{
			"color":     map[string]any{"primaryColor": "#1F6FEB", "isDarkModeEnabled": false, "darkPrimaryColor": "#58A6FF"},
			"customCss": "body { border-top: 5px solid rgb(31, 111, 235); }",
		}, wantBorder: "rgb(31, 111, 235) 5px"},
		{scheme: "dark", signInExp: map[string]any{
			"color":     map[string]any{"primaryColor": "#1F6FEB", "isDarkModeEnabled": true, "darkPrimaryColor": "#58A6FF"},
			"customCss": "body { border-top: 7px solid rgb(220, 20, 60); }",
		}, wantBorder: "rgb(220, 20, 60) 7px", wantDarkBkg: true},
	}
	for _, c := range cases {
		t.Run(c.scheme, func(t *testing.T) {
			api(t, http.MethodPatch, "/sign-in-exp", c.signInExp, nil)
			app := createApp(t, "Demo "+c.scheme, nil, nil, nil)
			rp := demoRP(t, app)
			api(t, http.MethodPatch, "/applications/"+app.ID, map[string]any{
				"oidcClientMetadata": map[string]any{"redirectUris": []string{rp + "/callback"}, "postLogoutRedirectUris": []string{}},
			}, nil)
			var got struct {
				SignedIn string `json:"signedIn"`
				Styles   struct {
					Background, BorderTop, Lang string
				} `json:"styles"`
				PhoneOverflows bool `json:"phoneOverflowsHorizontally"`
			}
			runScript(t, &got, "node", []string{"js/playwright-signin.mjs"}, map[string]string{
				"RP_URL": rp, "ARTIFACTS_DIR": artifacts, "COLOR_SCHEME": c.scheme,
				"USERNAME": user.Username, "PASSWORD": user.Password,
			})
			if want := fmt.Sprintf("Signed in as %s (%s)", user.Name, user.Email); !strings.Contains(got.SignedIn, want) {
				t.Errorf("relying party shows %q, want %q", got.SignedIn, want)
			}
			if c.wantBorder != "" && got.Styles.BorderTop != c.wantBorder {
				t.Errorf("custom CSS not applied: body border-top %q, want %q", got.Styles.BorderTop, c.wantBorder)
			}
			if dark := isDark(got.Styles.Background); dark != c.wantDarkBkg {
				t.Errorf("page background %s: dark=%v, want %v", got.Styles.Background, dark, c.wantDarkBkg)
			}
			if got.PhoneOverflows {
				t.Error("the sign-in page scrolls sideways on a 390 px phone screen")
			}
			for _, f := range []string{"sign-in-" + c.scheme + ".png", "signed-in-" + c.scheme + ".png", "sign-in-" + c.scheme + "-phone.png"} {
				if st, err := os.Stat(filepath.Join(artifacts, f)); err != nil || st.Size() == 0 {
					t.Errorf("screenshot %s missing", f)
				}
			}
		})
	}
}

// isDark reports whether a computed rgb()/rgba() colour is dark (relative luminance below 0.3).
func isDark(css string) bool {
	var r, g, b float64
	if _, err := fmt.Sscanf(strings.Replace(css, "rgba", "rgb", 1), "rgb(%f, %f, %f", &r, &g, &b); err != nil {
		return false
	}
	return (0.2126*r+0.7152*g+0.0722*b)/255 < 0.3
}
