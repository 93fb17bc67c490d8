package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// The preview renders the hosted sign-in page's own template and stylesheet with the sign-in
// experience as saved (GET) or as the form says before it is saved (POST into the page's
// preview frame). Nothing in it can be submitted.

func (c *Console) mountPreview(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.HandleFunc("GET /console/sign-in-experience/preview", c.servePreview)
	mux.Handle("POST /console/sign-in-experience/preview", cop.Handler(http.HandlerFunc(c.postPreview)))
}

func (c *Console) servePreview(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.signedIn(w, r, "console.sie_heading"); !ok {
		return
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	c.renderPreview(w, r, exp)
}

// postPreview applies the form's patch to a copy of the saved sign-in experience, unchecked:
// the page shows what would be saved, and Save runs the use-case's validation.
func (c *Console) postPreview(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.sie_heading")
	if !ok || !c.readUpload(w, r, d) {
		return
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	logos, _ := uploadedLogos(r)
	patched := exp
	patched.Branding.LogoURL, patched.Branding.DarkLogoURL = "", ""
	if json.Unmarshal(sePatch(r, logos), &patched) != nil {
		patched = exp
	}
	c.renderPreview(w, r, patched)
}

// renderPreview writes the sign-in page for exp in the browser's language (the sign-in
// experience's language rules), framed only by the console.
func (c *Console) renderPreview(w http.ResponseWriter, r *http.Request, exp model.SignInExperience) {
	lang := i18n.Choose(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"), exp.LanguageInfo)
	d := &pagekit.Page{Msg: i18n.For(lang), Lang: lang, Brand: pagekit.BrandOf(exp), Nonce: pagekit.Nonce(), Action: "#"}
	d.Title = d.Msg.T("title.sign_in")
	_, own := c.text.For(r.Header.Get("Accept-Language"))
	d.AppName = own.T("console.preview_app")
	d.TermsCheckbox = rules.TermsCheckbox(exp, false)
	kinds := rules.PasswordKinds(exp)
	label := ""
	for _, k := range kinds {
		if name := d.Msg.T("input." + k); label == "" {
			label = name
		} else {
			label = d.Msg.T("input.or", label, name)
		}
	}
	d.SignIn = pagekit.SignInView{PasswordEnabled: len(kinds) > 0, IdentifierLabel: label, InputMode: "text", SocialAction: "#"}
	if rules.CanRegister(exp) {
		d.SignIn.RegisterURL = "#"
	}
	list, err := c.o.Conns.ListConnectors(r.Context(), model.DefaultTenantID, "")
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, t := range exp.SocialSignInConnectorTargets {
		for _, cv := range list {
			if cv.Type == "Social" && cv.Target == t {
				name := cv.Name["en"]
				if n := cv.Name[lang]; n != "" {
					name = n
				}
				d.SignIn.Social = append(d.SignIn.Social, pagekit.SocialButton{ID: cv.ID, Name: name, Logo: cv.Logo, LogoDark: model.StringOf(cv.LogoDark)})
				break
			}
		}
	}
	var buf bytes.Buffer
	if err := c.preview.ExecuteTemplate(&buf, "layout.html", d); err != nil {
		c.internal(w, r, err)
		return
	}
	// The hosted page's policy, but framed by the console alone and with no form going anywhere.
	csp := strings.Replace(pagekit.CSP(d), "frame-ancestors 'none'", "frame-ancestors 'self'; form-action 'none'", 1)
	httpx.PageHeaders(w, csp)
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
