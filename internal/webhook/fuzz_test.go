package webhook

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL: whatever a hook's URL is, CheckURL never panics, and what it accepts is an
// absolute http(s) URL with a host and no credentials, the only kind the sender calls.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/x?a=b", "http://[::1]:80/", "javascript:alert(1)", "http://u:p@h/", "//h/x", "http://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if CheckURL(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("CheckURL accepted %q", raw)
		}
	})
}

// FuzzCheckHeaders: an accepted header never carries a line break (request splitting).
func FuzzCheckHeaders(f *testing.F) {
	f.Add("x-team", "blue")
	f.Add("X-A", "1\r\nX-B: 2")
	f.Add("Host", "evil")
	f.Fuzz(func(t *testing.T, name, value string) {
		if CheckHeaders(map[string]string{name: value}) != nil {
			return
		}
		for _, s := range []string{name, value} {
			for _, c := range s {
				if c == '\r' || c == '\n' || c == 0 {
					t.Fatalf("accepted %q: %q", name, value)
				}
			}
		}
		if forbiddenHeaders[strings.ToLower(name)] {
			t.Fatalf("accepted the transport's header %q", name)
		}
	})
}
