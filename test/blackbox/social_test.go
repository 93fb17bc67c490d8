package blackbox

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// originJar keeps cookies per origin (host and port). Two Gatehouse nodes on localhost both set
// an _interaction cookie; a browser would keep them apart by host name, and so does this jar by
// port, as the two would be auth.example.com and id.example.org in production.
type originJar struct {
	mu   sync.Mutex
	jars map[string]*cookiejar.Jar
}

func (o *originJar) jar(u *url.URL) *cookiejar.Jar {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.jars == nil {
		o.jars = map[string]*cookiejar.Jar{}
	}
	j, ok := o.jars[u.Host]
	if !ok {
		j, _ = cookiejar.New(nil)
		o.jars[u.Host] = j
	}
	return j
}

func (o *originJar) SetCookies(u *url.URL, cs []*http.Cookie) { o.jar(u).SetCookies(u, cs) }
func (o *originJar) Cookies(u *url.URL) []*http.Cookie        { return o.jar(u).Cookies(u) }

// pageBrowser follows redirects by hand and posts the hosted pages' forms.
type pageBrowser struct {
	t *testing.T
	c *http.Client
}

func newPageBrowser(t *testing.T) *pageBrowser {
	return &pageBrowser{t: t, c: &http.Client{Jar: &originJar{}, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// follow requests u and follows redirects until one leads to a URL starting with stop, or a
// page answers; it returns the last URL and the page's body.
func (b *pageBrowser) follow(method, u string, form url.Values, stop string) (string, string) {
	b.t.Helper()
	for range 15 {
		if strings.HasPrefix(u, stop) && stop != "" {
			return u, ""
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", req.URL.Scheme+"://"+req.URL.Host)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := b.c.Do(req)
		if err != nil {
			b.t.Fatalf("%s %s: %v", method, u, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return u, string(raw)
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		u, method, form = next.String(), http.MethodGet, nil
	}
	b.t.Fatalf("too many redirects, last %s", u)
	return "", ""
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfIn(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", page)
	}
	return m[1]
}

// TestSocialSignInThroughASecondGatehouse: Gatehouse A signs people in with its generic OIDC
// connector, the provider being Gatehouse B (discovery, JWKS-verified ID token, nonce, PKCE),
// both real binaries. A person who has an account at B presses "Continue with B" on A's
// social-only page, signs in at B's page, and the app behind A receives an ID token for a new A
// user with B's email and name; the second time A finds the same user.
func TestSocialSignInThroughASecondGatehouse(t *testing.T) {
	a := startNode(t, t.TempDir())
	b := startNode(t, t.TempDir())
	adminA, adminB := newAdmin(t, a), newAdmin(t, b)

	var conn struct{ ID string }
	adminA.call("POST", "/api/connectors", map[string]any{"connectorId": "oidc",
		"config":   map[string]any{"issuer": b.base + "/oidc", "clientId": "pending", "clientSecret": "pending", "scope": "openid profile email", "enablePkce": true},
		"metadata": map[string]any{"target": "gatehouse-b", "name": map[string]string{"en": "Gatehouse B"}}}, &conn, 200)
	var provider struct{ ID, Secret string }
	adminB.call("POST", "/api/applications", map[string]any{"name": "Gatehouse A", "type": "Traditional",
		"oidcClientMetadata": map[string]any{"redirectUris": []string{a.base + "/callback/" + conn.ID}, "postLogoutRedirectUris": []string{}}}, &provider, 200)
	adminA.call("PATCH", "/api/connectors/"+conn.ID, map[string]any{"config": map[string]any{"issuer": b.base + "/oidc",
		"clientId": provider.ID, "clientSecret": provider.Secret, "scope": "openid profile email", "enablePkce": true}}, nil, 200)
	adminB.call("POST", "/api/users", map[string]any{"username": "ada", "password": "Analytical-Engine-1843",
		"primaryEmail": "ada@b.example", "name": "Ada L."}, nil, 200)
	adminA.call("PATCH", "/api/sign-in-exp", map[string]any{"signIn": map[string]any{"methods": []any{}},
		"signUp":                       map[string]any{"identifiers": []any{}, "password": false, "verify": false},
		"socialSignInConnectorTargets": []string{"gatehouse-b"}}, nil, 200)
	const appRedirect = "http://127.0.0.1:9/app/callback" // never fetched
	var app struct{ ID, Secret string }
	adminA.call("POST", "/api/applications", map[string]any{"name": "Chat", "type": "Traditional",
		"oidcClientMetadata": map[string]any{"redirectUris": []string{appRedirect}, "postLogoutRedirectUris": []string{}}}, &app, 200)

	signIn := func(br *pageBrowser) map[string]any {
		t.Helper()
		q := url.Values{"client_id": {app.ID}, "redirect_uri": {appRedirect}, "response_type": {"code"}, "scope": {"openid profile email"}, "state": {"app-state"}}
		_, page := br.follow("GET", a.base+"/oidc/auth?"+q.Encode(), nil, "")
		if !strings.Contains(page, "Continue with Gatehouse B") || strings.Contains(page, `name="password"`) {
			t.Fatalf("A's sign-in page is not social-only:\n%s", page)
		}
		where, page := br.follow("POST", a.base+"/social?app_id="+app.ID, url.Values{"csrf": {csrfIn(t, page)}, "connector": {conn.ID}}, appRedirect)
		if !strings.HasPrefix(where, b.base+"/sign-in") {
			t.Fatalf("the social button led to %s, not B's sign-in page", where)
		}
		where, page = br.follow("POST", where, url.Values{"csrf": {csrfIn(t, page)}, "identifier": {"ada"}, "password": {"Analytical-Engine-1843"}}, appRedirect)
		back, _ := url.Parse(where)
		if !strings.HasPrefix(where, appRedirect) || back.Query().Get("code") == "" {
			t.Fatalf("the sign-in ended at %s:\n%s", where, page)
		}
		return exchangeAtA(t, a, app.ID, app.Secret, appRedirect, back.Query().Get("code"))
	}
	br := newPageBrowser(t)
	first := signIn(br)
	if first["email"] != "ada@b.example" || first["name"] != "Ada L." {
		t.Fatalf("A's ID token for B's user: %v", first)
	}
	// Another browser: the person signs in at B again, and A finds the user it made the first time.
	second := signIn(newPageBrowser(t))
	if second["sub"] != first["sub"] {
		t.Fatalf("second sign-in is %v, want the same user %v", second["sub"], first["sub"])
	}
}

// exchangeAtA redeems code at A and returns the ID token's claims (A's own issuer; the token
// came straight from A over the loopback, so its payload is read without a signature check).
func exchangeAtA(t *testing.T, a *node, id, secret, redirect, code string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
	req, _ := http.NewRequest("POST", a.base+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.IDToken == "" {
		t.Fatalf("token exchange at A: %d %v", resp.StatusCode, err)
	}
	parts := strings.Split(tok.IDToken, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
