package blackbox

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// balancer is a browser behind a load balancer in front of several nodes: each request goes to
// the next node, and the public ENDPOINT in redirects is mapped to that node. Cookies are kept
// per host name (as a browser keeps them for the public host), so every node sees them.
type balancer struct {
	t        *testing.T
	endpoint string
	nodes    []*node
	next     int
	c        *http.Client
}

func newBalancer(t *testing.T, endpoint string, nodes ...*node) *balancer {
	jar, _ := cookiejar.New(nil)
	return &balancer{t: t, endpoint: endpoint, nodes: nodes, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// route maps a public or relative URL to the next node, and says which node it picked.
func (b *balancer) route(u string) (string, *node) {
	n := b.nodes[b.next%len(b.nodes)]
	b.next++
	switch {
	case strings.HasPrefix(u, b.endpoint):
		return n.base + strings.TrimPrefix(u, b.endpoint), n
	case strings.HasPrefix(u, "/"):
		return n.base + u, n
	}
	for _, other := range b.nodes {
		if strings.HasPrefix(u, other.base) {
			return n.base + strings.TrimPrefix(u, other.base), n
		}
	}
	return u, nil // not ours (the app's redirect URI)
}

// visit follows redirects across the nodes until a page answers or a URL starts with stop; it
// returns the last URL and the page, and which nodes served the hops.
func (b *balancer) visit(method, u string, form url.Values, stop string) (string, string, map[int]bool) {
	b.t.Helper()
	served := map[int]bool{}
	for range 15 {
		if stop != "" && strings.HasPrefix(u, stop) {
			return u, "", served
		}
		target, n := b.route(u)
		for i, x := range b.nodes {
			if x == n {
				served[i] = true
			}
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, target, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := b.c.Do(req)
		if err != nil {
			b.t.Fatalf("%s %s: %v", method, target, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return u, string(raw), served
		}
		u, method, form = resp.Header.Get("Location"), http.MethodGet, nil
	}
	b.t.Fatalf("too many redirects, last %s", u)
	return "", "", nil
}

// eventually retries check until it passes or bound (plus slack for a loaded machine) is over.
func eventually(t *testing.T, what string, bound time.Duration, check func() bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(bound + 2*time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within %s", what, bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s after %s", what, time.Since(start).Round(time.Millisecond))
}

// TestTwoNodesOnOnePostgreSQL: two real processes behind one ENDPOINT share one database. A
// sign-in that hops between them at every request finishes; an application changed through one
// node is honoured by the other, and so is a signing key rotated through one, within the
// freshness bound (app.FreshnessInterval, one second).
func TestTwoNodesOnOnePostgreSQL(t *testing.T) {
	const endpoint = "https://auth.example.test"
	env := []string{"DB_URL=" + postgresDatabase(t), "GATEHOUSE_MASTER_KEY=" + newMasterKey(), "ENDPOINT=" + endpoint}
	n1 := startNode(t, t.TempDir(), env...)
	n2 := startNode(t, t.TempDir(), env...)
	adm := newAdmin(t, n1)
	const redirect, redirect2 = "http://127.0.0.1:9/cb", "http://127.0.0.1:9/other"
	var app struct{ ID, Secret string }
	adm.call("POST", "/api/applications", map[string]any{"name": "Chat", "type": "Traditional",
		"oidcClientMetadata": map[string]any{"redirectUris": []string{redirect}, "postLogoutRedirectUris": []string{}}}, &app, 200)
	adm.call("POST", "/api/users", map[string]any{"username": "grace", "password": "Compiler-1952-cobol"}, nil, 200)

	// A sign-in whose every request goes to the other node than the one before.
	lb := newBalancer(t, endpoint, n1, n2)
	q := url.Values{"client_id": {app.ID}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid profile"}, "state": {"s"}}
	_, page, _ := lb.visit("GET", endpoint+"/oidc/auth?"+q.Encode(), nil, "")
	where, _, served := lb.visit("POST", "/sign-in?app_id="+app.ID,
		url.Values{"csrf": {csrfIn(t, page)}, "identifier": {"grace"}, "password": {"Compiler-1952-cobol"}}, redirect)
	back, _ := url.Parse(where)
	if back.Query().Get("code") == "" || !served[0] || !served[1] {
		t.Fatalf("the sign-in ended at %s (nodes %v)", where, served)
	}
	if claims := exchangeAtA(t, n2, app.ID, app.Secret, redirect, back.Query().Get("code")); claims["iss"] != endpoint+"/oidc" {
		t.Fatalf("ID token from the other node: %v", claims)
	}

	// An application changed through node 1 is honoured by node 2.
	adm.call("PATCH", "/api/applications/"+app.ID, map[string]any{"oidcClientMetadata": map[string]any{
		"redirectUris": []string{redirect, redirect2}, "postLogoutRedirectUris": []string{}}}, nil, 200)
	q.Set("redirect_uri", redirect2)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	eventually(t, "node 2 accepting the new redirect URI", time.Second, func() bool {
		resp, err := noFollow.Get(n2.base + "/oidc/auth?" + q.Encode())
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "/sign-in")
	})

	// A signing key rotated through node 1 (no grace period) signs node 2's tokens. (A key's
	// config id is not its JWK kid, which Logto derives from the key: compare kids.)
	before, err := m2mToken(t, n2.base, adm.id, adm.secret)
	if err != nil || jwtKid(before) == "" {
		t.Fatalf("token from node 2 before the rotation: %v", err)
	}
	adm.call("POST", "/api/configs/oidc/private-keys/rotate", map[string]any{"rotationGracePeriod": 0}, nil, 200)
	eventually(t, "node 2 signing with the rotated key", time.Second, func() bool {
		t1, err1 := m2mToken(t, n1.base, adm.id, adm.secret)
		t2, err2 := m2mToken(t, n2.base, adm.id, adm.secret)
		return err1 == nil && err2 == nil && jwtKid(t2) != jwtKid(before) && jwtKid(t2) == jwtKid(t1)
	})
}

// jwtKid is the kid of a JWT's header ("" when it is not a JWT).
func jwtKid(tok string) string {
	head, _, ok := strings.Cut(tok, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct{ Kid string }
	_ = json.Unmarshal(raw, &h)
	return h.Kid
}
