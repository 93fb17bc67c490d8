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

// sieView is the page's form: the settings seed guide A changes.
type sieView struct {
	Username, Email, SignUp, Dark bool
	Targets                       []targetView
	Logo, DarkLogo, CSS           string
	Primary, DarkPrimary          string
}

type targetView struct {
	Target, Name string
	On           bool
}

func (c *Console) sieView(ctx context.Context, exp model.SignInExperience, lang string) (sieView, error) {
	v := sieView{Logo: exp.Branding.LogoURL, DarkLogo: exp.Branding.DarkLogoURL, CSS: model.StringOf(exp.CustomCSS),
		Primary: exp.Color.PrimaryColor, DarkPrimary: exp.Color.DarkPrimaryColor, Dark: exp.Color.IsDarkModeEnabled,
		SignUp: slices.Contains(exp.SignUp.Identifiers, model.IdentifierUsername)}
	for _, m := range exp.SignIn.Methods {
		v.Username = v.Username || (m.Identifier == model.IdentifierUsername && m.Password)
		v.Email = v.Email || (m.Identifier == model.IdentifierEmail && m.Password)
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
	d.Saved = r.URL.Query().Get("saved") == "1"
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
// no sign-up identifier the page is social-only (seed guide A, step 4).
func sePatch(r *http.Request) json.RawMessage {
	on := func(k string) bool { return r.PostFormValue(k) == "yes" }
	methods := []map[string]any{}
	for _, m := range []struct{ key, id string }{{"password_username", model.IdentifierUsername}, {"password_email", model.IdentifierEmail}} {
		if on(m.key) {
			methods = append(methods, map[string]any{"identifier": m.id, "password": true, "verificationCode": false, "isPasswordPrimary": true})
		}
	}
	signUp := map[string]any{"identifiers": []string{}, "password": false, "verify": false}
	if on("signup_username") {
		signUp = map[string]any{"identifiers": []string{model.IdentifierUsername}, "password": true, "verify": false}
	}
	targets := r.PostForm["social"]
	if targets == nil {
		targets = []string{}
	}
	branding := map[string]any{} // an empty field clears its logo
	for key, field := range map[string]string{"logoUrl": "logo", "darkLogoUrl": "dark_logo"} {
		if v := strings.TrimSpace(r.PostFormValue(field)); v != "" {
			branding[key] = v
		}
	}
	patch := map[string]any{
		"signIn": map[string]any{"methods": methods}, "signUp": signUp, "socialSignInConnectorTargets": targets,
		"branding":  branding,
		"color":     map[string]any{"primaryColor": r.PostFormValue("primary"), "darkPrimaryColor": r.PostFormValue("dark_primary"), "isDarkModeEnabled": on("dark")},
		"customCss": r.PostFormValue("css"),
	}
	raw, _ := json.Marshal(patch) // strings, booleans and lists only
	return raw
}

// postSIE saves the form through the same use-case as PATCH /api/sign-in-exp (its validation).
func (c *Console) postSIE(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.sie_heading")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	if _, err := c.o.SIE.UpdateSignInExperience(r.Context(), model.DefaultTenantID, sePatch(r)); err != nil {
		if d.Error = apiMessage(err); d.Error == "" {
			c.internal(w, r, err)
			return
		}
		c.renderSIE(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/sign-in-experience?saved=1", http.StatusSeeOther)
}
