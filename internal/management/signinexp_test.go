package management

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func TestSignInExperienceNeedsAToken(t *testing.T) {
	e := newEnv(t)
	for _, method := range []string{"GET", "PATCH"} {
		e.want(e.doAuth(method, "/api/sign-in-exp", "", `{"signInMode":"SignIn"}`), http.StatusUnauthorized, "auth.authorization_header_missing")
	}
	// The refused PATCH changed nothing.
	var sie model.SignInExperience
	r := e.do("GET", "/api/sign-in-exp", "")
	e.want(r, http.StatusOK, "")
	r.json(t, &sie)
	if sie.SignInMode != model.SignInModeSignInAndRegister {
		t.Errorf("mode = %s after an unauthenticated PATCH", sie.SignInMode)
	}
}

func TestSignInExperienceGetAndPatch(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/sign-in-exp", "")
	e.want(r, http.StatusOK, "")
	var sie model.SignInExperience
	r.json(t, &sie)
	if sie.TenantID != model.DefaultTenantID || sie.ID != "default" || sie.SignUp.Identifiers[0] != "username" {
		t.Errorf("GET = %+v; want the default tenant's seeded experience", sie)
	}

	body := `{"color": {"primaryColor": "#0A7CFF", "isDarkModeEnabled": true, "darkPrimaryColor": "#3D98FF"},
		"branding": {"logoUrl": "https://cdn.example.com/logo.svg"},
		"customCss": ".logto_main-content { border-radius: 0; }",
		"termsOfUseUrl": "https://example.com/terms",
		"languageInfo": {"autoDetect": false, "fallbackLanguage": "zh-CN"}}`
	r = e.do("PATCH", "/api/sign-in-exp", body)
	e.want(r, http.StatusOK, "")
	var patched model.SignInExperience
	r.json(t, &patched)

	r = e.do("GET", "/api/sign-in-exp", "")
	e.want(r, http.StatusOK, "")
	var got model.SignInExperience
	r.json(t, &got)
	for _, sie := range []model.SignInExperience{patched, got} {
		if sie.Color.PrimaryColor != "#0A7CFF" || !sie.Color.IsDarkModeEnabled || sie.Branding.LogoURL != "https://cdn.example.com/logo.svg" ||
			sie.CustomCSS == nil || !strings.Contains(*sie.CustomCSS, "border-radius") || sie.TermsOfUseURL == nil ||
			sie.LanguageInfo.FallbackLanguage != "zh-CN" || sie.SignInMode != model.SignInModeSignInAndRegister {
			t.Errorf("after PATCH: %+v", sie)
		}
	}
}

func TestSignInExperiencePatchErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"unknown key", `{"signInModes": "SignIn"}`, http.StatusBadRequest, "guard.invalid_input"},
		{"not an object", `"SignIn"`, http.StatusBadRequest, "guard.invalid_input"},
		{"bad colour", `{"color": {"primaryColor": "blue", "isDarkModeEnabled": false, "darkPrimaryColor": "#fff"}}`, http.StatusBadRequest, "guard.invalid_input"},
		{"no factor", `{"signIn": {"methods": [{"identifier": "username", "password": false, "verificationCode": false, "isPasswordPrimary": true}]}}`,
			http.StatusBadRequest, "sign_in_experiences.at_least_one_authentication_factor"},
		{"email sign-up without connector", `{"signUp": {"identifiers": ["email"], "password": true, "verify": true}}`,
			http.StatusBadRequest, "sign_in_experiences.enabled_connector_not_found"},
		{"too large", `{"customCss": "` + strings.Repeat("a", maxBodyBytes) + `"}`, http.StatusRequestEntityTooLarge, "guard.invalid_input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.want(e.do("PATCH", "/api/sign-in-exp", tc.body), tc.status, tc.code)
		})
	}
	r := e.do("PATCH", "/api/sign-in-exp", `{"signUp": {"identifiers": ["email"], "password": true, "verify": true}}`)
	var body struct {
		Data map[string]string `json:"data"`
	}
	r.json(t, &body)
	if body.Data["type"] != "Email" {
		t.Errorf("enabled_connector_not_found data = %v; want type Email as Logto interpolates it", body.Data)
	}
}

func TestWellKnownSignInExperienceIsAnonymous(t *testing.T) {
	e := newEnv(t)
	// Social-only, as the sign-in page would then render it.
	e.want(e.do("PATCH", "/api/sign-in-exp", `{"signIn": {"methods": []}, "signUp": {"identifiers": [], "password": false, "verify": false},
		"socialSignInConnectorTargets": ["github"], "color": {"primaryColor": "#000000", "isDarkModeEnabled": true, "darkPrimaryColor": "#ffffff"}}`),
		http.StatusOK, "")

	r := e.doAuth("GET", "/api/.well-known/sign-in-exp?appId=some-app&organizationId=some-org", "", "")
	e.want(r, http.StatusOK, "")
	var doc map[string]json.RawMessage
	r.json(t, &doc)
	want := map[string]string{
		"tenantId":                     `"default"`,
		"socialConnectors":             `[]`,
		"ssoConnectors":                `[]`,
		"forgotPassword":               `{"phone":false,"email":false}`,
		"isDevelopmentTenant":          `false`,
		"customProfileFields":          `[]`,
		"socialSignInConnectorTargets": `["github"]`,
		"signIn":                       `{"methods":[]}`,
		"color":                        `{"primaryColor":"#000000","isDarkModeEnabled":true,"darkPrimaryColor":"#ffffff"}`,
	}
	for key, value := range want {
		var compact bytes.Buffer
		if err := json.Compact(&compact, doc[key]); err != nil || compact.String() != value {
			t.Errorf("%s = %s; want %s", key, doc[key], value)
		}
	}
	// Every member of the settings is there for the page, as in Logto's FullSignInExperience.
	for _, key := range []string{"branding", "languageInfo", "signUp", "signInMode", "customCss", "passwordPolicy",
		"termsOfUseUrl", "privacyPolicyUrl", "agreeToTermsPolicy", "sentinelPolicy", "usernamePolicy"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("well-known lacks %s", key)
		}
	}
}
