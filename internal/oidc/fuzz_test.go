package oidc

import (
	"bytes"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// FuzzTokenRequest throws arbitrary bodies, content types and Authorization headers at the token
// endpoint. Whatever arrives, the answer is a 4xx OAuth error: no panic, no 500, and never a
// token, since no input carries a real secret (secrets are compared in constant time over
// digests, so coverage guidance cannot home in on one).
func FuzzTokenRequest(f *testing.F) {
	fx := newFixture(f)
	id := fx.m2m.ID
	for _, seed := range []struct{ contentType, body, auth string }{
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=" + id + "&client_secret=wrong&resource=" + apiIndicator + "&scope=read", ""},
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&resource=" + apiIndicator, "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":wrong"))},
		{"application/x-www-form-urlencoded; charset=utf16le", "g\x00=\x00x\x00", ""},
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=password&resource=a,b,c", "Basic !!!"},
		{"application/json", `{"grant_type":"client_credentials","client_id":"` + id + `","client_secret":"x","resource":["` + apiIndicator + `"]}`, ""},
		{"application/json; charset=latin1", `{"grant_type":{"a":[1,2,{"b":null}]},"client_id":null}`, "basic Og=="},
		{"application/json", `{"client_id":"` + fx.spa.ID + `","grant_type":"client_credentials","organization_id":"o"}`, ""},
		{"", "", ""},
		{"text/plain", "%00", "Basic " + base64.StdEncoding.EncodeToString([]byte("a%ZZ:b"))},
	} {
		f.Add(seed.contentType, []byte(seed.body), seed.auth)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/oidc/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("status %d for %q %q %q: %s", rec.Code, contentType, body, auth, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("access_token")) {
			t.Fatalf("a token for %q %q %q", contentType, body, auth)
		}
	})
}

// FuzzAuthorizeRequest throws arbitrary authorization requests (query strings, GET or form POST)
// at /oidc/auth. Whatever arrives: no panic and no 5xx; a JSON error is a 400; a redirect goes
// either to a relative experience page or to a redirect URI the client registered (the loopback
// exception aside, character for character), and never carries a code, since the fuzzer has no
// session.
func FuzzAuthorizeRequest(f *testing.F) {
	fx := newFixture(f)
	registered := map[string]bool{}
	for _, app := range []model.Application{fx.web, fx.spa, fx.native, fx.partner} {
		for _, u := range app.OIDCClientMetadata.RedirectURIs {
			registered[u] = true
		}
	}
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	for _, seed := range []string{
		form("client_id", fx.web.ID, "redirect_uri", webCallback, "response_type", "code", "scope", "openid profile", "state", "s"),
		form("client_id", fx.spa.ID, "redirect_uri", spaCallback, "response_type", "code", "scope", "openid offline_access",
			"prompt", "consent", "code_challenge", challenge, "code_challenge_method", "S256", "resource", apiIndicator),
		form("client_id", fx.native.ID, "redirect_uri", "http://127.0.0.1:1234/callback", "response_type", "code", "scope", "openid",
			"code_challenge", challenge, "code_challenge_method", "S256", "first_screen", "register", "direct_sign_in", "social:github"),
		form("client_id", fx.web.ID, "redirect_uri", webCallback, "response_type", "token", "response_mode", "form_post", "prompt", "none"),
		form("client_id", fx.web.ID, "redirect_uri", "https://web.example.com@evil/callback", "response_type", "code"),
		"client_id=" + fx.web.ID + "&redirect_uri=" + webCallback + "&response_type=code&scope=openid&resource=a,b,,c&max_age=0",
		"client_id=%00&state=%ff&state=1;x=y",
		"",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, query string, post bool) {
		var req *http.Request
		if post {
			req = httptest.NewRequest(http.MethodPost, "/oidc/auth", strings.NewReader(query))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			u := &url.URL{Path: "/oidc/auth", RawQuery: query}
			req = httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL = u
			req.RequestURI = u.RequestURI()
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			// A form_post response: it posts to a registered redirect URI, and never a code.
			m := formAction.FindStringSubmatch(rec.Body.String())
			if m == nil || !registered[html.UnescapeString(m[2])] || strings.Contains(rec.Body.String(), `name="code"`) {
				t.Fatalf("form_post page for %q: %s", query, rec.Body)
			}
			return
		}
		switch rec.Code {
		case http.StatusBadRequest:
			if rec.Header().Get("Location") != "" {
				t.Fatalf("a 400 with a Location for %q", query)
			}
		case http.StatusSeeOther:
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil {
				t.Fatalf("unparsable Location %q for %q", rec.Header().Get("Location"), query)
			}
			if !loc.IsAbs() {
				if !strings.HasPrefix(loc.Path, "/") || strings.HasPrefix(loc.Path, "//") {
					t.Fatalf("relative Location %q for %q is not a page of this server", loc, query)
				}
				return
			}
			if loc.Query().Has("code") {
				t.Fatalf("a code without a session for %q: %s", query, loc)
			}
			base := *loc
			base.RawQuery, base.Fragment, base.RawFragment = "", "", ""
			if target := base.String(); !registered[target] && !matchRedirectURI(fx.native.OIDCClientMetadata.RedirectURIs, target, true) {
				t.Fatalf("redirected to unregistered %s for %q", loc, query)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, query, rec.Body)
		}
	})
}

// FuzzRedirectURIMatch checks the redirect URI matcher against its definition: an exact copy of
// a registered URI always matches (unless it holds `*` or `#`); anything else matches only for a
// native app, as a plain-http loopback URI differing from a registered one in the port alone.
func FuzzRedirectURIMatch(f *testing.F) {
	for _, seed := range []struct {
		a, b, candidate string
		native          bool
	}{
		{"https://app.example.com/cb", "", "https://app.example.com/cb", false},
		{"https://app.example.com/cb", "", "https://app.example.com/cb/", false},
		{"https://app.example.com/cb", "", "https://APP.example.com/cb", false},
		{"http://127.0.0.1/cb", "io.app:/cb", "http://127.0.0.1:8080/cb", true},
		{"http://127.0.0.1:3000/cb", "", "http://127.0.0.1:9/cb", true},
		{"http://[::1]/cb", "", "http://[::1]:65535/cb", true},
		{"http://localhost/cb", "", "http://localhost:1@evil.com/cb", true},
		{"http://127.0.0.1/cb", "", "http://127.0.0.1:80/cb?x=1", true},
		{"https://*.example.com/cb", "", "https://*.example.com/cb", false},
	} {
		f.Add(seed.a, seed.b, seed.candidate, seed.native)
	}
	f.Fuzz(func(t *testing.T, a, b, candidate string, native bool) {
		registered := []string{a, b}
		got := matchRedirectURI(registered, candidate, native)
		exact := candidate != "" && (candidate == a || candidate == b)
		if exact && !strings.ContainsAny(candidate, "*#") && !got {
			t.Fatalf("exact copy %q of a registered URI refused", candidate)
		}
		if !got || exact {
			return
		}
		if !native {
			t.Fatalf("%q matched %q for a web app without being identical", candidate, registered)
		}
		cu, err := url.Parse(candidate)
		if err != nil || cu.Scheme != "http" || cu.User != nil {
			t.Fatalf("loopback match of %q, which is not a plain http URI", candidate)
		}
		host := cu.Hostname()
		if host != "127.0.0.1" && host != "::1" && host != "localhost" {
			t.Fatalf("loopback match of non-loopback host %q in %q", host, candidate)
		}
		stripped := func(s string) string {
			u, err := url.Parse(s)
			if err != nil {
				return "\x00unparsable"
			}
			u.Host = u.Hostname()
			if strings.Contains(u.Host, ":") {
				u.Host = "[" + u.Host + "]"
			}
			return u.String()
		}
		if stripped(candidate) != stripped(a) && stripped(candidate) != stripped(b) {
			t.Fatalf("%q matched %q but differs in more than the port", candidate, registered)
		}
	})
}
