package landing

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

type sie struct{ exp model.SignInExperience }

func (s sie) GetSignInExperience(context.Context, string) (model.SignInExperience, error) {
	return s.exp, nil
}

func TestLandingPage(t *testing.T) {
	exp := model.SignInExperience{Branding: model.Branding{LogoURL: "https://cdn.example.com/logo.svg"},
		LanguageInfo: model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}}
	h := Handler("default", "https://auth.example.com/oidc", sie{exp}, slog.New(slog.DiscardHandler))
	for _, tc := range []struct{ accept, want string }{
		{"en", "Sign-in server"},
		{"zh-CN,zh;q=0.9", "登录服务器"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Accept-Language", tc.accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, tc.want) ||
			!strings.Contains(body, `href="https://auth.example.com/oidc/.well-known/openid-configuration"`) ||
			!strings.Contains(body, "https://cdn.example.com/logo.svg") {
			t.Fatalf("%s: %d\n%s", tc.accept, rec.Code, body)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "https://cdn.example.com") {
			t.Fatalf("CSP %q", csp)
		}
	}
}
