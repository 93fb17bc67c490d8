package pagekit

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// TestBrandImages: data:image logos (which Logto's branding accepts) reach the page as they
// are, where html/template would replace a plain string with #ZgotmplZ; other schemes are
// dropped.
func TestBrandImages(t *testing.T) {
	tmpl := template.Must(template.New("x").Parse(`<img src="{{.Logo}}"><source srcset="{{.DarkSrcset}}"><link href="{{.Favicon}}">`))
	for _, tc := range []struct{ in, want string }{
		{"data:image/svg+xml,%3Csvg%3E%3C/svg%3E", `src="data:image/svg&#43;xml,%3Csvg%3E%3C/svg%3E"`},
		{"https://cdn.example.com/logo.png", `srcset="https://cdn.example.com/logo.png"`},
		{"javascript:alert(1)", `src=""`},
		{"data:text/html,<script>", `src=""`},
	} {
		b := BrandOf(model.SignInExperience{Branding: model.Branding{LogoURL: tc.in, Favicon: tc.in}})
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tc.want) || strings.Contains(buf.String(), "ZgotmplZ") {
			t.Errorf("%q rendered as %s", tc.in, buf.String())
		}
	}
}

// A redirect on the tenant's own origin becomes a path; another origin's URL stays whole.
func TestPathOnOrigin(t *testing.T) {
	const iss = "http://localhost:3002/oidc"
	for in, want := range map[string]string{
		"http://localhost:3002/oidc/auth/abc":  "/oidc/auth/abc",
		"https://app.example.com/callback?x=1": "https://app.example.com/callback?x=1",
		"http://localhost:30021/oidc/auth/abc": "http://localhost:30021/oidc/auth/abc",
		"/already/a/path":                      "/already/a/path",
	} {
		if got := PathOnOrigin(iss, in); got != want {
			t.Errorf("PathOnOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}
