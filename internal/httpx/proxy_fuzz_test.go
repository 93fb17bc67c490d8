package httpx

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzProxyHeaders fuzzes the reading of Forwarded (RFC 7239), X-Forwarded-For and
// X-Forwarded-Proto through the Proxy middleware. Properties:
//
//   - without TRUST_PROXY_HEADER (hops 0) the headers change nothing: the result is the peer address and
//     the connection's scheme, exactly as for the same request without them;
//   - with it, the scheme is "http" or "https", and "https" only over TLS or when a forwarding
//     header says https;
//   - with it (one hop), the client IP is the peer's (when no header names a usable one) or an IP
//     address written in one of the headers, in its canonical form: it parses as an IP and holds
//     no port, brackets, zone or space.
func FuzzProxyHeaders(f *testing.F) {
	for _, seed := range []struct {
		remote, forwarded, xff, xfp string
		tls                         bool
	}{
		{"192.0.2.1:5555", "", "203.0.113.9, 10.0.0.2", "https", false},
		{"192.0.2.1:5555", `for="[2001:db8::1]:4711";proto=https, for=10.0.0.2`, "", "", false},
		{"[2001:db8::2]:443", "for=192.0.2.60;proto=http;by=203.0.113.43", "198.51.100.7", "https", true},
		{"192.0.2.1:5555", "For=\"_hidden\"; PROTO=HTTPS", "not-an-ip", "gopher", false},
		{"192.0.2.1:5555", "for=unknown", " 2001:DB8::1 ,x", " HTTPS , http", false},
		{"192.0.2.1:5555", `for="[fe80::1%25eth0]:80"`, "fe80::1%eth0", "", false},
		{"192.0.2.1:5555", `for=[::ffff:1.2.3.4]`, "::ffff:1.2.3.4", "", false},
		{"192.0.2.1:5555", "for=\"1.2.3.4:80\";for=5.6.7.8", "1.2.3.4:80", "", false},
		{"garbage", ";;;,=,proto=", ",,,", ",", false},
		{"", "for=", "", "", true},
	} {
		f.Add(seed.remote, seed.forwarded, seed.xff, seed.xfp, seed.tls)
	}
	type result struct{ ip, scheme string }
	run := func(trust bool, remote string, overTLS bool, headers map[string]string) result {
		var got result
		hops := 0
		if trust {
			hops = 1
		}
		h := Proxy(hops, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = result{ClientIP(r.Context()), Scheme(r.Context())}
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if overTLS {
			r.TLS = &tls.ConnectionState{}
		} else {
			r.TLS = nil
		}
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		return got
	}
	f.Fuzz(func(t *testing.T, remote, forwarded, xff, xfp string, overTLS bool) {
		headers := map[string]string{}
		for k, v := range map[string]string{"Forwarded": forwarded, "X-Forwarded-For": xff, "X-Forwarded-Proto": xfp} {
			if v != "" {
				headers[k] = v
			}
		}
		bare := run(false, remote, overTLS, nil)
		wantScheme := "http"
		if overTLS {
			wantScheme = "https"
		}
		if bare.scheme != wantScheme {
			t.Fatalf("scheme %q over TLS=%v", bare.scheme, overTLS)
		}
		if untrusted := run(false, remote, overTLS, headers); untrusted != bare {
			t.Fatalf("untrusted headers %q changed %+v into %+v", headers, bare, untrusted)
		}
		if plain := run(true, remote, overTLS, nil); plain != bare {
			t.Fatalf("trusting no headers changed %+v into %+v", bare, plain)
		}

		got := run(true, remote, overTLS, headers)
		switch got.scheme {
		case "http":
		case "https":
			if !overTLS && !strings.Contains(strings.ToLower(forwarded+xfp), "https") {
				t.Fatalf("https from headers %q that do not say so", headers)
			}
		default:
			t.Fatalf("scheme %q from headers %q", got.scheme, headers)
		}
		if got.ip == bare.ip {
			return
		}
		if net.ParseIP(got.ip) == nil || strings.ContainsAny(got.ip, "[]% \t") {
			t.Fatalf("client IP %q from headers %q is not a bare IP address", got.ip, headers)
		}
		if !headerNamesIP(forwarded+","+xff, net.ParseIP(got.ip)) {
			t.Fatalf("client IP %q appears in none of the headers %q", got.ip, headers)
		}
	})
}

// headerNamesIP reports whether some token of the header text (split at the Forwarded and
// X-Forwarded-For separators, with an optional port) is the address ip, in any spelling.
func headerNamesIP(text string, ip net.IP) bool {
	for _, token := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;= \t\"", r) }) {
		if host, _, err := net.SplitHostPort(token); err == nil {
			token = host
		}
		if parsed := net.ParseIP(strings.Trim(token, "[]")); parsed != nil && parsed.Equal(ip) {
			return true
		}
	}
	return false
}
