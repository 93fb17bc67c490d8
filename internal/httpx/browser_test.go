package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequireJSON(t *testing.T) {
	for _, tc := range []struct {
		contentType, body string
		ok                bool
	}{
		{"application/json", `{}`, true},
		{"application/json; charset=utf-8", `{}`, true},
		{"Application/JSON", `{}`, true},
		{"application/merge-patch+json", `{}`, true},
		{"", ``, true}, // no body, nothing declared: Logto's sign-in page submits so
		{"", `{}`, false},
		{"text/plain", `{}`, false},
		{"text/plain", ``, false},
		{"application/x-www-form-urlencoded", `a=b`, false},
		{"multipart/form-data; boundary=x", `--x--`, false},
		{"application/jsonp", `{}`, false},
		{"json", `{}`, false},
		{"application/json; charset", `{}`, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/api/experience/submit", strings.NewReader(tc.body))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		if err := RequireJSON(r); (err == nil) != tc.ok {
			t.Errorf("Content-Type %q with body %q: err %v, want ok=%v", tc.contentType, tc.body, err, tc.ok)
		}
	}
}

func TestImageSources(t *testing.T) {
	got := ImageSources("https://cdn.example.com/a.png", "https://CDN.example.com/b.png", "http://127.0.0.1:8080/x",
		"", "/relative.png", "javascript:alert(1)", "data:image/png;base64,AAAA", "https://user:pw@host.example/x",
		"https://evil.example;script-src", "https://a b.example/")
	if want := "'self' data: https://cdn.example.com http://127.0.0.1:8080"; got != want {
		t.Fatalf("ImageSources = %q, want %q", got, want)
	}
}
