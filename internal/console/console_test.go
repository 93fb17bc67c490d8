package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// A console write without the session's CSRF token is refused and changes nothing.
func TestWriteWithoutCSRFTokenIsRefused(t *testing.T) {
	h := newHarness(t)
	status, _, body := h.post("/console/users", url.Values{"csrf": {"forged"}, "username": {"mallory"}, "password": {"correct horse battery"}})
	if status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", status)
	}
	if _, list := h.get("/console/users?q=mallory"); strings.Contains(list, "mallory</strong>") {
		t.Fatalf("user created despite the refusal: %s", body)
	}
}

// A boosted request (htmx) without a session is sent to /console as a whole page, so the
// sign-in page is never swapped into the console's.
func TestHTMXRequestWithoutSessionRedirectsWholePage(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/console/users", nil)
	req.Header.Set("HX-Request", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") != "/console" {
		t.Fatalf("status %d, HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
}

// Console pages are never cached, never framed, and run only the console's own scripts.
func TestPageHeaders(t *testing.T) {
	h := newHarness(t)
	resp, err := h.client.Get(h.srv.URL + "/console/users")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("headers: %v", resp.Header)
	}
	for _, asset := range []string{"/console/static/console.css", "/console/static/htmx-2.0.11.min.js", "/console/static/console.js"} {
		if status, _ := h.get(asset); status != http.StatusOK {
			t.Errorf("%s: %d", asset, status)
		}
	}
}

// Behind a trusted proxy the console signs in at the origin the browser used, and its client
// accepts that callback; without trust the configured URL is used whatever the headers say.
func TestSignInFollowsTrustedProxyOrigin(t *testing.T) {
	h := newHarness(t)
	ask := func() *http.Response {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/console", nil)
		req.Host = "auth-admin.example.com"
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if loc := ask().Header.Get("Location"); !strings.HasPrefix(loc, h.srv.URL+"/oidc/auth?") {
		t.Fatalf("untrusted headers were followed: %s", loc)
	}
	h.console.o.TrustProxy = true
	loc := ask().Header.Get("Location")
	if !strings.HasPrefix(loc, "https://auth-admin.example.com/oidc/auth?") ||
		!strings.Contains(loc, url.QueryEscape("https://auth-admin.example.com/console/callback")) {
		t.Fatalf("sign-in went to %s", loc)
	}
	app, err := h.svc.GetApplication(h.ctx, model.AdminTenantID, "admin-console")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(app.OIDCClientMetadata.RedirectURIs, "https://auth-admin.example.com/console/callback") {
		t.Fatalf("callback not allowed: %v", app.OIDCClientMetadata.RedirectURIs)
	}
}
