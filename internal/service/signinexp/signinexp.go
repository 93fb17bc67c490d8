package signinexp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/jsonbody"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// signInExperienceCache caches each tenant's sign-in experience, which every hosted page and
// every /api/experience call reads. An entry is valid while the tenant's freshness token is the
// one it was loaded under (store.Freshness): a PATCH through this process replaces it at once,
// a write by another node within one freshness interval.
type signInExperienceCache struct {
	mu      sync.Mutex
	tenants map[string]cachedSignInExperience
}

type cachedSignInExperience struct {
	token store.Token
	// raw is the normalised JSON; each read decodes its own copy, so no caller can change the
	// cached slices and maps under another.
	raw []byte
}

func (c *signInExperienceCache) get(tenantID string, token store.Token) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tenants[tenantID]
	if !ok || e.token != token {
		return nil, false
	}
	return e.raw, true
}

func (c *signInExperienceCache) put(tenantID string, token store.Token, raw []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tenants == nil {
		c.tenants = map[string]cachedSignInExperience{}
	}
	c.tenants[tenantID] = cachedSignInExperience{token: token, raw: raw}
}

// GetSignInExperience returns the tenant's sign-in experience (Logto's GET /api/sign-in-exp).
// A tenant that never saved one gets Logto's seed (Default), so databases
// created before this row existed need no migration.
func (s *SignInExperiences) GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error) {
	token, err := s.core.Freshness().Current(ctx, tenantID)
	if err != nil {
		// Freshness returned the last known token: serve what is cached while the database is
		// briefly unreachable; a miss fails below on its own read.
		s.core.Log().WarnContext(ctx, "sign-in experience: freshness check failed", "tenant", tenantID, "err", err)
	}
	raw, ok := s.cache.get(tenantID, token)
	if !ok {
		// The token was read before the row: a write racing this load changes the token, so the
		// next read reloads instead of keeping what this one saw.
		sie, err := loadSignInExperience(ctx, s.core.Store().Tenant(tenantID).Configs(), tenantID)
		if err != nil {
			return model.SignInExperience{}, err
		}
		if raw, err = json.Marshal(sie); err != nil {
			return model.SignInExperience{}, fmt.Errorf("encode sign-in experience: %w", err)
		}
		s.cache.put(tenantID, token, raw)
	}
	var sie model.SignInExperience
	if err := json.Unmarshal(raw, &sie); err != nil {
		return model.SignInExperience{}, fmt.Errorf("decode cached sign-in experience: %w", err)
	}
	return sie, nil
}

// UpdateSignInExperience applies a PATCH /api/sign-in-exp body: each top-level key present
// replaces that member whole, as Logto's updateDefaultSignInExperience replaces columns. The
// body is checked like Logto's koaGuard (400 guard.invalid_input naming the key path; unknown
// keys are refused) and then by Logto's sign-in experience rules (400 sign_in_experiences.*).
// The result is stored as the tenant config row, so every cache of the tenant refreshes.
func (s *SignInExperiences) UpdateSignInExperience(ctx context.Context, tenantID string, patch json.RawMessage) (model.SignInExperience, error) {
	fields, err := parseSignInExperiencePatch(patch)
	if err != nil {
		return model.SignInExperience{}, err
	}
	var updated model.SignInExperience
	err = s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		current, err := loadSignInExperience(ctx, t.Configs(), tenantID)
		if err != nil {
			return err
		}
		next, err := applySignInExperiencePatch(current, fields)
		if err != nil {
			return err
		}
		avail, err := s.enabledConnectors(ctx, t)
		if err != nil {
			return err
		}
		if err := validateSignInExperience(next, fields, avail); err != nil {
			return err
		}
		if err := core.PutConfig(ctx, t.Configs(), model.ConfigSignInExperience, next); err != nil {
			return err
		}
		updated = next
		return nil
	})
	if err != nil {
		return model.SignInExperience{}, err
	}
	return updated, nil
}

// DropSocialTarget removes target from the sign-in page's social buttons, in the caller's
// transaction t (Logto's removeUnavailableSocialConnectorTargets, run when the last connector of
// a target is deleted). Nothing is written when the page does not show it.
func (s *SignInExperiences) DropSocialTarget(ctx context.Context, t store.Tenant, target string) error {
	sie, err := loadSignInExperience(ctx, t.Configs(), t.ID())
	if err != nil {
		return err
	}
	kept := slices.DeleteFunc(slices.Clone(sie.SocialSignInConnectorTargets), func(x string) bool { return x == target })
	if len(kept) == len(sie.SocialSignInConnectorTargets) {
		return nil
	}
	sie.SocialSignInConnectorTargets = kept
	return core.PutConfig(ctx, t.Configs(), model.ConfigSignInExperience, sie)
}

// loadSignInExperience reads the stored row over the tenant's default: a member the row does
// not have (written by an older Gatehouse) keeps its default.
func loadSignInExperience(ctx context.Context, c store.Configs, tenantID string) (model.SignInExperience, error) {
	sie := Default(tenantID)
	raw, err := c.Get(ctx, model.ConfigSignInExperience)
	if errors.Is(err, model.ErrNotFound) {
		return sie, nil
	}
	if err != nil {
		return sie, fmt.Errorf("read sign-in experience: %w", err)
	}
	var stored map[string]json.RawMessage
	if err := json.Unmarshal(raw, &stored); err != nil {
		return sie, fmt.Errorf("decode sign-in experience: %w", err)
	}
	target := reflect.ValueOf(&sie).Elem()
	for name, index := range signInExperienceFields {
		value, ok := stored[name]
		if !ok {
			continue
		}
		field := reflect.New(target.FieldByIndex(index).Type())
		if err := json.Unmarshal(value, field.Interface()); err != nil {
			return sie, fmt.Errorf("decode sign-in experience %s: %w", name, err)
		}
		target.FieldByIndex(index).Set(field.Elem())
	}
	sie.TenantID, sie.ID = tenantID, signInExperienceID
	return sie, nil
}

// signInExperienceID is the id of a tenant's one sign-in experience (Logto: 'default').
const signInExperienceID = "default"

// defaultPrimaryColor and its dark variant are Logto's seed: generateDarkColor lightens the
// primary colour by 10 points of HSL lightness (#6139F6 → #8768F8).
const (
	defaultPrimaryColor     = "#6139F6"
	defaultDarkPrimaryColor = "#8768F8"
)

// Default is Logto's OSS seed (packages/schemas/src/seeds/sign-in-experience.ts):
// username + password sign-in and sign-up, registration open. The admin tenant's seed
// (createAdminTenantSignInExperience) turns dark mode on, only allows registration (the first
// visitor creates the first admin; the experience switches it to SignIn afterwards, as Logto's
// provisionForFirstAdminUser does) and lists the MFA factors without prompting.
//
// Unlike Logto's OSS seed the branding holds no logo: Logto points it at logto.io's logo,
// which is not Gatehouse's to show, and a sign-in page should not load images from a third
// party by default. Logto Cloud's seed leaves it empty the same way.
func Default(tenantID string) model.SignInExperience {
	sie := model.SignInExperience{
		TenantID: tenantID,
		ID:       signInExperienceID,
		Color: model.Color{PrimaryColor: defaultPrimaryColor, IsDarkModeEnabled: false,
			DarkPrimaryColor: defaultDarkPrimaryColor},
		LanguageInfo:       model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"},
		AgreeToTermsPolicy: termsAutomatic, // the column default
		SignIn: model.SignIn{Methods: []model.SignInMethod{{Identifier: model.IdentifierUsername,
			Password: true, VerificationCode: false, IsPasswordPrimary: true}}},
		SignUp: model.SignUp{Identifiers: []string{model.IdentifierUsername}, Password: true,
			Verify: false},
		SocialSignInConnectorTargets: []string{},
		SignInMode:                   model.SignInModeSignInAndRegister,
		CustomContent:                map[string]any{},
		MFA:                          model.MFA{Factors: []string{}, Policy: "UserControlled"},
		UsernamePolicy:               defaultUsernamePolicy(),
	}
	if tenantID == model.AdminTenantID {
		sie.Color.IsDarkModeEnabled = true
		sie.SignInMode = model.SignInModeRegister
		sie.MFA = model.MFA{Factors: []string{"Totp", "WebAuthn", "BackupCode"}, Policy: "NoPrompt",
			OrganizationRequiredMFAPolicy: "Mandatory"}
	}
	return sie
}

// defaultUsernamePolicy is @logto/core-kit's defaultUsernamePolicy (the column default).
func defaultUsernamePolicy() model.UsernamePolicy {
	p := model.UsernamePolicy{CaseSensitive: true, MinLength: 1, MaxLength: 128}
	p.AllowedChars.Lowercase, p.AllowedChars.Uppercase = true, true
	p.AllowedChars.Numbers, p.AllowedChars.Underscore = true, true
	return p
}

// signInExperienceFields maps each JSON key of the model to its field.
var signInExperienceFields = func() map[string][]int {
	out := map[string][]int{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[model.SignInExperience]()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "" && name != "-" {
			out[name] = f.Index
		}
	}
	return out
}()

// Members lists the JSON members of a sign-in experience, every one a PATCH may send.
func Members() []string {
	out := make([]string, 0, len(signInExperienceFields))
	for name := range signInExperienceFields {
		out = append(out, name)
	}
	return out
}

// readOnlySignInExperienceKeys are accepted in a PATCH body and ignored, so a client can send
// back what GET answered (Logto's guard omits id; tenantId is set by the database).
var readOnlySignInExperienceKeys = map[string]bool{"tenantId": true, "id": true}

// nullableSignInExperienceKeys are the members a PATCH may set to null (Logto's nullable
// columns); every other member, and anything nested, must not be null.
var nullableSignInExperienceKeys = map[string]bool{
	"termsOfUseUrl": true, "privacyPolicyUrl": true, "customCss": true, "supportEmail": true,
	"supportWebsiteUrl": true, "unknownSessionRedirectUrl": true,
}

// parseSignInExperiencePatch checks the body's shape: a JSON object of known keys, without NUL
// characters or nulls where Logto's guard allows none. It returns the keys to apply.
func parseSignInExperiencePatch(patch json.RawMessage) (map[string]json.RawMessage, error) {
	patch = bytes.Trim(patch, " \t\r\n") // JSON's own white space only (RFC 8259 §2)
	if len(patch) == 0 {
		return map[string]json.RawMessage{}, nil // Logto's koa-guard reads an empty body as {}
	}
	if jsonbody.HasNUL(patch) {
		return nil, core.InvalidBody("Strings must not contain NUL characters.")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(patch, &fields); err != nil || fields == nil {
		return nil, core.InvalidBody("Expected an object.")
	}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		if readOnlySignInExperienceKeys[key] {
			delete(fields, key)
			continue
		}
		if _, ok := signInExperienceFields[key]; !ok {
			return nil, core.InvalidBody("Unrecognized key %q.", key)
		}
		value := fields[key]
		if string(value) == "null" {
			if !nullableSignInExperienceKeys[key] {
				return nil, core.InvalidBody("Error in key path %q: Expected a value but received null.", key)
			}
			continue
		}
		if path, ok := findNull(value, key); ok {
			return nil, core.InvalidBody("Error in key path %q: Expected a value but received null.", path)
		}
	}
	return fields, nil
}

// findNull returns the path of the first null inside raw, if any.
func findNull(raw json.RawMessage, path string) (string, bool) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false // not JSON of this shape; the typed decode reports it
	}
	return nullIn(v, path)
}

func nullIn(v any, path string) (string, bool) {
	switch t := v.(type) {
	case nil:
		return path, true
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if p, ok := nullIn(t[k], path+"."+k); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range t {
			if p, ok := nullIn(e, fmt.Sprintf("%s.%d", path, i)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// applySignInExperiencePatch returns current with each patched member replaced, decoding every
// value strictly: wrong types, unknown nested keys and missing required members are refused. A
// nested member is required unless its json tag says omitempty, which is how the model marks
// Logto's optional members.
func applySignInExperiencePatch(current model.SignInExperience, fields map[string]json.RawMessage) (model.SignInExperience, error) {
	next := current
	target := reflect.ValueOf(&next).Elem()
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		raw := fields[key]
		field := target.FieldByIndex(signInExperienceFields[key])
		if key == "passwordPolicy" {
			policy, err := decodePasswordPolicy(raw)
			if err != nil {
				return next, err
			}
			next.PasswordPolicy = policy
			continue
		}
		value := reflect.New(field.Type())
		if err := decodeStrict(raw, value.Interface(), key); err != nil {
			return next, err
		}
		if err := checkRequired(raw, field.Type(), key); err != nil {
			return next, err
		}
		field.Set(value.Elem())
	}
	return next, nil
}

// decodeStrict decodes raw into into, refusing unknown keys and wrong types with the key path.
func decodeStrict(raw json.RawMessage, into any, key string) error {
	if err := jsonbody.DecodeValue(raw, into, key); err != nil {
		return core.InvalidBody("%s", err.Error())
	}
	return nil
}

// checkRequired reports the first required member missing from raw, walking t's structs and
// slices.
func checkRequired(raw json.RawMessage, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkRequiredMembers(raw, t, path)
	case reflect.Slice:
		return checkRequiredItems(raw, t.Elem(), path)
	}
	return nil
}

// checkRequiredMembers reports the first member of struct type t that raw lacks and that is not
// omitempty, or the first one missing inside a member raw has.
func checkRequiredMembers(raw json.RawMessage, t reflect.Type, path string) error {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil // the typed decode already refused it
	}
	for _, f := range reflect.VisibleFields(t) {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || f.Anonymous || name == "" || name == "-" {
			continue
		}
		value, ok := obj[name]
		if !ok {
			if !strings.Contains(opts, "omitempty") {
				return core.InvalidBody("Error in key path %q: Required.", path+"."+name)
			}
			continue
		}
		if err := checkRequired(value, f.Type, path+"."+name); err != nil {
			return err
		}
	}
	return nil
}

// checkRequiredItems reports the first required member missing from an item of the array raw,
// whose items are of type elem.
func checkRequiredItems(raw json.RawMessage, elem reflect.Type, path string) error {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	for i, item := range items {
		if err := checkRequired(item, elem, fmt.Sprintf("%s.%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// passwordPolicyInput is Logto's partialPasswordPolicyGuard: every member optional.
type passwordPolicyInput struct {
	Length *struct {
		Min *int `json:"min"`
		Max *int `json:"max"`
	} `json:"length"`
	CharacterTypes *struct {
		Min *int `json:"min"`
	} `json:"characterTypes"`
	Rejects *struct {
		Pwned                 *bool    `json:"pwned"`
		RepetitionAndSequence *bool    `json:"repetitionAndSequence"`
		UserInfo              *bool    `json:"userInfo"`
		Words                 []string `json:"words"`
	} `json:"rejects"`
}

// decodePasswordPolicy reads a partial password policy. A group that is present is stored whole,
// its absent members filled with the defaults @logto/core-kit's passwordPolicyGuard applies
// (length 8–256, one character type, reject pwned, repetition/sequence and user info), so the
// stored policy means what Logto would enforce; an absent group stays absent (= defaults).
func decodePasswordPolicy(raw json.RawMessage) (model.PasswordPolicy, error) {
	var in passwordPolicyInput
	if err := decodeStrict(raw, &in, "passwordPolicy"); err != nil {
		return model.PasswordPolicy{}, err
	}
	var p model.PasswordPolicy
	if in.Length != nil {
		p.Length = &model.PasswordLength{Min: valueOr(in.Length.Min, 8), Max: valueOr(in.Length.Max, 256)}
	}
	if in.CharacterTypes != nil {
		p.CharacterTypes = &model.PasswordCharSet{Min: valueOr(in.CharacterTypes.Min, 1)}
	}
	if in.Rejects != nil {
		words := in.Rejects.Words
		if words == nil {
			words = []string{}
		}
		p.Rejects = &model.PasswordRejects{Pwned: valueOr(in.Rejects.Pwned, true),
			RepetitionAndSequence: valueOr(in.Rejects.RepetitionAndSequence, true),
			UserInfo:              valueOr(in.Rejects.UserInfo, true), Words: words}
	}
	return p, nil
}

func valueOr[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}

// Enumerations of Logto's guards (packages/schemas/src/foundations/jsonb-types/sign-in-experience.ts,
// tables/sign_in_experiences.sql).
const (
	termsAutomatic              = "Automatic"
	identifierEmailOrPhone      = "emailOrPhone"
	mfaBackupCode               = "BackupCode"
	mfaEmailVerificationCode    = "EmailVerificationCode"
	mfaPhoneVerificationCode    = "PhoneVerificationCode"
	connectorTypeEmail          = "Email"
	connectorTypeSMS            = "Sms"
	MaxCustomCSSBytes           = 64 << 10 // the largest customCss accepted
	maxUsernamePolicyLength     = 128
	maxConnectorTargetLength    = 128
	maxCharacterTypes           = 4
	maxSentinelPolicyAttempts   = 1 << 20
	maxSentinelLockoutMinutes   = 1 << 20
	signInExperienceErrorPrefix = "sign_in_experiences."
)

var (
	signInIdentifiers    = []string{model.IdentifierUsername, model.IdentifierEmail, model.IdentifierPhone}
	secondaryIdentifiers = []string{model.IdentifierUsername, model.IdentifierEmail, model.IdentifierPhone, identifierEmailOrPhone}
	agreeToTermsPolicies = []string{termsAutomatic, "ManualRegistrationOnly", "Manual"}
	signInModes          = []string{model.SignInModeSignIn, model.SignInModeRegister, model.SignInModeSignInAndRegister}
	mfaFactors           = []string{"Totp", "WebAuthn", mfaBackupCode, mfaEmailVerificationCode, mfaPhoneVerificationCode}
	mfaPolicies          = []string{"UserControlled", "Mandatory", "PromptOnlyAtSignIn", "PromptAtSignInAndSignUp",
		"NoPrompt", "PromptAtSignInAndSignUpMandatory", "PromptOnlyAtSignInMandatory"}
	organizationMfaPolicies = []string{"NoPrompt", "Mandatory"}
	// builtInLanguages are @logto/phrases-experience's builtInLanguages; Gatehouse has no custom
	// phrases, so these are the fallback languages Logto's validateLanguageInfo accepts.
	builtInLanguages = []string{"ar", "cs", "de", "en", "es", "fa-IR", "fr", "it", "ja", "ko", "pl-PL",
		"pt-PT", "pt-BR", "ru", "th", "tr-TR", "uk-UA", "zh-CN", "zh-HK", "zh-TW"}
	// hexColor is core-kit's hexColorRegEx.
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$`)
	// languageTag is the shape of a BCP 47 tag; anything else fails the guard, a well-formed tag
	// that is not built in fails validateLanguageInfo.
	languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// validateSignInExperience checks next, the experience after the patch, first member by member
// as Logto's koaGuard does (400 guard.invalid_input) and then with Logto's rules
// (libraries/sign-in-experience/{sign-up,sign-in,mfa}.ts and index.ts#validateLanguageInfo).
// Only members the patch touched are checked, with the stored members they depend on, as
// Logto validates the request against its current settings.
func validateSignInExperience(next model.SignInExperience, fields map[string]json.RawMessage, connectors connectorAvailability) error {
	patched := func(key string) bool { _, ok := fields[key]; return ok }
	checks := []struct {
		key   string
		check func() error
	}{
		{"color", func() error { return validateColor(next.Color) }},
		{"branding", func() error { return validateBranding(fields["branding"]) }},
		{"languageInfo", func() error { return validateLanguageTag(next.LanguageInfo.FallbackLanguage) }},
		{"termsOfUseUrl", func() error { return validateLinkURL("termsOfUseUrl", next.TermsOfUseURL) }},
		{"privacyPolicyUrl", func() error { return validateLinkURL("privacyPolicyUrl", next.PrivacyPolicyURL) }},
		{"supportWebsiteUrl", func() error { return validateLinkURL("supportWebsiteUrl", next.SupportWebsiteURL) }},
		{"unknownSessionRedirectUrl", func() error {
			return validateLinkURL("unknownSessionRedirectUrl", next.UnknownSessionRedirectURL)
		}},
		{"supportEmail", func() error { return validateSupportEmail(next.SupportEmail) }},
		{"agreeToTermsPolicy", func() error { return oneOf("agreeToTermsPolicy", next.AgreeToTermsPolicy, agreeToTermsPolicies) }},
		{"signInMode", func() error { return oneOf("signInMode", next.SignInMode, signInModes) }},
		{"signIn", func() error { return validateSignInShape(next.SignIn) }},
		{"signUp", func() error { return validateSignUpShape(next.SignUp) }},
		{"socialSignInConnectorTargets", func() error { return validateConnectorTargets(next.SocialSignInConnectorTargets) }},
		{"customCss", func() error { return validateCustomCSS(next.CustomCSS) }},
		{"customContent", func() error { return validateCustomContent(next.CustomContent) }},
		{"passwordPolicy", func() error { return validatePasswordPolicy(next.PasswordPolicy) }},
		{"mfa", func() error { return validateMFAShape(next.MFA) }},
		{"sentinelPolicy", func() error { return validateSentinelPolicy(next.SentinelPolicy) }},
		{"usernamePolicy", func() error { return validateUsernamePolicy(next.UsernamePolicy) }},
	}
	for _, c := range checks {
		if patched(c.key) {
			if err := c.check(); err != nil {
				return err
			}
		}
	}

	// Logto's rules, in the order its PATCH handler applies them.
	if patched("languageInfo") && !slices.Contains(builtInLanguages, next.LanguageInfo.FallbackLanguage) {
		return sieError("unsupported_default_language", "This language - %s is not supported at the moment.",
			next.LanguageInfo.FallbackLanguage).WithData(map[string]string{"language": next.LanguageInfo.FallbackLanguage})
	}
	if patched("signUp") {
		if err := validateSignUp(next.SignUp, connectors); err != nil {
			return err
		}
	}
	if patched("signIn") || patched("signUp") {
		if err := validateSignIn(next.SignIn, next.SignUp, next.MFA, connectors); err != nil {
			return err
		}
	}
	if patched("mfa") {
		if err := validateMFA(next.MFA, next.SignIn); err != nil {
			return err
		}
	}
	return nil
}

func sieError(code, format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, signInExperienceErrorPrefix+code, format, args...)
}

func oneOf(path, value string, allowed []string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return core.InvalidBody("Error in key path %q: Invalid enum value. Expected '%s', received '%s'.",
		path, strings.Join(allowed, "' | '"), value)
}

func validateColor(c model.Color) error {
	for _, v := range []struct{ path, color string }{
		{"color.primaryColor", c.PrimaryColor}, {"color.darkPrimaryColor", c.DarkPrimaryColor},
	} {
		if !hexColor.MatchString(v.color) {
			return core.InvalidBody("Error in key path %q: Expected a hex colour such as #6139F6, received %q.", v.path, v.color)
		}
	}
	return nil
}

// validateBranding reads the raw object, since an empty string must fail (Logto: z.string().url())
// and the model's omitempty strings cannot tell it from absent.
func validateBranding(raw json.RawMessage) error {
	var urls map[string]string
	if err := json.Unmarshal(raw, &urls); err != nil {
		return core.InvalidBody("Error in key path \"branding\": Expected an object of URLs.")
	}
	for _, key := range slices.Sorted(maps.Keys(urls)) {
		if !isImageURL(urls[key]) {
			return core.InvalidBody("Error in key path %q: Expected an http(s) URL or a data:image URL, received %q.", "branding."+key, urls[key])
		}
	}
	return nil
}

// isImageURL accepts what may be the src of a logo or favicon: an absolute http(s) URL, or an
// inline data:image/… URL. Logto's z.string().url() takes any scheme; javascript: and the like
// have no business in an image slot.
func isImageURL(s string) bool {
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		return strings.HasPrefix(strings.ToLower(rest), "image/") && strings.Contains(rest, ",")
	}
	return isHTTPURL(s)
}

// isHTTPURL reports whether s is an absolute http(s) URL with a host (model.IsHTTPURL), of at
// most 2048 bytes and without white space. Links on the sign-in page (terms, privacy, support)
// and the unknown-session redirect are followed by the browser, so javascript:, data: and other
// schemes Logto's z.string().url() would let through are refused.
func isHTTPURL(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \t\r\n") { // Logto's varchar(2048)
		return false
	}
	return model.IsHTTPURL(s)
}

// validateLinkURL accepts null, "" (Logto's PATCH guard: url().nullable().or(literal(""))) or
// an http(s) URL.
func validateLinkURL(path string, v *string) error {
	if v == nil || *v == "" || isHTTPURL(*v) {
		return nil
	}
	return core.InvalidBody("Error in key path %q: Expected an http(s) URL, received %q.", path, *v)
}

func validateSupportEmail(v *string) error {
	if v == nil || *v == "" {
		return nil
	}
	local, domain, ok := strings.Cut(*v, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(*v, " \t\r\n<>") ||
		strings.Contains(domain, "@") || len(*v) > 254 {
		return core.InvalidBody("Error in key path \"supportEmail\": Expected an email address, received %q.", *v)
	}
	return nil
}

func validateLanguageTag(tag string) error {
	if !languageTag.MatchString(tag) {
		return core.InvalidBody("Error in key path \"languageInfo.fallbackLanguage\": Expected a language tag such as en or zh-CN, received %q.", tag)
	}
	return nil
}

func validateSignInShape(in model.SignIn) error {
	seen := map[string]bool{}
	for i, m := range in.Methods {
		if err := oneOf(fmt.Sprintf("signIn.methods.%d.identifier", i), m.Identifier, signInIdentifiers); err != nil {
			return err
		}
		// The sign-in page offers one form per identifier; two entries for one identifier have no
		// meaning (Logto's console cannot produce them).
		if seen[m.Identifier] {
			return core.InvalidBody("Error in key path %q: %s is listed twice.", fmt.Sprintf("signIn.methods.%d.identifier", i), m.Identifier)
		}
		seen[m.Identifier] = true
	}
	return nil
}

func validateSignUpShape(up model.SignUp) error {
	for i, id := range up.Identifiers {
		if err := oneOf(fmt.Sprintf("signUp.identifiers.%d", i), id, signInIdentifiers); err != nil {
			return err
		}
	}
	for i, s := range up.SecondaryIdentifiers {
		if err := oneOf(fmt.Sprintf("signUp.secondaryIdentifiers.%d.identifier", i), s.Identifier, secondaryIdentifiers); err != nil {
			return err
		}
	}
	return nil
}

func validateConnectorTargets(targets []string) error {
	for i, t := range targets {
		if t == "" || len(t) > maxConnectorTargetLength {
			return core.InvalidBody("Error in key path %q: Expected a connector target such as github.", fmt.Sprintf("socialSignInConnectorTargets.%d", i))
		}
	}
	return nil
}

// validateCustomCSS bounds the CSS every hosted page inlines (Logto stores any text; a page that
// ships megabytes of CSS on each sign-in is a mistake to refuse early).
func validateCustomCSS(css *string) error {
	if css != nil && len(*css) > MaxCustomCSSBytes {
		return core.InvalidBody("Error in key path \"customCss\": It is %d bytes; at most %d are allowed.", len(*css), MaxCustomCSSBytes)
	}
	return nil
}

// validateCustomContent applies Logto's customContentGuard, z.record(z.string()).
func validateCustomContent(content map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(content)) {
		if _, ok := content[key].(string); !ok {
			return core.InvalidBody("Error in key path %q: Expected string.", "customContent."+key)
		}
	}
	return nil
}

func validatePasswordPolicy(p model.PasswordPolicy) error {
	if p.Length != nil {
		if p.Length.Min < 1 || p.Length.Max < 1 {
			return core.InvalidBody("Error in key path \"passwordPolicy.length\": min and max must be at least 1.")
		}
		if p.Length.Min > p.Length.Max {
			return core.InvalidBody("Error in key path \"passwordPolicy.length\": min %d is above max %d.", p.Length.Min, p.Length.Max)
		}
	}
	if p.CharacterTypes != nil && (p.CharacterTypes.Min < 1 || p.CharacterTypes.Min > maxCharacterTypes) {
		return core.InvalidBody("Error in key path \"passwordPolicy.characterTypes.min\": Expected 1 to %d, received %d.", maxCharacterTypes, p.CharacterTypes.Min)
	}
	return nil
}

func validateMFAShape(m model.MFA) error {
	for i, f := range m.Factors {
		if err := oneOf(fmt.Sprintf("mfa.factors.%d", i), f, mfaFactors); err != nil {
			return err
		}
	}
	if err := oneOf("mfa.policy", m.Policy, mfaPolicies); err != nil {
		return err
	}
	if m.OrganizationRequiredMFAPolicy != "" {
		return oneOf("mfa.organizationRequiredMfaPolicy", m.OrganizationRequiredMFAPolicy, organizationMfaPolicies)
	}
	return nil
}

// validateSentinelPolicy requires positive counts: Logto's guard takes any number, but zero or a
// negative number of attempts would lock every identifier out at once.
func validateSentinelPolicy(p model.SentinelPolicy) error {
	if p.MaxAttempts != nil && (*p.MaxAttempts < 1 || *p.MaxAttempts > maxSentinelPolicyAttempts) {
		return core.InvalidBody("Error in key path \"sentinelPolicy.maxAttempts\": Expected 1 to %d, received %d.", maxSentinelPolicyAttempts, *p.MaxAttempts)
	}
	if p.LockoutDuration != nil && (*p.LockoutDuration < 1 || *p.LockoutDuration > maxSentinelLockoutMinutes) {
		return core.InvalidBody("Error in key path \"sentinelPolicy.lockoutDuration\": Expected 1 to %d minutes, received %d.", maxSentinelLockoutMinutes, *p.LockoutDuration)
	}
	return nil
}

// validateUsernamePolicy applies core-kit's usernamePolicyGuard and its two refinements.
func validateUsernamePolicy(p model.UsernamePolicy) error {
	if p.MinLength < 1 || p.MinLength > maxUsernamePolicyLength || p.MaxLength < 1 || p.MaxLength > maxUsernamePolicyLength {
		return core.InvalidBody("Error in key path \"usernamePolicy\": minLength and maxLength must be 1 to %d.", maxUsernamePolicyLength)
	}
	if p.MinLength > p.MaxLength {
		return core.InvalidBody("Error in key path \"usernamePolicy.maxLength\": Minimum length cannot exceed maximum length.")
	}
	if !p.AllowedChars.Lowercase && !p.AllowedChars.Uppercase && !p.AllowedChars.Underscore {
		return core.InvalidBody("Error in key path \"usernamePolicy.allowedChars\": At least one of lowercase, uppercase, or underscore must be enabled. Usernames cannot start with a number, so numbers alone are not allowed.")
	}
	return nil
}

// connectorAvailability says which passwordless connector types the tenant has enabled.
type connectorAvailability struct{ email, sms bool }

// enabledConnectors reports whether the tenant has an Email connector (read in the change's
// transaction t) and an SMS one (Gatehouse has no SMS connectors): without them, verification-code
// sign-in and email/phone sign-up are refused with enabled_connector_not_found, as in Logto.
func (s *SignInExperiences) enabledConnectors(ctx context.Context, t *core.Tx) (connectorAvailability, error) {
	if s.isEmailFactory == nil {
		return connectorAvailability{}, nil
	}
	rows, err := t.Connectors().List(ctx)
	if err != nil {
		return connectorAvailability{}, fmt.Errorf("list connectors: %w", err)
	}
	for _, c := range rows {
		if s.isEmailFactory(c.ConnectorID) {
			return connectorAvailability{email: true}, nil
		}
	}
	return connectorAvailability{}, nil
}

func connectorMissing(connectorType string) *apperr.Error {
	return sieError("enabled_connector_not_found", "Enabled %s connector not found.", connectorType).
		WithData(map[string]string{"type": connectorType})
}

// validateSignUp is Logto's validateSignUp (libraries/sign-in-experience/sign-up.ts), plus
// username_requires_password: a user who registered with a username has no verification code
// channel, so without a password they could never sign in again (a rule Logto enforced until
// 1.27 and its console still enforces).
func validateSignUp(up model.SignUp, connectors connectorAvailability) error {
	if len(up.SecondaryIdentifiers) > 0 && len(up.Identifiers) == 0 {
		return sieError("missing_sign_up_identifiers", "Primary sign-up identifier cannot be empty.")
	}
	primary, secondary := signUpIdentifierSets(up)
	if signUpIdentifiersDuplicated(up, primary, secondary) {
		return sieError("duplicated_sign_up_identifiers", "Duplicate sign-up identifiers detected.")
	}
	if err := checkSignUpVerify(up); err != nil {
		return err
	}
	if err := checkSignUpConnectors(primary, secondary, connectors); err != nil {
		return err
	}
	if primary[model.IdentifierUsername] && !up.Password {
		return sieError("username_requires_password", "Must enable set a password for username sign up identifier.")
	}
	return nil
}

// signUpIdentifierSets are the sets of up's primary and secondary identifiers.
func signUpIdentifierSets(up model.SignUp) (primary, secondary map[string]bool) {
	primary = map[string]bool{}
	for _, id := range up.Identifiers {
		primary[id] = true
	}
	secondary = map[string]bool{}
	for _, s := range up.SecondaryIdentifiers {
		secondary[s.Identifier] = true
	}
	return primary, secondary
}

// signUpIdentifiersDuplicated reports an identifier listed twice among the primary or the
// secondary identifiers, or listed in both (emailOrPhone standing for email and phone).
func signUpIdentifiersDuplicated(up model.SignUp, primary, secondary map[string]bool) bool {
	duplicated := len(primary) != len(up.Identifiers) || len(secondary) != len(up.SecondaryIdentifiers)
	for id := range secondary {
		if id == identifierEmailOrPhone {
			duplicated = duplicated || primary[model.IdentifierEmail] || primary[model.IdentifierPhone]
		} else {
			duplicated = duplicated || primary[id]
		}
	}
	return duplicated
}

// checkSignUpVerify requires verification when any identifier other than username is collected,
// and on each such secondary identifier.
func checkSignUpVerify(up model.SignUp) error {
	passwordless := false
	for _, id := range up.Identifiers {
		passwordless = passwordless || id != model.IdentifierUsername
	}
	for _, s := range up.SecondaryIdentifiers {
		passwordless = passwordless || s.Identifier != model.IdentifierUsername
	}
	if passwordless && !up.Verify {
		return sieError("passwordless_requires_verify", "Must enable verify for email/phone sign up identifier.")
	}
	for _, s := range up.SecondaryIdentifiers {
		if s.Identifier != model.IdentifierUsername && (s.Verify == nil || !*s.Verify) {
			return sieError("passwordless_requires_verify", "Must enable verify for email/phone sign up identifier.")
		}
	}
	return nil
}

// checkSignUpConnectors requires an enabled Email connector when sign-up collects an email, and
// an SMS connector when it collects a phone number.
func checkSignUpConnectors(primary, secondary map[string]bool, connectors connectorAvailability) error {
	either := secondary[identifierEmailOrPhone]
	if (primary[model.IdentifierEmail] || secondary[model.IdentifierEmail] || either) && !connectors.email {
		return connectorMissing(connectorTypeEmail)
	}
	if (primary[model.IdentifierPhone] || secondary[model.IdentifierPhone] || either) && !connectors.sms {
		return connectorMissing(connectorTypeSMS)
	}
	return nil
}

// validateSignIn is Logto's validateSignIn (libraries/sign-in-experience/sign-in.ts) plus two
// rules that keep a newly registered user able to sign in again, which Logto's console enforces
// and its API enforced until 1.27: some identifier collected at sign-up must be a sign-in method
// (miss_sign_up_identifier_in_sign_in), and when sign-up sets a password, such a method must
// accept it (password_sign_in_must_be_enabled). Social-only (no methods, no sign-up identifiers)
// passes every rule.
func validateSignIn(in model.SignIn, up model.SignUp, mfa model.MFA, connectors connectorAvailability) error {
	if err := checkSignInConnectors(in, connectors); err != nil {
		return err
	}
	if err := checkSignInFactors(in, up); err != nil {
		return err
	}
	if err := checkSignInCodesAgainstMFA(in, mfa); err != nil {
		return err
	}
	return checkSignUpIdentifierInSignIn(in, up)
}

// signInByCode reports whether in offers a verification code sign-in with identifier.
func signInByCode(in model.SignIn, identifier string) bool {
	return slices.ContainsFunc(in.Methods, func(m model.SignInMethod) bool {
		return m.Identifier == identifier && m.VerificationCode
	})
}

// checkSignInConnectors requires an enabled Email (SMS) connector for an email (phone)
// verification code sign-in.
func checkSignInConnectors(in model.SignIn, connectors connectorAvailability) error {
	if signInByCode(in, model.IdentifierEmail) && !connectors.email {
		return connectorMissing(connectorTypeEmail)
	}
	if signInByCode(in, model.IdentifierPhone) && !connectors.sms {
		return connectorMissing(connectorTypeSMS)
	}
	return nil
}

// checkSignInFactors requires a factor on every method, and a verification code on every
// non-username method when sign-up verifies without setting a password.
func checkSignInFactors(in model.SignIn, up model.SignUp) error {
	for _, m := range in.Methods {
		if !m.Password && !m.VerificationCode {
			return sieError("at_least_one_authentication_factor", "You have to select at least one authentication factor.")
		}
	}
	if !up.Verify || up.Password {
		return nil
	}
	for _, m := range in.Methods {
		if !m.VerificationCode && m.Identifier != model.IdentifierUsername {
			return sieError("code_sign_in_must_be_enabled",
				"Verification code sign in must be enabled when set a password is not required in sign up.")
		}
	}
	return nil
}

// checkSignInCodesAgainstMFA refuses an email (SMS) code sign-in while email (SMS) codes are an
// MFA factor.
func checkSignInCodesAgainstMFA(in model.SignIn, mfa model.MFA) error {
	if signInByCode(in, model.IdentifierEmail) && slices.Contains(mfa.Factors, mfaEmailVerificationCode) {
		return sieError("email_verification_code_cannot_be_used_for_sign_in",
			"Email verification code cannot be used for sign-in when it is enabled for MFA.")
	}
	if signInByCode(in, model.IdentifierPhone) && slices.Contains(mfa.Factors, mfaPhoneVerificationCode) {
		return sieError("phone_verification_code_cannot_be_used_for_sign_in",
			"SMS verification code cannot be used for sign-in when it is enabled for MFA.")
	}
	return nil
}

// checkSignUpIdentifierInSignIn requires, when sign-up collects identifiers, a sign-in method
// for one of them, and one accepting a password when sign-up sets one.
func checkSignUpIdentifierInSignIn(in model.SignIn, up model.SignUp) error {
	if len(up.Identifiers) == 0 {
		return nil
	}
	collected := collectedIdentifiers(up)
	reachable, withPassword := false, false
	for _, m := range in.Methods {
		if collected[m.Identifier] {
			reachable = true
			withPassword = withPassword || m.Password
		}
	}
	if !reachable {
		return sieError("miss_sign_up_identifier_in_sign_in", "Sign in methods must contain the sign up identifier.")
	}
	if up.Password && !withPassword {
		return sieError("password_sign_in_must_be_enabled",
			"Password sign in must be enabled when set a password is required in sign up.")
	}
	return nil
}

// collectedIdentifiers is the set of identifiers sign-up collects (emailOrPhone standing for
// both).
func collectedIdentifiers(up model.SignUp) map[string]bool {
	collected := map[string]bool{}
	for _, id := range up.Identifiers {
		collected[id] = true
	}
	for _, s := range up.SecondaryIdentifiers {
		if s.Identifier == identifierEmailOrPhone {
			collected[model.IdentifierEmail], collected[model.IdentifierPhone] = true, true
		} else {
			collected[s.Identifier] = true
		}
	}
	return collected
}

// validateMFA is Logto's validateMfa (libraries/sign-in-experience/mfa.ts).
func validateMFA(mfa model.MFA, in model.SignIn) error {
	seen := map[string]bool{}
	for _, f := range mfa.Factors {
		if seen[f] {
			return sieError("duplicated_mfa_factors", "Duplicated MFA factors.")
		}
		seen[f] = true
	}
	if seen[mfaBackupCode] && len(mfa.Factors) == 1 {
		return sieError("backup_code_cannot_be_enabled_alone", "Backup code cannot be enabled alone.")
	}
	for _, m := range in.Methods {
		if m.Identifier == model.IdentifierEmail && m.VerificationCode && seen[mfaEmailVerificationCode] {
			return sieError("email_verification_code_cannot_be_used_for_mfa",
				"Email verification code cannot be used for MFA when email verification is enabled for sign-in.")
		}
		if m.Identifier == model.IdentifierPhone && m.VerificationCode && seen[mfaPhoneVerificationCode] {
			return sieError("phone_verification_code_cannot_be_used_for_mfa",
				"SMS verification code cannot be used for MFA when SMS verification is enabled for sign-in.")
		}
	}
	return nil
}
