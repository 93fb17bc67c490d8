package console

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// postMultipart submits the sign-in experience form as a browser does with a file chosen.
func (h *harness) postMultipart(path string, form url.Values, fileField, fileName string, file []byte) (int, string, string) {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	form.Set("csrf", h.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", h.srv.URL)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), out.String()
}

func sieForm() url.Values {
	return url.Values{"primary": {"#0f766e"}, "dark_primary": {"#2dd4bf"}, "css": {".card { border-radius: 4px; }"},
		"fallback": {"zh-CN"}, "auto_detect": {"yes"}, "agree_policy": {"ManualRegistrationOnly"},
		"terms": {"https://example.com/terms"}, "privacy": {"https://example.com/privacy"}}
}

const svgLogo = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#0f766e"/></svg>`

// The form saves social-only branding with an uploaded logo, languages and terms.
func TestSignInExperienceSaveWithUpload(t *testing.T) {
	h := newHarness(t)
	status, loc, body := h.postMultipart("/console/sign-in-experience", sieForm(), "logo_file", "logo.svg", []byte(svgLogo))
	if status != http.StatusSeeOther || loc != "/console/sign-in-experience?notice=saved" {
		t.Fatalf("save: %d %q %s", status, loc, body)
	}
	exp, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID)
	if !strings.HasPrefix(exp.Branding.LogoURL, "data:image/svg+xml;base64,") || exp.Color.PrimaryColor != "#0f766e" ||
		exp.LanguageInfo.FallbackLanguage != "zh-CN" || model.StringOf(exp.TermsOfUseURL) != "https://example.com/terms" ||
		exp.AgreeToTermsPolicy != "ManualRegistrationOnly" || len(exp.SignIn.Methods) != 0 {
		t.Fatalf("saved %+v %+v %+v", exp.Branding, exp.Color, exp.LanguageInfo)
	}
}

// A file that is not an image, and a terms URL the use-case refuses, land on their fields and
// change nothing.
func TestSignInExperienceFieldErrors(t *testing.T) {
	h := newHarness(t)
	before, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID)
	status, _, body := h.postMultipart("/console/sign-in-experience", sieForm(), "logo_file", "logo.svg", []byte("<html><script>alert(1)</script></html>"))
	if status != http.StatusBadRequest || fieldErrors(body)["logo"] == "" {
		t.Fatalf("not an image: %d %v", status, fieldErrors(body))
	}
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300<<10)...)
	if status, _, body = h.postMultipart("/console/sign-in-experience", sieForm(), "logo_file", "logo.png", big); status != http.StatusBadRequest || fieldErrors(body)["logo"] == "" {
		t.Fatalf("a 300 KiB logo: %d %v", status, fieldErrors(body))
	}
	form := sieForm()
	form.Set("terms", "javascript:alert(1)")
	if status, _, body = h.postMultipart("/console/sign-in-experience", form, "", "", nil); status != http.StatusBadRequest || fieldErrors(body)["terms"] == "" {
		t.Fatalf("bad terms URL: %d %v", status, fieldErrors(body))
	}
	form = sieForm()
	form.Set("primary", "red; }")
	if _, _, body = h.postMultipart("/console/sign-in-experience", form, "", "", nil); fieldErrors(body)["primary"] == "" {
		t.Fatalf("bad colour: %v", fieldErrors(body))
	}
	after, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID)
	if after.Color != before.Color || model.StringOf(after.TermsOfUseURL) != model.StringOf(before.TermsOfUseURL) {
		t.Fatal("a refused form changed the sign-in experience")
	}
}

// The preview is the hosted sign-in page, framed only by the console; a posted form shows
// its colour and CSS without saving them.
func TestSignInExperiencePreview(t *testing.T) {
	h := newHarness(t)
	resp, err := h.client.Get(h.srv.URL + "/console/sign-in-experience/preview")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "form-action 'none'") {
		t.Fatalf("preview: %d %q", resp.StatusCode, csp)
	}
	form := sieForm()
	form.Set("primary", "#aa3300")
	form.Set("css", ".card { outline: 7px dashed red; }")
	form.Set("password_username", "yes")
	status, _, body := h.postMultipart("/console/sign-in-experience/preview", form, "", "", nil)
	if status != http.StatusOK || !strings.Contains(body, "#aa3300") || !strings.Contains(body, "7px dashed red") || !strings.Contains(body, `id="password"`) {
		t.Fatalf("preview of the form: %d\n%s", status, body)
	}
	if exp, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID); exp.Color.PrimaryColor == "#aa3300" {
		t.Fatal("the preview saved the form")
	}
}

// Email sign-up confirmed by a code, and sign-in with an email code, once an email connector
// exists; without one the use-case's refusal is shown on the methods.
func TestSignInExperienceEmailMethods(t *testing.T) {
	h := newHarness(t)
	form := sieForm()
	form.Set("signup_with", "email")
	form.Set("code_email", "yes")
	status, _, body := h.postMultipart("/console/sign-in-experience", form, "", "", nil)
	if status != http.StatusBadRequest || fieldErrors(body)["methods"] == "" {
		t.Fatalf("email methods without an email connector: %d %v", status, fieldErrors(body))
	}
	h.post("/console/connectors", url.Values{"factory": {"simple-mail-transfer-protocol"}, "host": {"smtp.example.com"}, "port": {"587"}, "fromEmail": {"auth@example.com"}})
	if status, _, body = h.postMultipart("/console/sign-in-experience", form, "", "", nil); status != http.StatusSeeOther {
		t.Fatalf("email methods with an email connector: %d %v %s", status, fieldErrors(body), body)
	}
	exp, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID)
	if len(exp.SignUp.Identifiers) != 1 || exp.SignUp.Identifiers[0] != model.IdentifierEmail || !exp.SignUp.Verify ||
		len(exp.SignIn.Methods) != 1 || !exp.SignIn.Methods[0].VerificationCode {
		t.Fatalf("saved %+v %+v", exp.SignUp, exp.SignIn)
	}
	if _, page := h.get("/console/sign-in-experience"); !strings.Contains(page, `<option value="email" selected>`) || !strings.Contains(page, `id="code_email" name="code_email" value="yes" checked`) {
		t.Fatal("the form does not show the saved email methods")
	}
}
