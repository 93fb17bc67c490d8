package service

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/service/signinexp"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

func TestSignInExperienceDefaultsPerTenant(t *testing.T) {
	env := newEnv(t, Options{})

	def, err := env.svc.GetSignInExperience(env.ctx, model.DefaultTenantID)
	mustNoErr(t, err)
	if def.TenantID != model.DefaultTenantID || def.ID != "default" {
		t.Errorf("ids = %q/%q", def.TenantID, def.ID)
	}
	if def.SignInMode != model.SignInModeSignInAndRegister || def.Color.IsDarkModeEnabled {
		t.Errorf("default tenant: mode %s, dark %v; want SignInAndRegister, light", def.SignInMode, def.Color.IsDarkModeEnabled)
	}
	wantMethods := []model.SignInMethod{{Identifier: "username", Password: true, IsPasswordPrimary: true}}
	if !reflect.DeepEqual(def.SignIn.Methods, wantMethods) {
		t.Errorf("sign-in methods = %+v; want username + password", def.SignIn.Methods)
	}
	if !reflect.DeepEqual(def.SignUp, model.SignUp{Identifiers: []string{"username"}, Password: true}) {
		t.Errorf("sign-up = %+v; want username + password, no verify", def.SignUp)
	}
	if def.Color.PrimaryColor != "#6139F6" || def.Color.DarkPrimaryColor != "#8768F8" ||
		def.LanguageInfo != (model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}) ||
		def.AgreeToTermsPolicy != "Automatic" || def.MFA.Policy != "UserControlled" ||
		!def.UsernamePolicy.CaseSensitive || def.UsernamePolicy.MaxLength != 128 {
		t.Errorf("default tenant seed differs from Logto's: %+v", def)
	}

	admin, err := env.svc.GetSignInExperience(env.ctx, model.AdminTenantID)
	mustNoErr(t, err)
	// The first visitor of the admin console registers the first admin.
	if admin.SignInMode != model.SignInModeRegister || !admin.Color.IsDarkModeEnabled {
		t.Errorf("admin tenant: mode %s, dark %v; want Register, dark", admin.SignInMode, admin.Color.IsDarkModeEnabled)
	}
	if admin.TenantID != model.AdminTenantID || !reflect.DeepEqual(admin.SignIn, def.SignIn) ||
		!reflect.DeepEqual(admin.MFA.Factors, []string{"Totp", "WebAuthn", "BackupCode"}) || admin.MFA.Policy != "NoPrompt" {
		t.Errorf("admin tenant seed differs from Logto's: %+v", admin)
	}

	// Lists are [] and objects {} on the wire, never null, as Logto answers.
	raw, err := json.Marshal(def)
	mustNoErr(t, err)
	for _, want := range []string{`"socialSignInConnectorTargets":[]`, `"customContent":{}`, `"passwordPolicy":{}`,
		`"factors":[]`, `"termsOfUseUrl":null`, `"customCss":null`, `"sentinelPolicy":{}`} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("GET body lacks %s: %s", want, raw)
		}
	}
}

// everyField sets each member of the experience to something other than its default, within
// the rules (no connectors exist, so no verification codes and no email/phone sign-up).
const everyField = `{
	"color": {"primaryColor": "#112233", "isDarkModeEnabled": true, "darkPrimaryColor": "#abc"},
	"branding": {"logoUrl": "https://cdn.example.com/logo.svg", "darkLogoUrl": "https://cdn.example.com/logo-dark.svg",
		"favicon": "https://cdn.example.com/favicon.ico", "darkFavicon": "data:image/png;base64,iVBORw0KGgo="},
	"hideLogtoBranding": true,
	"languageInfo": {"autoDetect": false, "fallbackLanguage": "zh-CN"},
	"termsOfUseUrl": "https://example.com/terms",
	"privacyPolicyUrl": "http://example.com/privacy",
	"agreeToTermsPolicy": "Manual",
	"signIn": {"methods": [
		{"identifier": "email", "password": true, "verificationCode": false, "isPasswordPrimary": true},
		{"identifier": "username", "password": true, "verificationCode": false, "isPasswordPrimary": true}]},
	"signUp": {"identifiers": ["username"], "password": true, "verify": false},
	"socialSignIn": {"automaticAccountLinking": true, "skipRequiredIdentifiers": false},
	"socialSignInConnectorTargets": ["github", "google"],
	"signInMode": "SignIn",
	"customCss": "body { background: #000; }",
	"customContent": {"/sign-in": "<p>Welcome</p>"},
	"passwordPolicy": {"length": {"min": 12, "max": 64}, "characterTypes": {"min": 3},
		"rejects": {"pwned": false, "repetitionAndSequence": true, "userInfo": false, "words": ["gatehouse"]}},
	"mfa": {"factors": ["Totp", "BackupCode"], "policy": "PromptAtSignInAndSignUp", "organizationRequiredMfaPolicy": "Mandatory"},
	"singleSignOnEnabled": true,
	"supportEmail": "help@example.com",
	"supportWebsiteUrl": "https://example.com/support",
	"unknownSessionRedirectUrl": "https://app.example.com/",
	"sentinelPolicy": {"maxAttempts": 5, "lockoutDuration": 15},
	"usernamePolicy": {"caseSensitive": false, "minLength": 3, "maxLength": 32,
		"allowedChars": {"lowercase": true, "uppercase": false, "numbers": true, "underscore": false}}
}`

func TestPatchRoundTripsEveryField(t *testing.T) {
	env := newEnv(t, Options{})
	patched, err := env.svc.UpdateSignInExperience(env.ctx, model.DefaultTenantID, json.RawMessage(everyField))
	mustNoErr(t, err)

	var sent map[string]json.RawMessage
	mustNoErr(t, json.Unmarshal([]byte(everyField), &sent))
	if len(sent) != len(signinexp.Members())-2 { // all but tenantId and id
		t.Fatalf("the test sends %d members; the model has %d writable ones", len(sent), len(signinexp.Members())-2)
	}

	// Read it back through a second service: nothing is answered from the first one's memory.
	other := New(env.st, store.NewFreshness(env.st, env.clk, time.Second), env.clk, nil, Options{})
	stored, err := other.GetSignInExperience(env.ctx, model.DefaultTenantID)
	mustNoErr(t, err)
	for name, sie := range map[string]model.SignInExperience{"PATCH answer": patched, "GET": stored} {
		got := toFields(t, sie)
		for key, want := range sent {
			if !jsonEqual(t, got[key], want) {
				t.Errorf("%s %s = %s; want %s", name, key, got[key], want)
			}
		}
		if sie.TenantID != model.DefaultTenantID || sie.ID != "default" {
			t.Errorf("%s ids = %q/%q", name, sie.TenantID, sie.ID)
		}
	}
	// The other tenant is untouched.
	admin, err := env.svc.GetSignInExperience(env.ctx, model.AdminTenantID)
	mustNoErr(t, err)
	if admin.Color.PrimaryColor != "#6139F6" {
		t.Errorf("admin tenant changed: %+v", admin.Color)
	}
}

func TestPatchReplacesOnlyTheKeysSent(t *testing.T) {
	env := newEnv(t, Options{})
	ctx, tenant := env.ctx, model.DefaultTenantID
	_, err := env.svc.UpdateSignInExperience(ctx, tenant, json.RawMessage(
		`{"branding": {"logoUrl": "https://a.example/l.svg", "darkLogoUrl": "https://a.example/d.svg"}, "termsOfUseUrl": "https://a.example/t"}`))
	mustNoErr(t, err)
	got, err := env.svc.UpdateSignInExperience(ctx, tenant, json.RawMessage(
		`{"branding": {"logoUrl": "https://b.example/l.svg"}, "termsOfUseUrl": null, "privacyPolicyUrl": ""}`))
	mustNoErr(t, err)
	// A member is replaced whole: the dark logo is gone, not merged.
	if got.Branding != (model.Branding{LogoURL: "https://b.example/l.svg"}) {
		t.Errorf("branding = %+v; want only the new logo", got.Branding)
	}
	if got.TermsOfUseURL != nil || got.PrivacyPolicyURL == nil || *got.PrivacyPolicyURL != "" {
		t.Errorf("terms = %v, privacy = %v; want null and \"\"", got.TermsOfUseURL, got.PrivacyPolicyURL)
	}
	if !reflect.DeepEqual(got.SignIn, signinexp.Default(tenant).SignIn) || got.Color != signinexp.Default(tenant).Color {
		t.Errorf("members that were not sent changed: %+v", got)
	}

	// An empty body, and GET's own answer sent back, change nothing.
	before, err := env.svc.GetSignInExperience(ctx, tenant)
	mustNoErr(t, err)
	for _, body := range []string{"", "{}", string(mustJSON(t, before))} {
		after, err := env.svc.UpdateSignInExperience(ctx, tenant, json.RawMessage(body))
		mustNoErr(t, err)
		if !reflect.DeepEqual(after, before) {
			t.Errorf("PATCH %.40q changed the experience:\n%+v\n%+v", body, after, before)
		}
	}
}

func TestPatchPasswordPolicyFillsLogtoDefaults(t *testing.T) {
	env := newEnv(t, Options{})
	// Logto's admin seed with disablePwnedPasswordCheck: only pwned is turned off.
	got, err := env.svc.UpdateSignInExperience(env.ctx, model.DefaultTenantID,
		json.RawMessage(`{"passwordPolicy": {"rejects": {"pwned": false}, "length": {"min": 10}}}`))
	mustNoErr(t, err)
	want := model.PasswordPolicy{
		Length:  &model.PasswordLength{Min: 10, Max: 256},
		Rejects: &model.PasswordRejects{Pwned: false, RepetitionAndSequence: true, UserInfo: true, Words: []string{}},
	}
	if !reflect.DeepEqual(got.PasswordPolicy, want) {
		t.Errorf("policy = %s; want %s", mustJSON(t, got.PasswordPolicy), mustJSON(t, want))
	}
}

func TestPatchAllowsSocialOnly(t *testing.T) {
	env := newEnv(t, Options{})
	// logto-ecosystem.md §2.3: no identifier methods, no sign-up identifiers, social targets only.
	body := `{"signIn": {"methods": []}, "signUp": {"identifiers": [], "password": false, "verify": false},
		"socialSignInConnectorTargets": ["github", "google"], "signInMode": "SignInAndRegister"}`
	got, err := env.svc.UpdateSignInExperience(env.ctx, model.DefaultTenantID, json.RawMessage(body))
	mustNoErr(t, err)
	again, err := env.svc.GetSignInExperience(env.ctx, model.DefaultTenantID)
	mustNoErr(t, err)
	for _, sie := range []model.SignInExperience{got, again} {
		if len(sie.SignIn.Methods) != 0 || len(sie.SignUp.Identifiers) != 0 || sie.SignUp.Password ||
			!reflect.DeepEqual(sie.SocialSignInConnectorTargets, []string{"github", "google"}) {
			t.Errorf("social-only experience = %+v", sie)
		}
	}
	raw := mustJSON(t, again)
	if !bytes.Contains(raw, []byte(`"methods":[]`)) || !bytes.Contains(raw, []byte(`"identifiers":[]`)) {
		t.Errorf("empty lists must stay [] on the wire: %s", raw)
	}
}

func TestPatchValidation(t *testing.T) {
	const bad, guard = http.StatusBadRequest, "guard.invalid_input"
	methods := func(m string) string { return `{"signIn": {"methods": [` + m + `]}}` }
	username := `{"identifier": "username", "password": true, "verificationCode": false, "isPasswordPrimary": true}`
	tests := []struct {
		name, body string
		code       string
	}{
		// Shape (Logto's koaGuard).
		{"not an object", `[1]`, guard},
		{"not json", `{"color":`, guard},
		{"unknown key", `{"colour": {}}`, guard},
		{"unknown nested key", `{"color": {"primaryColor": "#000", "isDarkModeEnabled": false, "darkPrimaryColor": "#fff", "x": 1}}`, guard},
		{"missing nested key", `{"color": {"primaryColor": "#000000", "darkPrimaryColor": "#ffffff"}}`, guard},
		{"wrong type", `{"hideLogtoBranding": "yes"}`, guard},
		{"null for a non-nullable member", `{"color": null}`, guard},
		{"null inside a member", `{"branding": {"logoUrl": null}}`, guard},
		{"NUL character", `{"customCss": "a\u0000b"}`, guard},
		{"colour not hex", `{"color": {"primaryColor": "#0", "isDarkModeEnabled": false, "darkPrimaryColor": "#ffffff"}}`, guard},
		{"colour name", `{"color": {"primaryColor": "#000000", "isDarkModeEnabled": false, "darkPrimaryColor": "red"}}`, guard},
		{"logo not a URL", `{"branding": {"logoUrl": "invalid"}}`, guard},
		{"logo empty", `{"branding": {"logoUrl": ""}}`, guard},
		{"logo javascript", `{"branding": {"favicon": "javascript:alert(1)"}}`, guard},
		{"terms not a URL", `{"termsOfUseUrl": "non-url"}`, guard},
		{"terms blank", `{"termsOfUseUrl": " \t\n\r"}`, guard},
		{"privacy javascript", `{"privacyPolicyUrl": "javascript:alert(1)"}`, guard},
		{"unknown session data URL", `{"unknownSessionRedirectUrl": "data:text/html,hi"}`, guard},
		{"support email", `{"supportEmail": "not-an-email"}`, guard},
		{"agree policy", `{"agreeToTermsPolicy": "Always"}`, guard},
		{"sign-in mode", `{"signInMode": "Closed"}`, guard},
		{"sign-in identifier", methods(`{"identifier": "nickname", "password": true, "verificationCode": false, "isPasswordPrimary": true}`), guard},
		{"sign-in method twice", methods(username + "," + username), guard},
		{"sign-in method missing key", methods(`{"identifier": "username", "password": true}`), guard},
		{"sign-up identifier", `{"signUp": {"identifiers": ["emailOrPhone"], "password": true, "verify": true}}`, guard},
		{"language not a tag", `{"languageInfo": {"autoDetect": true, "fallbackLanguage": "not a language"}}`, guard},
		{"custom CSS too large", `{"customCss": "` + strings.Repeat("a", signinexp.MaxCustomCSSBytes+1) + `"}`, guard},
		{"custom content not text", `{"customContent": {"/sign-in": 1}}`, guard},
		{"empty connector target", `{"socialSignInConnectorTargets": [""]}`, guard},
		{"password length zero", `{"passwordPolicy": {"length": {"min": 0, "max": 10}}}`, guard},
		{"password length inverted", `{"passwordPolicy": {"length": {"min": 20, "max": 10}}}`, guard},
		{"character types 5", `{"passwordPolicy": {"characterTypes": {"min": 5}}}`, guard},
		{"password policy unknown key", `{"passwordPolicy": {"history": 3}}`, guard},
		{"mfa factor", `{"mfa": {"factors": ["Sms"], "policy": "NoPrompt"}}`, guard},
		{"mfa policy", `{"mfa": {"factors": [], "policy": "Sometimes"}}`, guard},
		{"sentinel zero attempts", `{"sentinelPolicy": {"maxAttempts": 0}}`, guard},
		{"sentinel fraction", `{"sentinelPolicy": {"lockoutDuration": 1.5}}`, guard},
		{"username policy inverted", `{"usernamePolicy": {"caseSensitive": true, "minLength": 10, "maxLength": 5, "allowedChars": {"lowercase": true, "uppercase": true, "numbers": true, "underscore": true}}}`, guard},
		{"username policy numbers only", `{"usernamePolicy": {"caseSensitive": true, "minLength": 1, "maxLength": 5, "allowedChars": {"lowercase": false, "uppercase": false, "numbers": true, "underscore": false}}}`, guard},
		{"username policy 200", `{"usernamePolicy": {"caseSensitive": true, "minLength": 1, "maxLength": 200, "allowedChars": {"lowercase": true, "uppercase": true, "numbers": true, "underscore": true}}}`, guard},

		// Logto's sign-in experience rules.
		{"language not built in", `{"languageInfo": {"autoDetect": true, "fallbackLanguage": "nl"}}`, "sign_in_experiences.unsupported_default_language"},
		{"method without factor", methods(`{"identifier": "username", "password": false, "verificationCode": false, "isPasswordPrimary": true}`),
			"sign_in_experiences.at_least_one_authentication_factor"},
		{"email code without connector", methods(username + `, {"identifier": "email", "password": true, "verificationCode": true, "isPasswordPrimary": true}`),
			"sign_in_experiences.enabled_connector_not_found"},
		{"phone code without connector", methods(username + `, {"identifier": "phone", "password": false, "verificationCode": true, "isPasswordPrimary": false}`),
			"sign_in_experiences.enabled_connector_not_found"},
		{"sign-up identifier not a sign-in method", `{"signIn": {"methods": [{"identifier": "email", "password": true, "verificationCode": false, "isPasswordPrimary": true}]}}`,
			"sign_in_experiences.miss_sign_up_identifier_in_sign_in"},
		{"sign-up identifiers but no methods", methods(``), "sign_in_experiences.miss_sign_up_identifier_in_sign_in"},
		{"username sign-up without password", `{"signUp": {"identifiers": ["username"], "password": false, "verify": false}}`,
			"sign_in_experiences.username_requires_password"},
		{"secondary without primary", `{"signUp": {"identifiers": [], "password": true, "verify": false, "secondaryIdentifiers": [{"identifier": "username"}]}}`,
			"sign_in_experiences.missing_sign_up_identifiers"},
		{"duplicated sign-up identifier", `{"signUp": {"identifiers": ["username", "username"], "password": true, "verify": false}}`,
			"sign_in_experiences.duplicated_sign_up_identifiers"},
		{"secondary repeats primary", `{"signUp": {"identifiers": ["username"], "password": true, "verify": false, "secondaryIdentifiers": [{"identifier": "username"}]}}`,
			"sign_in_experiences.duplicated_sign_up_identifiers"},
		{"email sign-up without verify", `{"signUp": {"identifiers": ["email"], "password": true, "verify": false}}`,
			"sign_in_experiences.passwordless_requires_verify"},
		{"secondary email without verify", `{"signUp": {"identifiers": ["username"], "password": true, "verify": true, "secondaryIdentifiers": [{"identifier": "email"}]}}`,
			"sign_in_experiences.passwordless_requires_verify"},
		{"email sign-up without connector", `{"signUp": {"identifiers": ["email"], "password": true, "verify": true}}`,
			"sign_in_experiences.enabled_connector_not_found"},
		{"sign-up password but no password sign-in", `{"signUp": {"identifiers": ["username"], "password": true, "verify": false},
			"signIn": {"methods": [{"identifier": "username", "password": false, "verificationCode": true, "isPasswordPrimary": false}]}}`,
			"sign_in_experiences.password_sign_in_must_be_enabled"},
		{"verify without password needs codes", `{"signUp": {"identifiers": [], "password": false, "verify": true},
			"signIn": {"methods": [{"identifier": "email", "password": true, "verificationCode": false, "isPasswordPrimary": true}]}}`,
			"sign_in_experiences.code_sign_in_must_be_enabled"},
		{"duplicated mfa factors", `{"mfa": {"factors": ["Totp", "Totp"], "policy": "NoPrompt"}}`, "sign_in_experiences.duplicated_mfa_factors"},
		{"backup code alone", `{"mfa": {"factors": ["BackupCode"], "policy": "NoPrompt"}}`, "sign_in_experiences.backup_code_cannot_be_enabled_alone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, Options{})
			before, err := env.svc.GetSignInExperience(env.ctx, model.DefaultTenantID)
			mustNoErr(t, err)
			_, err = env.svc.UpdateSignInExperience(env.ctx, model.DefaultTenantID, json.RawMessage(tc.body))
			wantCode(t, err, bad, tc.code)
			after, err := env.svc.GetSignInExperience(env.ctx, model.DefaultTenantID)
			mustNoErr(t, err)
			if !reflect.DeepEqual(after, before) {
				t.Errorf("a refused PATCH changed the experience")
			}
		})
	}
}

func TestSignInExperienceCache(t *testing.T) {
	env := newEnv(t, Options{})
	ctx, tenant := env.ctx, model.DefaultTenantID
	first, err := env.svc.GetSignInExperience(ctx, tenant)
	mustNoErr(t, err)

	// What a caller does with its copy never reaches the cache.
	first.SignIn.Methods[0].Identifier = "email"
	first.SocialSignInConnectorTargets = append(first.SocialSignInConnectorTargets, "github")
	again, err := env.svc.GetSignInExperience(ctx, tenant)
	mustNoErr(t, err)
	if again.SignIn.Methods[0].Identifier != "username" || len(again.SocialSignInConnectorTargets) != 0 {
		t.Errorf("a caller's change leaked into the cache: %+v", again)
	}

	// A PATCH through this service is seen at once.
	_, err = env.svc.UpdateSignInExperience(ctx, tenant, json.RawMessage(`{"signInMode": "SignIn"}`))
	mustNoErr(t, err)
	if got, _ := env.svc.GetSignInExperience(ctx, tenant); got.SignInMode != model.SignInModeSignIn {
		t.Errorf("after PATCH mode = %s; want SignIn", got.SignInMode)
	}

	// A PATCH by another node on the same database is seen once the freshness interval passed.
	other := New(env.st, store.NewFreshness(env.st, env.clk, time.Second), env.clk, nil, Options{})
	_, err = other.UpdateSignInExperience(ctx, tenant, json.RawMessage(`{"signInMode": "Register"}`))
	mustNoErr(t, err)
	if got, _ := env.svc.GetSignInExperience(ctx, tenant); got.SignInMode != model.SignInModeSignIn {
		t.Errorf("within the interval mode = %s; the cached SignIn should still be served", got.SignInMode)
	}
	env.clk.Advance(2 * time.Second)
	if got, _ := env.svc.GetSignInExperience(ctx, tenant); got.SignInMode != model.SignInModeRegister {
		t.Errorf("after the interval mode = %s; want the other node's Register", got.SignInMode)
	}
}

// BenchmarkGetSignInExperienceCached is the cost every hosted page and experience call pays.
func BenchmarkGetSignInExperienceCached(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	svc := New(st, store.NewFreshness(st, clk, time.Second), clk, nil, Options{})
	if _, err := svc.Seed(ctx, seed.SeedOptions{}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.UpdateSignInExperience(ctx, model.DefaultTenantID, json.RawMessage(everyField)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.GetSignInExperience(ctx, model.DefaultTenantID); err != nil {
			b.Fatal(err)
		}
	}
}

// toFields is the experience's JSON object by member.
func toFields(t *testing.T, sie model.SignInExperience) map[string]json.RawMessage {
	t.Helper()
	var out map[string]json.RawMessage
	mustNoErr(t, json.Unmarshal(mustJSON(t, sie), &out))
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	mustNoErr(t, err)
	return raw
}

// jsonEqual compares two JSON texts by value.
func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
