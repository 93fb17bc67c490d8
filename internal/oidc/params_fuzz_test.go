package oidc

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// scopeGrammar is RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR,
// NQCHAR = %x21 / %x23-5B / %x5D-7E; or no scope at all.
var scopeGrammar = regexp.MustCompile(`^(?:[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*)?$`)

// FuzzAuthorizeValues fuzzes the parsers of authorization-request values that are reached before
// any client is trusted: the urlencoded parameter string (parseAuthorizeParams, also the form body
// of userinfo and end-session), scope syntax, prompt, response_type normalization and the JWT
// `aud` claim. Properties:
//
//   - parseAuthorizeParams refuses with a 400 invalid_request, or accepts exactly what
//     url.ParseQuery reads, within the size limits, valid UTF-8 without NUL, no parameter twice
//     except `resource`, whose comma-separated lists are split with no empty part;
//   - validScopeSyntax agrees with the RFC 6749 grammar;
//   - parsePrompt accepts only none, login and consent, each once, none alone, and is the set of
//     the words given;
//   - normalizeResponseType is sorted, without duplicates, idempotent, and keeps the words given;
//   - the aud claim decodes a string to itself and an array of strings to the same list.
func FuzzAuthorizeValues(f *testing.F) {
	for _, seed := range []string{
		"client_id=app&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid+profile+offline_access&state=s&nonce=n",
		"resource=https://a,https://b&resource=https://c&resource=,,&prompt=login+consent",
		"scope=openid&scope=email", "a=%00", "a=%ff", "%zz=1", "=&&=&a", "a=1;b=2",
		"openid profile email", "openid  profile", " openid", "read:\"x\"", "none login", "consent login consent",
		"code id_token", "token code token", "none",
		`"https://api.example.com"`, `["a","b"]`, `[]`, `null`, `["a",1]`, `{"aud":"x"}`,
		"state=" + strings.Repeat("x", maxAuthorizeParamBytes+1),
		"client_id=" + strings.Repeat("%C3%A9", 20) + "&" + strings.Repeat("\u00e9", 20) + "=%00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		checkAuthorizeParams(t, raw)

		if got, want := validScopeSyntax(raw), scopeGrammar.MatchString(raw); got != want {
			t.Fatalf("validScopeSyntax(%q) = %v; RFC 6749 says %v", raw, got, want)
		}

		if prompts, oerr := parsePrompt(raw); oerr != nil {
			if oerr.Status != http.StatusBadRequest || oerr.Code != oautherr.InvalidRequest {
				t.Fatalf("parsePrompt(%q) refused with %d %s", raw, oerr.Status, oerr.Code)
			}
		} else {
			given := strings.Fields(raw)
			for _, p := range given {
				if p != promptNone && p != promptLogin && p != promptConsent {
					t.Fatalf("parsePrompt(%q) accepted %q", raw, p)
				}
			}
			if (slices.Contains(prompts, promptNone) && len(prompts) > 1) || !sameSet(prompts, given) || len(slices.Compact(slices.Sorted(slices.Values(prompts)))) != len(prompts) {
				t.Fatalf("parsePrompt(%q) = %q", raw, prompts)
			}
		}

		norm := normalizeResponseType(raw)
		words := strings.Split(norm, " ")
		if norm == "" {
			words = nil
		}
		if !sort.StringsAreSorted(words) || len(slices.Compact(slices.Clone(words))) != len(words) ||
			normalizeResponseType(norm) != norm || !sameSet(words, strings.Fields(raw)) {
			t.Fatalf("normalizeResponseType(%q) = %q", raw, norm)
		}

		var aud keys.Audience
		if err := json.Unmarshal([]byte(raw), &aud); err == nil {
			var one string
			var many []string
			switch {
			case json.Unmarshal([]byte(raw), &one) == nil && strings.TrimSpace(raw) != "null":
				if !slices.Equal(aud, []string{one}) {
					t.Fatalf("aud %s decoded as %q", raw, aud)
				}
			case json.Unmarshal([]byte(raw), &many) == nil && strings.TrimSpace(raw) != "null":
				if !slices.Equal(aud, many) {
					t.Fatalf("aud %s decoded as %q", raw, aud)
				}
			case strings.TrimSpace(raw) != "null":
				t.Fatalf("aud %s, neither a string nor an array of strings, decoded as %q", raw, aud)
			}
		}
	})
}

func checkAuthorizeParams(t *testing.T, raw string) {
	t.Helper()
	v, oerr := parseAuthorizeParams(raw)
	if oerr != nil {
		if oerr.Status != http.StatusBadRequest || oerr.Code != oautherr.InvalidRequest || oerr.Description == "" {
			t.Fatalf("parseAuthorizeParams(%q) refused with %d %s %q", raw, oerr.Status, oerr.Code, oerr.Description)
		}
		return
	}
	if len(raw) > maxAuthorizeRequestBytes {
		t.Fatalf("accepted a request of %d bytes", len(raw))
	}
	want, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("accepted %q, which url.ParseQuery refuses: %v", raw, err)
	}
	var resources []string
	for _, r := range want["resource"] {
		for part := range strings.SplitSeq(r, ",") {
			if part != "" {
				resources = append(resources, part)
			}
		}
	}
	if len(want["resource"]) > 0 {
		want["resource"] = resources
	}
	if len(v) != len(want) {
		t.Fatalf("parseAuthorizeParams(%q) = %q; url.ParseQuery reads %q", raw, v, want)
	}
	for name, values := range v {
		if !slices.Equal(values, want[name]) {
			t.Fatalf("parseAuthorizeParams(%q)[%q] = %q, want %q", raw, name, values, want[name])
		}
		if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
			t.Fatalf("accepted parameter name %q", name)
		}
		if len(values) > 1 && name != "resource" {
			t.Fatalf("accepted %q %d times", name, len(values))
		}
		for _, value := range values {
			if len(value) > maxAuthorizeParamBytes || !utf8.ValidString(value) || strings.IndexByte(value, 0) >= 0 {
				t.Fatalf("accepted %s=%q", name, value)
			}
			if name == "resource" && (value == "" || strings.Contains(value, ",")) {
				t.Fatalf("resource %q not split", value)
			}
		}
	}
}

// sameSet reports whether a and b hold the same strings, ignoring order and repeats.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}

// FuzzOIDCEndpoints sends arbitrary requests to the OIDC endpoints not covered by
// FuzzTokenRequest and FuzzAuthorizeRequest: userinfo, introspection, revocation, end-session
// and its confirmation, interaction resume, discovery, JWKS and unknown paths, with arbitrary
// query, body, content type, Authorization, Cookie and Origin. No fuzzed request carries a valid
// token, secret or signed cookie, so properties are:
//
//   - never a 5xx, and no panic;
//   - a JSON error is an OAuth error object with a string `error`;
//   - userinfo never answers 200 and introspection never says active: true;
//   - a redirect never leaves this server (only a signed cookie could name another target).
func FuzzOIDCEndpoints(f *testing.F) {
	fx := newFixture(f)
	endpoints := []struct{ method, path string }{
		{"GET", "/oidc/me"}, {"POST", "/oidc/me"},
		{"POST", "/oidc/token/introspection"}, {"POST", "/oidc/token/revocation"},
		{"GET", "/oidc/session/end"}, {"POST", "/oidc/session/end"}, {"POST", "/oidc/session/end/confirm"},
		{"GET", "/oidc/session/end/success"}, {"GET", "/oidc/auth/"}, {"OPTIONS", "/oidc/token"},
		{"GET", "/oidc/.well-known/openid-configuration"}, {"GET", "/oidc/jwks"}, {"DELETE", "/oidc/"},
	}
	webBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(fx.web.ID+":wrong"))
	for i, seed := range []struct {
		query, contentType, body, auth, cookie, origin string
	}{
		{"", "", "", "Bearer not-a-token", "", ""},
		{"scope=openid", "application/x-www-form-urlencoded", "access_token=abc&scope=openid", "", "", "https://spa.example.com"},
		{"", "application/x-www-form-urlencoded", "token=abc&token_type_hint=refresh_token", webBasic, "", ""},
		{"", "application/x-www-form-urlencoded", "token=eyJhbGciOiJub25lIn0.e30.&client_id=" + fx.spa.ID, "", "", "https://evil.example"},
		{"id_token_hint=a.b.c&post_logout_redirect_uri=" + url.QueryEscape(webLoggedOut) + "&client_id=" + fx.web.ID + "&state=s", "", "", "", "", ""},
		{"client_id=" + fx.web.ID + "&post_logout_redirect_uri=https%3A%2F%2Fevil.example", "application/x-www-form-urlencoded", "ui_locales=en", "", "", ""},
		{"", "application/x-www-form-urlencoded", "xsrf=abc&logout=yes", "", "_logout_state=%7B%22xsrf%22%3A%22abc%22%7D; _logout_state.sig=x; _session=s", ""},
		{"client_id=" + fx.web.ID, "", "", "", "", ""},
		{"", "", "", "", "_interaction=%7B%22_legacy%22%3A%22uid%22%7D; _interaction.sig=AAAA; _session=x; _session.sig=y", ""},
		{"", "", "", "", "", "https://spa.example.com"},
		{"x=%zz&x=1", "application/json", `{"token":1}`, "Basic !!", "=;;=", "null"},
		{"", "multipart/form-data; boundary=x", "--x\r\n\r\n--x--", "bearer  a b", "", ""},
	} {
		f.Add(uint8(i), seed.query, seed.contentType, []byte(seed.body), seed.auth, seed.cookie, seed.origin, "uid-"+string(rune('a'+i)))
	}
	f.Fuzz(func(t *testing.T, which uint8, query, contentType string, body []byte, auth, cookies, origin, suffix string) {
		ep := endpoints[int(which)%len(endpoints)]
		path := ep.path
		if strings.HasSuffix(path, "/") {
			path += url.PathEscape(suffix)
		}
		req := httptest.NewRequest(ep.method, "/", strings.NewReader(string(body)))
		req.URL = &url.URL{Path: path, RawQuery: query}
		req.RequestURI = req.URL.RequestURI()
		for name, value := range map[string]string{"Content-Type": contentType, "Authorization": auth, "Cookie": cookies, "Origin": origin} {
			if value != "" {
				req.Header.Set(name, value)
			}
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		desc := ep.method + " " + path + "?" + query
		if rec.Code >= 500 {
			t.Fatalf("%s (body %q, auth %q, cookie %q): status %d %s", desc, body, auth, cookies, rec.Code, rec.Body)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && rec.Code >= 400 {
			var e map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("%s: error body %q is not JSON", desc, rec.Body)
			}
			if code, _ := e["error"].(string); code == "" {
				t.Fatalf("%s: error body %s has no error code", desc, rec.Body)
			}
		}
		switch {
		case strings.HasSuffix(path, "/me") && rec.Code == http.StatusOK:
			t.Fatalf("%s: userinfo answered without a valid token: %s", desc, rec.Body)
		case strings.HasSuffix(path, "/introspection") && strings.Contains(strings.ReplaceAll(rec.Body.String(), " ", ""), `"active":true`):
			t.Fatalf("%s: introspection found an active token: %s", desc, rec.Body)
		}
		if loc := rec.Header().Get("Location"); loc != "" {
			u, err := url.Parse(loc)
			if err != nil {
				t.Fatalf("%s: unparsable Location %q", desc, loc)
			}
			if u.IsAbs() && !strings.HasPrefix(loc, fx.issuer+"/") || !u.IsAbs() && (!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(loc, "//")) {
				t.Fatalf("%s: redirect to %q, outside this server", desc, loc)
			}
		}
	})
}
