package console

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// SignInExperiences is what the sign-in experience page needs.
type SignInExperiences interface {
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
	UpdateSignInExperience(ctx context.Context, tenantID string, patch json.RawMessage) (model.SignInExperience, error)
}

// sieView is the page's form: the settings seed guide A changes, languages and terms.
type sieView struct {
	Username, Email, EmailCode, Dark bool
	// SignUpWith is who may create an account: "" (nobody but through social connectors),
	// "username" or "email" (confirmed with a code); SignUpPassword asks for a password then.
	SignUpWith               string
	SignUpPassword           bool
	Targets                  []targetView
	Logo, DarkLogo, CSS      string
	Primary, DarkPrimary     string
	AutoDetect               bool
	Fallback, Terms, Privacy string
	AgreePolicy              string
}

type targetView struct {
	Target, Name string
	On           bool
}

func (c *Console) sieView(ctx context.Context, exp model.SignInExperience, lang string) (sieView, error) {
	v := sieView{Logo: exp.Branding.LogoURL, DarkLogo: exp.Branding.DarkLogoURL, CSS: model.StringOf(exp.CustomCSS),
		Primary: exp.Color.PrimaryColor, DarkPrimary: exp.Color.DarkPrimaryColor, Dark: exp.Color.IsDarkModeEnabled,
		SignUpPassword: exp.SignUp.Password,
		AutoDetect:     exp.LanguageInfo.AutoDetect, Fallback: exp.LanguageInfo.FallbackLanguage,
		Terms: model.StringOf(exp.TermsOfUseURL), Privacy: model.StringOf(exp.PrivacyPolicyURL), AgreePolicy: exp.AgreeToTermsPolicy}
	for _, m := range exp.SignIn.Methods {
		v.Username = v.Username || (m.Identifier == model.IdentifierUsername && m.Password)
		v.Email = v.Email || (m.Identifier == model.IdentifierEmail && m.Password)
		v.EmailCode = v.EmailCode || (m.Identifier == model.IdentifierEmail && m.VerificationCode)
	}
	switch {
	case slices.Contains(exp.SignUp.Identifiers, model.IdentifierUsername):
		v.SignUpWith = model.IdentifierUsername
	case slices.Contains(exp.SignUp.Identifiers, model.IdentifierEmail):
		v.SignUpWith = model.IdentifierEmail
	}
	list, err := c.o.Conns.ListConnectors(ctx, model.DefaultTenantID, "")
	if err != nil {
		return v, err
	}
	for _, cv := range list {
		if cv.Type != "Social" || slices.ContainsFunc(v.Targets, func(t targetView) bool { return t.Target == cv.Target }) {
			continue
		}
		name := cv.Name["en"]
		if n := cv.Name[lang]; n != "" {
			name = n
		}
		v.Targets = append(v.Targets, targetView{Target: cv.Target, Name: name, On: slices.Contains(exp.SocialSignInConnectorTargets, cv.Target)})
	}
	return v, nil
}

func (c *Console) serveSIE(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.sie_heading")
	if !ok {
		return
	}
	if d.Notice != "" {
		d.Notice = d.Msg.T("console.sie_saved")
	}
	c.renderSIE(w, r, http.StatusOK, d)
}

func (c *Console) renderSIE(w http.ResponseWriter, r *http.Request, status int, d *page) {
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err == nil {
		d.SIE, err = c.sieView(r.Context(), exp, d.Lang)
	}
	if err != nil {
		c.internal(w, r, err)
		return
	}
	c.render(w, r, status, "signin", d)
}

// sePatch is the PATCH /api/sign-in-exp body the form describes: with no password method and
// no sign-up identifier the page is social-only (seed guide A, step 4). logos holds uploaded
// logos as data: URLs, which win over the URL fields.
func sePatch(r *http.Request, logos map[string]string) json.RawMessage {
	on := func(k string) bool { return r.PostFormValue(k) == "yes" }
	methods := []map[string]any{}
	if on("password_username") {
		methods = append(methods, map[string]any{"identifier": model.IdentifierUsername, "password": true, "verificationCode": false, "isPasswordPrimary": true})
	}
	if on("password_email") || on("code_email") {
		methods = append(methods, map[string]any{"identifier": model.IdentifierEmail, "password": on("password_email"),
			"verificationCode": on("code_email"), "isPasswordPrimary": on("password_email")})
	}
	signUp := map[string]any{"identifiers": []string{}, "password": false, "verify": false}
	switch with := r.PostFormValue("signup_with"); {
	case with == model.IdentifierUsername || on("signup_username"): // a username needs a password (Logto's rule)
		signUp = map[string]any{"identifiers": []string{model.IdentifierUsername}, "password": true, "verify": false}
	case with == model.IdentifierEmail: // an email is confirmed with a code
		signUp = map[string]any{"identifiers": []string{model.IdentifierEmail}, "password": on("signup_password"), "verify": true}
	}
	targets := append([]string{}, r.PostForm["social"]...)
	branding := map[string]any{} // an empty field clears its logo
	for key, field := range map[string]string{"logoUrl": "logo", "darkLogoUrl": "dark_logo"} {
		if v := strings.TrimSpace(r.PostFormValue(field)); v != "" {
			branding[key] = v
		}
		if v := logos[field]; v != "" {
			branding[key] = v
		}
	}
	optional := func(k string) any { // an empty URL clears it (null)
		if v := strings.TrimSpace(r.PostFormValue(k)); v != "" {
			return v
		}
		return nil
	}
	patch := map[string]any{
		"signIn": map[string]any{"methods": methods}, "signUp": signUp, "socialSignInConnectorTargets": targets,
		"branding":  branding,
		"color":     map[string]any{"primaryColor": r.PostFormValue("primary"), "darkPrimaryColor": r.PostFormValue("dark_primary"), "isDarkModeEnabled": on("dark")},
		"customCss": r.PostFormValue("css"),
	}
	// Sections a form may lack (a client posting only the branding) keep their saved values.
	if _, ok := r.PostForm["fallback"]; ok {
		patch["languageInfo"] = map[string]any{"autoDetect": on("auto_detect"), "fallbackLanguage": r.PostFormValue("fallback")}
	}
	if _, ok := r.PostForm["agree_policy"]; ok {
		patch["termsOfUseUrl"], patch["privacyPolicyUrl"], patch["agreeToTermsPolicy"] = optional("terms"), optional("privacy"), r.PostFormValue("agree_policy")
	}
	raw, _ := json.Marshal(patch) // strings, booleans and lists only
	return raw
}

// sieFieldRules place the sign-in experience use-case's refusals on the form's fields.
var sieFieldRules = []fieldRule{
	{"dark_logo", []string{"darkLogoUrl"}}, {"logo", []string{"logoUrl"}}, {"dark_primary", []string{"darkPrimaryColor"}},
	{"primary", []string{"primaryColor"}}, {"css", []string{"customCss"}}, {"terms", []string{"termsOfUseUrl"}},
	{"privacy", []string{"privacyPolicyUrl"}}, {"fallback", []string{"fallbackLanguage", "languageInfo"}},
	{"agree_policy", []string{"agreeToTermsPolicy"}}, {"methods", []string{"sign_in_methods", "signIn", "signUp", "sign_up", "connector_not_found"}},
}

// postSIE saves the form through the same use-case as PATCH /api/sign-in-exp (its validation).
func (c *Console) postSIE(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.sie_heading")
	if !ok || !c.readUpload(w, r, d) {
		return
	}
	logos, field := uploadedLogos(r)
	if field != "" {
		d.Fields, d.Error = map[string]string{field: d.Msg.T("console.sie_bad_upload")}, d.Msg.T("console.form_has_errors")
		c.renderSIE(w, r, http.StatusBadRequest, d)
		return
	}
	if _, err := c.o.SIE.UpdateSignInExperience(r.Context(), model.DefaultTenantID, sePatch(r, logos)); err != nil {
		if !refuse(d, err, sieFieldRules...) {
			c.internal(w, r, err)
			return
		}
		c.renderSIE(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/sign-in-experience?notice=saved", http.StatusSeeOther)
}
