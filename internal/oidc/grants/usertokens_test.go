package grants

import (
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
)

func ptr[T any](v T) *T { return &v }

func TestIssuesRefreshToken(t *testing.T) {
	always := model.CustomClientMetadata{AlwaysIssueRefreshToken: ptr(true)}
	cases := []struct {
		name   string
		app    model.Application
		scopes []string
		want   bool
	}{
		{"offline_access granted", model.Application{Type: model.AppSPA}, []string{"openid", "offline_access"}, true},
		{"no offline_access", model.Application{Type: model.AppTraditional}, []string{"openid"}, false},
		{"alwaysIssueRefreshToken, web app", model.Application{Type: model.AppTraditional, CustomClientMetadata: always}, []string{"openid"}, true},
		{"alwaysIssueRefreshToken, SPA (web)", model.Application{Type: model.AppSPA, CustomClientMetadata: always}, []string{"openid"}, true},
		{"alwaysIssueRefreshToken, native app", model.Application{Type: model.AppNative, CustomClientMetadata: always}, []string{"openid"}, false},
		{"machine-to-machine never", model.Application{Type: model.AppMachineToMachine, CustomClientMetadata: always}, []string{"offline_access"}, false},
	}
	for _, tc := range cases {
		if got := issuesRefreshToken(&tc.app, tc.scopes); got != tc.want {
			t.Errorf("%s: issuesRefreshToken = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTTLs(t *testing.T) {
	if got := IDTokenTTL(&model.Application{}); got != time.Hour {
		t.Errorf("default ID token TTL %v", got)
	}
	if got := IDTokenTTL(&model.Application{CustomClientMetadata: model.CustomClientMetadata{IDTokenTTL: ptr(int64(600))}}); got != 10*time.Minute {
		t.Errorf("idTokenTtl 600: %v", got)
	}
	for _, tc := range []struct {
		meta model.CustomClientMetadata
		want time.Duration
	}{
		{model.CustomClientMetadata{}, 14 * 24 * time.Hour},
		{model.CustomClientMetadata{RefreshTokenTTLInDays: ptr(int64(30))}, 30 * 24 * time.Hour},
		{model.CustomClientMetadata{RefreshTokenTTL: ptr(int64(7200))}, 2 * time.Hour},
		{model.CustomClientMetadata{RefreshTokenTTLInDays: ptr(int64(2)), RefreshTokenTTL: ptr(int64(7200))}, 48 * time.Hour},
	} {
		if got := RefreshTokenTTL(&model.Application{CustomClientMetadata: tc.meta}); got != tc.want {
			t.Errorf("RefreshTokenTTL(%+v) = %v, want %v", tc.meta, got, tc.want)
		}
	}
}

func TestRotates(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	day := int64(24 * time.Hour / time.Millisecond)
	token := func(ageDays, ttlDays, chainDays int64) model.RefreshToken {
		created := now.UnixMilli() - ageDays*day
		return model.RefreshToken{CreatedAt: created, ExpiresAt: created + ttlDays*day, FirstIssuedAt: now.UnixMilli() - chainDays*day}
	}
	web := model.Application{Type: model.AppTraditional}
	spa := model.Application{Type: model.AppSPA}
	off := model.Application{Type: model.AppSPA, CustomClientMetadata: model.CustomClientMetadata{RotateRefreshToken: ptr(false)}}
	cases := []struct {
		name string
		app  model.Application
		rt   model.RefreshToken
		want bool
	}{
		{"public client: every use", spa, token(0, 14, 0), true},
		{"confidential client, young token", web, token(9, 14, 9), false},
		{"confidential client past 70%", web, token(10, 14, 10), true},
		{"rotation turned off", off, token(13, 14, 13), false},
		{"chain older than a year", spa, token(1, 14, 366), false},
	}
	for _, tc := range cases {
		if got := rotates(&tc.app, tc.rt, now); got != tc.want {
			t.Errorf("%s: rotates = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVerifyPKCE(t *testing.T) {
	// RFC 7636 Appendix B.
	const verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	cases := []struct {
		name, verifier, challenge, method string
		want                              string // "" ok, else the error code
	}{
		{"RFC 7636 example", verifier, challenge, "S256", ""},
		{"no PKCE at all", "", "", "", ""},
		{"missing verifier", "", challenge, "S256", "invalid_grant"},
		{"wrong verifier", verifier[:42] + "x", challenge, "S256", "invalid_grant"},
		{"verifier without a challenge", verifier, "", "", "invalid_grant"},
		{"plain method", verifier, verifier, "plain", "invalid_grant"},
		{"short verifier", "abc", challenge, "S256", "invalid_request"},
		{"bad characters", verifier[:42] + "!", challenge, "S256", "invalid_request"},
	}
	for _, tc := range cases {
		err := oauth.VerifyPKCE(tc.verifier, tc.challenge, tc.method)
		got := ""
		if err != nil {
			got = err.Code
		}
		if got != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
