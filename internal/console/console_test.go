package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
