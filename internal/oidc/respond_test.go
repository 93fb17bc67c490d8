package oidc

import "testing"

func TestWithQuery(t *testing.T) {
	cases := []struct {
		uri     string
		members []param
		want    string
	}{
		{"https://app/cb", []param{{"code", "c"}, {"state", "a b"}}, "https://app/cb?code=c&state=a+b"},
		{"https://app/cb?z=1&a=2", []param{{"code", "c"}}, "https://app/cb?z=1&a=2&code=c"},
		{"https://app/cb?code=old&z=1", []param{{"code", "c"}}, "https://app/cb?z=1&code=c"},
		{"https://app/bye?z=1", nil, "https://app/bye?z=1"},
		{"io.app:/cb", []param{{"code", "c"}}, "io.app:/cb?code=c"},
	}
	for _, tc := range cases {
		if got := withQuery(tc.uri, tc.members); got != tc.want {
			t.Errorf("withQuery(%q) = %q, want %q", tc.uri, got, tc.want)
		}
	}
}

func TestScriptSchemeRefused(t *testing.T) {
	for uri, want := range map[string]bool{
		"javascript:alert(1)": true, " JavaScript:x": true, "data:text/html,x": true,
		"https://app/cb": false, "io.app:/cb": false, "http://127.0.0.1/cb": false,
	} {
		if got := scriptScheme(uri); got != want {
			t.Errorf("scriptScheme(%q) = %v, want %v", uri, got, want)
		}
	}
}
