package oidc

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// browser is a user agent for the protocol tests: it keeps cookies and never follows redirects,
// so each hop of a sign-in can be checked. The sign-in experience itself is simulated: where the
// hosted page would verify a password, the test records the interaction's result through the
// service, exactly the contract the experience uses.
type browser struct {
	t      *testing.T
	f      *fixture
	client *http.Client
}

func (f *fixture) newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	must(t, err)
	return &browser{t: t, f: f, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read.
type page struct {
	*http.Response
	body string
}

// location is the response's Location resolved against the server.
func (p page) location(t *testing.T) *url.URL {
	t.Helper()
	loc, err := p.Request.URL.Parse(p.Header.Get("Location"))
	if err != nil || p.Header.Get("Location") == "" {
		t.Fatalf("%s %s: status %d, Location %q: %v; body %s", p.Request.Method, p.Request.URL, p.StatusCode, p.Header.Get("Location"), err, p.body)
	}
	return loc
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(b.t, err)
	if resp.StatusCode >= 500 {
		b.t.Fatalf("%s %s answered %d: %s", req.Method, req.URL, resp.StatusCode, body)
	}
	return page{resp, string(body)}
}

func (b *browser) get(rawURL string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	must(b.t, err)
	return b.do(req)
}

func (b *browser) postForm(rawURL string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	must(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// authorizeURL builds an authorization request of the fixture's issuer.
func (b *browser) authorizeURL(kv ...string) string {
	return b.f.issuer + "/auth?" + form(kv...)
}

// interactionUID reads the uid the _interaction cookie names for clientID (or the last one).
func (b *browser) interactionUID(clientID string) string {
	b.t.Helper()
	u, _ := url.Parse(b.f.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name != cookie.Interaction {
			continue
		}
		raw, err := url.QueryUnescape(c.Value)
		must(b.t, err)
		var m map[string]string
		must(b.t, json.Unmarshal([]byte(raw), &m))
		if uid := m[clientID]; uid != "" {
			return uid
		}
		return m["_legacy"]
	}
	b.t.Fatal("no _interaction cookie")
	return ""
}

// signIn plays the experience: it records user's sign-in (and, for third-party apps, consent) on
// the browser's open interaction for clientID and returns the URL the experience would send the
// browser to.
func (b *browser) signIn(clientID string, user model.User, consent *model.InteractionConsent) string {
	b.t.Helper()
	uid := b.interactionUID(clientID)
	in, err := b.f.svc.GetInteraction(b.t.Context(), model.DefaultTenantID, uid)
	must(b.t, err)
	in.Result = &model.InteractionResult{AccountID: user.ID, AuthTime: b.f.clk.Now().Unix(), AMR: []string{"pwd"}, Event: "SignIn", Consent: consent}
	_, err = b.f.svc.SaveInteraction(b.t.Context(), model.DefaultTenantID, in)
	must(b.t, err)
	return b.f.issuer + "/auth/" + uid
}

// loginHop sends the browser to authURL and checks it lands on the sign-in experience.
func (b *browser) loginHop(authURL, clientID string) {
	b.t.Helper()
	p := b.get(authURL)
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("GET %s: status %d, want 303 to the sign-in page; body %s", authURL, p.StatusCode, p.body)
	}
	if loc := p.Header.Get("Location"); !strings.HasPrefix(loc, "/sign-in?app_id="+clientID) {
		b.t.Fatalf("Location = %q, want the relative /sign-in?app_id=%s (Logto)", loc, clientID)
	}
}

// callback returns the authorization response parameters of a redirect to redirectURI.
func (b *browser) callback(p page, redirectURI string) url.Values {
	b.t.Helper()
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("status %d, want 303 to %s; body %s", p.StatusCode, redirectURI, p.body)
	}
	loc := p.location(b.t)
	base := *loc
	base.RawQuery, base.Fragment = "", ""
	if base.String() != redirectURI {
		b.t.Fatalf("redirected to %s, want %s", loc, redirectURI)
	}
	return loc.Query()
}

// signInFlow runs a whole authorization for user up to the code and returns the callback
// parameters.
func (b *browser) signInFlow(clientID, redirectURI string, user model.User, kv ...string) url.Values {
	b.t.Helper()
	authURL := b.authorizeURL(append([]string{"client_id", clientID, "redirect_uri", redirectURI, "response_type", "code"}, kv...)...)
	b.loginHop(authURL, clientID)
	return b.callback(b.get(b.signIn(clientID, user, nil)), redirectURI)
}

var formAction = regexp.MustCompile(`<form id="([^"]*)" method="post" action="([^"]*)"`)
var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// submitAutoPost does what the browser does with an auto-submitting page: posts its form.
func (b *browser) submitAutoPost(p page) page {
	b.t.Helper()
	m := formAction.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no auto-submitting form in %s", p.body)
	}
	fields := url.Values{}
	for _, in := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		fields.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return b.postForm(html.UnescapeString(m[2]), fields)
}
