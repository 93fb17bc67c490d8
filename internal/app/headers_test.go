package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestSecurityHeaders: every HTML page the binary serves — the hosted sign-in pages, the logout
// page that posts its confirmation, the signed-out page, an error page — sends the same
// security headers, and every other answer (JSON errors of /oidc and /api) at least nosniff.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		if strings.HasPrefix(path, "POST ") {
			// A form posted from another site: the hosted pages' error page answers it.
			req, _ = http.NewRequest(http.MethodPost, f.srv.URL+strings.TrimPrefix(path, "POST "), strings.NewReader("identifier=a"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	pages := map[string]string{
		"the unknown-session page":                        "/unknown-session",
		"the logout page":                                 "/oidc/session/end",
		"the signed-out page":                             "/oidc/session/end/success",
		"the sign-in pages' error page":                   "POST /sign-in",
		"the sign-in page without a session (a redirect)": "/sign-in",
	}
	for name, path := range pages {
		t.Run(name, func(t *testing.T) {
			resp := get(path)
			h := resp.Header
			redirect := resp.StatusCode >= 300 && resp.StatusCode < 400
			if ct := h.Get("Content-Type"); !redirect && !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("GET %s: %d %s, want an HTML page", path, resp.StatusCode, ct)
			}
			want := map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"X-Frame-Options":        "DENY",
				"Cache-Control":          "no-store",
			}
			if redirect {
				// A redirect carries no page: nosniff is all it needs.
				want = map[string]string{"X-Content-Type-Options": "nosniff"}
			} else if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "img-src *") {
				t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", path, k, got, v)
				}
			}
		})
	}
	for _, path := range []string{"/oidc/auth?client_id=nobody", "/api/applications", "/oidc/.well-known/openid-configuration"} {
		if got := get(path).Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", path, got)
		}
	}
}
