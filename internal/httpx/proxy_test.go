package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProxy(t *testing.T) {
	cases := []struct {
		name       string
		trust      bool
		headers    map[string]string
		wantIP     string
		wantScheme string
	}{
		{"untrusted ignores headers", false, map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "192.0.2.1", "http"},
		{"trusted X-Forwarded-*", true, map[string]string{"X-Forwarded-For": "203.0.113.9, 10.0.0.2", "X-Forwarded-Proto": "https"}, "203.0.113.9", "https"},
		{"trusted Forwarded", true, map[string]string{"Forwarded": `for="[2001:db8::1]:4711";proto=https, for=10.0.0.2`}, "2001:db8::1", "https"},
		{"trusted garbage falls back to peer", true, map[string]string{"X-Forwarded-For": "not-an-ip", "X-Forwarded-Proto": "gopher"}, "192.0.2.1", "http"},
		{"trusted without headers", true, nil, "192.0.2.1", "http"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ip, scheme string
			h := Proxy(c.trust, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
