package oidc

import "testing"

func TestMatchRedirectURI(t *testing.T) {
	registered := []string{"https://app.example.com/cb", "http://127.0.0.1/native", "http://[::1]:8080/v6", "http://localhost/lh", "com.example.app:/oauth"}
	cases := []struct {
		candidate string
		native    bool
		want      bool
	}{
		{"https://app.example.com/cb", false, true},
		{"https://app.example.com/cb/", false, false},
		{"https://app.example.com/CB", false, false},
		{"https://APP.example.com/cb", false, false},
		{"https://app.example.com:443/cb", false, false},
		{"https://app.example.com/cb?x=1", false, false},
		{"https://app.example.com/cb#f", false, false},
		{"https://user@app.example.com/cb", false, false},
		{"https://app.example.com.evil.com/cb", false, false},
		{"", false, false},
		{"com.example.app:/oauth", true, true},
		{"com.example.app:/oauth2", true, false},
		// RFC 8252 §7.3: native apps, plain-http loopback, any port, nothing else different.
		{"http://127.0.0.1:51000/native", true, true},
		{"http://127.0.0.1/native", true, true},
		{"http://127.0.0.1:51000/native", false, false}, // a web app gets no exception
		{"http://127.0.0.1:51000/native/", true, false},
		{"http://127.0.0.1:51000/other", true, false},
		{"https://127.0.0.1:51000/native", true, false},
		{"http://127.0.0.2:51000/native", true, false},
		{"http://127.0.0.1:51000@evil.com/native", true, false},
		{"http://evil@127.0.0.1:51000/native", true, false},
		{"http://127.0.0.1:5x/native", true, false},
		{"http://127.0.0.1:/native", true, false},
		{"http://[::1]:9999/v6", true, true},
		{"http://[::1]/v6", true, true},
		{"http://localhost:3000/lh", true, true},
		{"http://localhost:3000/native", true, false}, // registered for 127.0.0.1, not localhost
	}
	for _, tc := range cases {
		if got := matchRedirectURI(registered, tc.candidate, tc.native); got != tc.want {
			t.Errorf("matchRedirectURI(%q, native=%v) = %v, want %v", tc.candidate, tc.native, got, tc.want)
		}
	}
	if matchRedirectURI([]string{"https://*.example.com/cb"}, "https://*.example.com/cb", false) {
		t.Error("a wildcard pattern matched itself as a destination")
	}
}
