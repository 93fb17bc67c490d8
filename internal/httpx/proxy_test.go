package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProxy(t *testing.T) {
	cases := []struct {
		name       string
		hops       int
		headers    map[string]string
		wantIP     string
		wantScheme string
	}{
		{"untrusted ignores headers", 0, map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "192.0.2.1", "http"},
		{"trusted X-Forwarded-* (Caddy replaces the header)", 1, map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "203.0.113.9", "https"},
		{"trusted Forwarded without X-Forwarded-For", 1, map[string]string{"Forwarded": `for=10.0.0.2, for="[2001:db8::1]:4711";proto=https`}, "2001:db8::1", "https"},
		{"trusted garbage falls back to peer", 1, map[string]string{"X-Forwarded-For": "not-an-ip", "X-Forwarded-Proto": "gopher"}, "192.0.2.1", "http"},
		{"trusted without headers", 1, nil, "192.0.2.1", "http"},
		// The client sends its own header; the one proxy appends the address it saw (nginx's
		// $proxy_add_x_forwarded_for): only the proxy's entry is believed.
		{"a spoofed X-Forwarded-For entry is not believed", 1, map[string]string{"X-Forwarded-For": "198.51.100.66, 203.0.113.9"}, "203.0.113.9", "http"},
		// Caddy sets X-Forwarded-For but passes a client's Forwarded header through untouched.
		{"a client's Forwarded header loses to X-Forwarded-For", 1, map[string]string{"Forwarded": "for=198.51.100.66;proto=https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}, "203.0.113.9", "http"},
		{"two trusted proxies: the second entry from the right", 2, map[string]string{"X-Forwarded-For": "198.51.100.66, 203.0.113.9, 10.0.0.2"}, "203.0.113.9", "http"},
		{"fewer entries than trusted proxies: the peer", 2, map[string]string{"X-Forwarded-For": "203.0.113.9"}, "192.0.2.1", "http"},
		{"one address, two spellings, one client", 1, map[string]string{"X-Forwarded-For": "::ffff:203.0.113.9"}, "203.0.113.9", "http"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ip, scheme string
			h := Proxy(c.hops, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ip, scheme = ClientIP(r.Context()), Scheme(r.Context())
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = "192.0.2.1:5555"
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if ip != c.wantIP || scheme != c.wantScheme {
				t.Fatalf("got ip %q scheme %q, want %q %q", ip, scheme, c.wantIP, c.wantScheme)
			}
		})
	}
}
