package experience

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/faults"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// staticPrefix is where the pages' stylesheet is served.
const staticPrefix = "/static/experience/"

// maxFormBytes bounds a hosted page's form body.
const maxFormBytes = 64 << 10

// Page templates, each the layout plus its own "content".
const (
	pageSignIn   = "sign-in"
	pageRegister = "register"
	pageConsent  = "consent"
	pageMessage  = "message"
	pageSocial   = "social"
	pageCode     = "code"
)

// The pages' data, declared with the page frame (package pagekit).
type (
	pageData     = pagekit.Page
	signInView   = pagekit.SignInView
	registerView = pagekit.RegisterView
	consentView  = pagekit.ConsentView
	apiScopes    = pagekit.APIScopes
	messageView  = pagekit.MessageView
	formField    = pagekit.FormField
	socialButton = pagekit.SocialButton
	socialView   = pagekit.SocialView
	codeView     = pagekit.CodeView
)

// newPage starts a page in the language chosen from ui_locales (the query's, else the
// interaction's), the browser and the sign-in experience.
func (e *Experience) newPage(r *http.Request, exp model.SignInExperience, uiLocales string) *pageData {
	if q := r.URL.Query().Get("ui_locales"); q != "" {
		uiLocales = q
	}
	lang := i18n.Choose(uiLocales, r.Header.Get("Accept-Language"), exp.LanguageInfo)
	return &pageData{Msg: i18n.For(lang), Lang: lang, Brand: pagekit.BrandOf(exp)}
}

// render writes page with status; a template failure (a bug) is logged and answered 500.
func (e *Experience) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	d.Nonce = pagekit.Nonce()
	var buf bytes.Buffer
	if err := e.pages[page].ExecuteTemplate(&buf, "layout.html", d); err != nil {
		e.internalError(r, err)
		http.Error(w, "Internal server error.", http.StatusInternalServerError)
		return
	}
	httpx.PageHeaders(w, pagekit.CSP(d))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderMessage shows a page with a heading, a text and at most one way on.
func (e *Experience) renderMessage(w http.ResponseWriter, r *http.Request, status int, d *pageData, m messageView) {
	d.Title = m.Heading
	d.Message = m
	e.render(w, r, status, pageMessage, d)
}

// renderInternalError answers a fault inside with a friendly page; the cause is only logged.
func (e *Experience) renderInternalError(w http.ResponseWriter, r *http.Request, err error) {
	e.internalError(r, err)
	exp, expErr := e.svc.GetSignInExperience(r.Context(), e.tenantID)
	if expErr != nil {
		exp = model.SignInExperience{}
	}
	d := e.newPage(r, exp, "")
	if faults.DatabaseUnavailable(err) {
		w.Header().Set("Retry-After", faults.RetryAfterSeconds)
		e.renderMessage(w, r, http.StatusServiceUnavailable, d, messageView{Heading: d.Msg.T("title.error"), Text: d.Msg.T("error.unavailable")})
		return
	}
	e.renderMessage(w, r, http.StatusInternalServerError, d, messageView{Heading: d.Msg.T("title.error"), Text: d.Msg.T("error.internal")})
}

// serveCrossOriginDenied answers a page form posted from another origin.
func (e *Experience) serveCrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	d := e.newPage(r, model.SignInExperience{}, "")
	e.renderMessage(w, r, http.StatusForbidden, d, messageView{Heading: d.Msg.T("title.error"), Text: d.Msg.T("error.cross_origin")})
}

// pageSession finds the interaction a hosted page works on. Without one, it sends the browser
// where Logto's koa-spa-session-guard does (the tenant's unknownSessionRedirectUrl, else
// /unknown-session) and reports false.
func (e *Experience) pageSession(w http.ResponseWriter, r *http.Request) (*session, bool) {
	appID := r.URL.Query().Get("app_id")
	if uid, ok := e.cookies.InteractionUID(r, e.tenantID, appID); ok {
		s, err := e.load(r.Context(), uid)
		if err == nil {
			return s, true
		}
		if _, known := apperr.As(err); !known {
			e.renderInternalError(w, r, err)
			return nil, false
		}
	}
	e.redirectUnknownSession(w, r, appID)
	return nil, false
}

func (e *Experience) redirectUnknownSession(w http.ResponseWriter, r *http.Request, appID string) {
	exp, err := e.svc.GetSignInExperience(r.Context(), e.tenantID)
	if err != nil {
		e.renderInternalError(w, r, err)
		return
	}
	if target := model.StringOf(exp.UnknownSessionRedirectURL); model.IsHTTPURL(target) {
		http.Redirect(w, r, target, redirectStatus(r))
		return
	}
	q := url.Values{}
	if appID != "" {
		q.Set("app_id", appID)
	}
	if l := r.URL.Query().Get("ui_locales"); l != "" {
		q.Set("ui_locales", l)
	}
	target := "/unknown-session"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, redirectStatus(r))
}

// redirectStatus is Logto's 302 for a page the browser navigated to, and 303 after a form post:
// a 303 always turns the next request into a GET and drops the posted body, where clients may
// repeat a POST on 302 or 307 with its credentials (RFC 9700 §4.12).
func redirectStatus(r *http.Request) int {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return http.StatusFound
	}
	return http.StatusSeeOther
}

// app reads the interaction's application for the page; false when it cannot be read.
func (e *Experience) app(ctx context.Context, clientID string) (model.Application, bool) {
	if clientID == "" {
		return model.Application{}, false
	}
	app, err := e.svc.GetApplication(ctx, e.tenantID, clientID)
	if err != nil {
		return model.Application{}, false
	}
	return app, true
}

func clientIP(r *http.Request) string { return httpx.ClientIP(r.Context()) }

// pageURL is a hosted page of the interaction's application.
func pageURL(path, clientID string) string {
	if clientID == "" {
		return path
	}
	return path + "?app_id=" + url.QueryEscape(clientID)
}

// ensureCSRF gives the interaction its form token, saving it the first time.
func (e *Experience) ensureCSRF(ctx context.Context, s *session) (string, error) {
	if s.st.CSRF != "" {
		return s.st.CSRF, nil
	}
	s.st.CSRF = ids.NewString(32)
	err := e.save(ctx, s)
	if ae, ok := apperr.As(err); ok && ae.Code == "session.interaction_conflict" {
		// Another request (a second tab) saved first, most likely with its own token: use that.
		fresh, lerr := e.load(ctx, s.in.UID)
		if lerr != nil {
			return "", lerr
		}
		if fresh.st.CSRF == "" {
			return "", err
		}
		*s = *fresh
		return s.st.CSRF, nil
	}
	if err != nil {
		return "", err
	}
	return s.st.CSRF, nil
}

// checkCSRF compares the form's token to the interaction's in constant time.
func checkCSRF(s *session, presented string) error {
	if s.st.CSRF == "" || subtle.ConstantTimeCompare([]byte(presented), []byte(s.st.CSRF)) != 1 {
		return experr.CSRF()
	}
	return nil
}

// parseForm reads a page's urlencoded form within maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return experr.BodyTooLarge(maxFormBytes)
		}
		return experr.InvalidInput("The form could not be read.")
	}
	return nil
}

// pageError is the page's wording of an engine error and the status to answer with; a fault
// inside reports ok false.
func pageError(ms i18n.Messages, err error) (string, int, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return "", 0, false
	}
	if _, worded := ae.Data.(pageMessageKey); worded {
		return ae.Message, ae.Status, true
	}
	return ms.ErrorMessage(ae.Code, ae.Data), ae.Status, true
}

// ---- sign-in ----

func identifierLabel(ms i18n.Messages, kinds []string) string {
	label := ""
	for _, k := range kinds {
		name := ms.T("input." + k)
		if label == "" {
			label = name
		} else {
			label = ms.T("input.or", label, name)
		}
	}
	return label
}

// formSession opens the interaction for a credential page. An interaction whose user already
// signed in goes on to the protocol, and a sign-in mode that forbids this page (forbiddenMode)
// sends the browser to the other one (otherPath); in both cases it answers and returns false.
func (e *Experience) formSession(w http.ResponseWriter, r *http.Request, forbiddenMode, otherPath string) (*session, bool) {
	s, ok := e.pageSession(w, r)
	if !ok {
		return nil, false
	}
	if s.in.Result != nil {
		http.Redirect(w, r, e.resumePath(s.in.UID), http.StatusSeeOther)
		return nil, false
	}
	if s.exp.SignInMode == forbiddenMode {
		http.Redirect(w, r, pageURL(otherPath, s.in.ClientID), http.StatusSeeOther)
		return nil, false
	}
	return s, true
}

func (e *Experience) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if s, ok := e.formSession(w, r, model.SignInModeRegister, "/register"); ok {
		e.renderSignIn(w, r, s, http.StatusOK, "", s.in.Params.LoginHint)
	}
}

// formPage prepares the data every credential form shares (the sign-in and register pages): the
// interaction's CSRF token, language, title, form action, terms checkbox and the app's name. It
// answers the failure page itself and returns false when the token cannot be had.
func (e *Experience) formPage(w http.ResponseWriter, r *http.Request, s *session, titleKey, path, errText string, registering bool) (*pageData, bool) {
	csrf, err := e.ensureCSRF(r.Context(), s)
	if err != nil {
		e.pageFailure(w, r, s, err)
		return nil, false
	}
	d := e.newPage(r, s.exp, s.in.Params.UILocales)
	d.Title = d.Msg.T(titleKey)
	d.Error = errText
	d.CSRF = csrf
	d.Action = pageURL(path, s.in.ClientID)
	d.TermsCheckbox = rules.TermsCheckbox(s.exp, registering)
	if app, ok := e.app(r.Context(), s.in.ClientID); ok {
		d.AppName = app.Name
	}
	return d, true
}

func (e *Experience) renderSignIn(w http.ResponseWriter, r *http.Request, s *session, status int, errText, identifierValue string) {
	d, ok := e.formPage(w, r, s, "title.sign_in", "/sign-in", errText, false)
	if !ok {
		return
	}
	kinds := rules.PasswordKinds(s.exp)
	d.SignIn = signInView{
		PasswordEnabled: len(kinds) > 0,
		IdentifierLabel: identifierLabel(d.Msg, kinds),
		InputMode:       "text",
		Identifier:      identifierValue,
	}
	if len(kinds) == 1 && kinds[0] == identifierEmail {
		d.SignIn.InputMode = "email"
	}
	if rules.CanRegister(s.exp) {
		d.SignIn.RegisterURL = pageURL("/register", s.in.ClientID)
	}
	d.SignIn.Social = e.socialButtons(r, s, d.Lang)
	if e.svc.HasEmailConnector(r.Context(), e.tenantID) {
		if len(kinds) > 0 {
			d.SignIn.ForgotURL = pageURL(pathResetPassword, s.in.ClientID)
		}
		if rules.CodeAllowed(s.exp, eventSignIn) == nil {
			d.SignIn.EmailCodeURL = pageURL(pathEmailCode, s.in.ClientID)
		}
	}
	d.SignIn.ResetDone = r.URL.Query().Get("reset") == "done"
	d.SignIn.SocialAction = pageURL("/social", s.in.ClientID)
	e.render(w, r, status, pageSignIn, d)
}

// pageFailure answers an error reached outside a form: a vanished or conflicting interaction
// restarts at the unknown-session page, a fault inside shows the error page.
func (e *Experience) pageFailure(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if ae, ok := apperr.As(err); ok && strings.HasPrefix(ae.Code, "session.") {
		e.redirectUnknownSession(w, r, s.in.ClientID)
		return
	}
	e.renderInternalError(w, r, err)
}

func (e *Experience) postSignIn(w http.ResponseWriter, r *http.Request) {
	identifierValue := ""
	e.postForm(w, r, func(s *session, ms i18n.Messages) (string, error) {
		identifierValue = strings.TrimSpace(r.PostFormValue("identifier"))
		return e.signInWithForm(r, s, ms, identifierValue)
	}, func(s *session, status int, text string) {
		e.renderSignIn(w, r, s, status, text, identifierValue)
	})
}

// postForm answers a sign-in or registration form post. An interaction that already has a
// result resumes; otherwise the form is parsed and submit runs the engine's steps on it and says
// where to go next. A refusal the page can word re-renders the form (rerender), anything else
// shows the error page.
func (e *Experience) postForm(w http.ResponseWriter, r *http.Request, submit func(s *session, ms i18n.Messages) (string, error),
	rerender func(s *session, status int, text string)) {
	s, ok := e.pageSession(w, r)
	if !ok {
		return
	}
	if s.in.Result != nil {
		http.Redirect(w, r, e.resumePath(s.in.UID), http.StatusSeeOther)
		return
	}
	ms := e.newPage(r, s.exp, s.in.Params.UILocales).Msg
	err := parseForm(w, r)
	redirectTo := ""
	if err == nil {
		redirectTo, err = submit(s, ms)
	}
	if err != nil {
		e.refuseForm(w, r, ms, err, func(status int, text string) { rerender(s, status, text) })
		return
	}
	http.Redirect(w, r, e.onPageOrigin(redirectTo), http.StatusSeeOther)
}

// refuseForm answers a form's refusal: one the page can word re-renders the form with that
// wording and status (rerender), anything else shows the error page.
func (e *Experience) refuseForm(w http.ResponseWriter, r *http.Request, ms i18n.Messages, err error, rerender func(status int, text string)) {
	text, status, known := pageError(ms, err)
	if !known {
		e.renderInternalError(w, r, err)
		return
	}
	rerender(status, text)
}

// signInWithForm runs the same engine steps as the API's sign-in (start, verify the password,
// identify, submit) on the form's input, and saves once at the end.
func (e *Experience) signInWithForm(r *http.Request, s *session, ms i18n.Messages, identifierValue string) (string, error) {
	if err := checkCSRF(s, r.PostFormValue("csrf")); err != nil {
		return "", err
	}
	password := r.PostFormValue("password")
	switch {
	case identifierValue == "":
		return "", pageRefusal(ms, "error.identifier_required")
	case password == "":
		return "", pageRefusal(ms, "error.password_required")
	case rules.TermsCheckbox(s.exp, false) && r.PostFormValue("agree_terms") != "yes":
		return "", pageRefusal(ms, "error.terms_required")
	}
	kind := rules.InferKind(s.exp, identifierValue)
	if kind == "" {
		return "", experr.SignInMethodNotEnabled()
	}
	if err := apibody.CheckString("identifier", identifierValue, true, apibody.MaxIdentifierLen); err != nil {
		return "", err
	}
	if err := apibody.CheckString("password", password, true, apibody.MaxPasswordLen); err != nil {
		return "", err
	}
	ctx := r.Context()
	if err := e.start(s, eventSignIn); err != nil {
		return "", err
	}
	verificationID, err := e.verifyPassword(ctx, s, identifier{Type: kind, Value: identifierValue}, password, clientIP(r))
	if err != nil {
		return "", err
	}
	return e.finishWithForm(ctx, s, verificationID)
}

// finishWithForm ends a form's engine steps as the API's last calls do: identify (with the
// sign-in's verification record, or none for a registration), submit, then save the
// interaction once. It answers where the browser goes next.
func (e *Experience) finishWithForm(ctx context.Context, s *session, verificationID string) (string, error) {
	if _, err := e.identify(ctx, s, verificationID, false); err != nil {
		return "", err
	}
	redirectTo, err := e.submit(ctx, s)
	if err != nil {
		return "", err
	}
	if err := e.save(ctx, s); err != nil {
		return "", err
	}
	return redirectTo, nil
}

// pageRefusal is a 400 whose page wording is the catalog entry key.
func pageRefusal(ms i18n.Messages, key string) error {
	return &apperr.Error{Status: http.StatusBadRequest, Code: "page." + key, Message: ms.T(key), Data: pageMessageKey(key)}
}

// pageMessageKey marks an apperr whose Message is already the page's wording.
type pageMessageKey string

// ---- registration ----

// registerForm decides which fields the registration page asks for, from what the sign-up
// settings make mandatory; it is unavailable when they need something only a verification code
// or a social connector can supply.
func registerForm(exp model.SignInExperience) registerView {
	v := registerView{MinPasswordLength: policy.ResolvePasswordPolicy(exp.PasswordPolicy).MinLength()}
	if !rules.CanRegister(exp) {
		return v
	}
	v.Available = true
	for _, need := range missingProfile(exp, profile{}) {
		switch need {
		case "username":
			v.Username = true
		case "email", "emailOrPhone":
			if _, verify := rules.SignUpRule(exp, identifierEmail); verify {
				v.Available = false
			}
			v.Email = true
		case "password":
			v.Password = true
		default: // phone numbers need a code
			v.Available = false
		}
	}
	if !v.Username && !v.Email {
		v.Available = false
	}
	return v
}

func (e *Experience) serveRegister(w http.ResponseWriter, r *http.Request) {
	if s, ok := e.formSession(w, r, model.SignInModeSignIn, "/sign-in"); ok {
		e.renderRegister(w, r, s, http.StatusOK, "", "", "")
	}
}

func (e *Experience) renderRegister(w http.ResponseWriter, r *http.Request, s *session, status int, errText, username, email string) {
	d, ok := e.formPage(w, r, s, "title.register", "/register", errText, true)
	if !ok {
		return
	}
	d.Register = registerForm(s.exp)
	d.Register.UsernameValue, d.Register.EmailValue = username, email
	if s.exp.SignInMode != model.SignInModeRegister {
		d.Register.SignInURL = pageURL("/sign-in", s.in.ClientID)
	}
	e.render(w, r, status, pageRegister, d)
}

func (e *Experience) postRegister(w http.ResponseWriter, r *http.Request) {
	username, email := "", ""
	e.postForm(w, r, func(s *session, ms i18n.Messages) (string, error) {
		username = strings.TrimSpace(r.PostFormValue("username"))
		email = strings.TrimSpace(r.PostFormValue("email"))
		return e.registerWithForm(r, s, ms, username, email)
	}, func(s *session, status int, text string) {
		e.renderRegister(w, r, s, status, text, username, email)
	})
}

// registerWithForm runs the API's registration steps (start, profile fields, identification,
// submit) on the form's input, and saves once at the end.
func (e *Experience) registerWithForm(r *http.Request, s *session, ms i18n.Messages, username, email string) (string, error) {
	form, password, err := checkRegisterForm(r, s, ms, username, email)
	if err != nil {
		return "", err
	}
	ctx := r.Context()
	if err := e.start(s, eventRegister); err != nil {
		return "", err
	}
	if err := e.setProfileFromForm(ctx, s, registerSteps(form, username, email, password), clientIP(r)); err != nil {
		return "", err
	}
	return e.finishWithForm(ctx, s, "")
}

// checkRegisterForm checks a registration post before any engine step: the CSRF token, that the
// sign-up settings allow the form, and that it is complete (every field it asks for, matching
// passwords, the terms agreed to). It returns the form and the password.
func checkRegisterForm(r *http.Request, s *session, ms i18n.Messages, username, email string) (registerView, string, error) {
	if err := checkCSRF(s, r.PostFormValue("csrf")); err != nil {
		return registerView{}, "", err
	}
	form := registerForm(s.exp)
	if !form.Available {
		return registerView{}, "", experr.SignUpMethodNotEnabled()
	}
	password := r.PostFormValue("password")
	switch {
	case (form.Username && username == "") || (form.Email && email == "") || (form.Password && password == ""):
		return registerView{}, "", pageRefusal(ms, "error.missing_profile")
	case form.Password && password != r.PostFormValue("confirm_password"):
		return registerView{}, "", pageRefusal(ms, "error.passwords_mismatch")
	case rules.TermsCheckbox(s.exp, true) && r.PostFormValue("agree_terms") != "yes":
		return registerView{}, "", pageRefusal(ms, "error.terms_required")
	}
	return form, password, nil
}

// registerSteps are the profile updates the form's fields make, in the API's order: username,
// email, password.
func registerSteps(form registerView, username, email, password string) []profileInput {
	steps := []profileInput{}
	if form.Username {
		steps = append(steps, profileInput{Type: identifierUsername, Value: username})
	}
	if form.Email {
		steps = append(steps, profileInput{Type: identifierEmail, Value: email})
	}
	if form.Password {
		steps = append(steps, profileInput{Type: "password", Value: password})
	}
	return steps
}

// setProfileFromForm applies each profile update as POST …/profile would, after the same
// length checks the API's body parser makes.
func (e *Experience) setProfileFromForm(ctx context.Context, s *session, steps []profileInput, ip string) error {
	for _, in := range steps {
		limit := apibody.MaxIdentifierLen
		if in.Type == "password" {
			limit = apibody.MaxPasswordLen
		}
		if err := apibody.CheckString(in.Type, in.Value, true, limit); err != nil {
			return err
		}
		if err := e.setProfile(ctx, s, in, ip); err != nil {
			return err
		}
	}
	return nil
}
