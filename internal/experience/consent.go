package experience

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// accountOf is the user the consent is for: the one who just signed in, or the one the
// protocol already knows from the SSO session (Prompt "consent").
func accountOf(s *session) string {
	if s.in.Result != nil {
		return s.in.Result.AccountID
	}
	if s.in.Prompt == "consent" {
		return s.in.AccountID
	}
	return ""
}

// requestedScopes splits the authorization request's scopes into those describing the user
// (OIDC and Logto user scopes) and the rest, which belong to the requested API resources.
func requestedScopes(p model.AuthParams) (user, other []string) {
	for _, sc := range strings.Fields(p.Scope) {
		if slices.Contains(user, sc) || slices.Contains(other, sc) {
			continue
		}
		if _, known := i18n.ScopeKey(sc); known {
			user = append(user, sc)
		} else {
			other = append(other, sc)
		}
	}
	return user, other
}

// recordConsent grants the application what it asked for: every requested scope, and, for each
// requested resource, the requested scopes that are not user scopes. The protocol still
// narrows resource scopes to those the user holds when it issues tokens.
func recordConsent(s *session, accountID string) {
	user, other := requestedScopes(s.in.Params)
	c := &model.InteractionConsent{Scopes: append(slices.Clone(user), other...)}
	if len(other) > 0 && len(s.in.Params.Resource) > 0 {
		c.ResourceScopes = map[string][]string{}
		for _, indicator := range s.in.Params.Resource {
			c.ResourceScopes[indicator] = slices.Clone(other)
		}
	}
	if s.in.Result == nil {
		// The user is known from the SSO session; AuthTime 0 leaves the session's own
		// authentication time in force.
		s.in.Result = &model.InteractionResult{AccountID: accountID, Event: eventSignIn}
	}
	s.in.Result.Consent = c
}

// consentSession is what the consent page works on: the interaction, its application and the
// account that signed in. Without a signed-in account the browser goes to the sign-in page;
// without a readable application, to the unknown-session page (ok is false then).
func (e *Experience) consentSession(w http.ResponseWriter, r *http.Request) (*session, model.Application, string, bool) {
	s, ok := e.pageSession(w, r)
	if !ok {
		return nil, model.Application{}, "", false
	}
	accountID := accountOf(s)
	if accountID == "" {
		http.Redirect(w, r, pageURL("/sign-in", s.in.ClientID), http.StatusSeeOther)
		return nil, model.Application{}, "", false
	}
	app, found := e.app(r.Context(), s.in.ClientID)
	if !found {
		e.redirectUnknownSession(w, r, s.in.ClientID)
		return nil, model.Application{}, "", false
	}
	return s, app, accountID, true
}

// serveConsent is Logto's /consent: a first-party application is consented automatically
// (koa-auto-consent: 302 back to <issuer>/auth/<uid>); a third-party one gets a page listing
// what it asks for.
func (e *Experience) serveConsent(w http.ResponseWriter, r *http.Request) {
	s, app, accountID, ok := e.consentSession(w, r)
	if !ok {
		return
	}
	if !app.IsThirdParty {
		recordConsent(s, accountID)
		if err := e.save(r.Context(), s); err != nil {
			e.pageFailure(w, r, s, err)
			return
		}
		http.Redirect(w, r, e.resumePath(s.in.UID), redirectStatus(r))
		return
	}
	e.renderConsent(w, r, s, app, accountID, http.StatusOK, "")
}

func (e *Experience) renderConsent(w http.ResponseWriter, r *http.Request, s *session, app model.Application, accountID string, status int, errText string) {
	csrf, err := e.ensureCSRF(r.Context(), s)
	if err != nil {
		e.pageFailure(w, r, s, err)
		return
	}
	d := e.newPage(r, s.exp, s.in.Params.UILocales)
	d.Title = d.Msg.T("title.consent")
	d.AppName = app.Name
	d.Error = errText
	d.CSRF = csrf
	d.Action = pageURL("/consent", s.in.ClientID)
	user, other := requestedScopes(s.in.Params)
	v := consentView{AppLogo: model.StringOf(app.OIDCClientMetadata.LogoURI), User: e.userLabel(r, accountID)}
	for _, sc := range user {
		if sc == "openid" || sc == "offline_access" {
			continue // not information about the user (Logto does not list them either)
		}
		key, _ := i18n.ScopeKey(sc)
		v.UserScopes = append(v.UserScopes, d.Msg.T(key))
	}
	for _, indicator := range s.in.Params.Resource {
		v.APIs = append(v.APIs, apiScopes{Indicator: indicator, Scopes: other})
	}
	if u, err := url.Parse(s.in.Params.RedirectURI); err == nil && u.Host != "" {
		v.RedirectOrigin = u.Scheme + "://" + u.Host
	}
	d.Consent = v
	e.render(w, r, status, pageConsent, d)
}

// userLabel names the signed-in user on the consent page: username, else email, else id.
func (e *Experience) userLabel(r *http.Request, accountID string) string {
	u, err := e.svc.GetUser(r.Context(), e.tenantID, accountID)
	if err != nil {
		return ""
	}
	switch {
	case model.StringOf(u.Username) != "":
		return *u.Username
	case model.StringOf(u.PrimaryEmail) != "":
		return *u.PrimaryEmail
	}
	return u.ID
}

func (e *Experience) postConsent(w http.ResponseWriter, r *http.Request) {
	s, app, accountID, ok := e.consentSession(w, r)
	if !ok {
		return
	}
	err := parseForm(w, r)
	if err == nil {
		err = checkCSRF(s, r.PostFormValue("csrf"))
	}
	if err != nil {
		e.refuseForm(w, r, e.newPage(r, s.exp, s.in.Params.UILocales).Msg, err, func(status int, text string) {
			e.renderConsent(w, r, s, app, accountID, status, text)
		})
		return
	}
	if r.PostFormValue("decision") != "allow" {
		e.denyConsent(w, r, s, app)
		return
	}
	recordConsent(s, accountID)
	if err := e.save(r.Context(), s); err != nil {
		e.pageFailure(w, r, s, err)
		return
	}
	http.Redirect(w, r, e.resumePath(s.in.UID), http.StatusSeeOther)
}

// denyConsent ends the authorization request with access_denied at the application's
// redirect URI (RFC 6749 §4.1.2.1, with iss per RFC 9207), in the response mode it asked for.
// The redirect URI was checked against the client's registration when the interaction began.
func (e *Experience) denyConsent(w http.ResponseWriter, r *http.Request, s *session, app model.Application) {
	_ = e.cookies.ClearInteraction(w, r, e.tenantID, s.in.ClientID)
	params := [][2]string{
		{"error", "access_denied"},
		{"error_description", "The user denied the authorization request."},
	}
	if s.in.Params.State != "" {
		params = append(params, [2]string{"state", s.in.Params.State})
	}
	params = append(params, [2]string{"iss", e.issuer})

	if s.in.Params.ResponseMode == "form_post" {
		d := e.newPage(r, s.exp, s.in.Params.UILocales)
		d.AppName = app.Name
		m := messageView{Heading: d.Msg.T("consent.denied_heading"), Text: d.Msg.T("consent.denied_message", app.Name), PostURL: s.in.Params.RedirectURI}
		for _, p := range params {
			m.PostFields = append(m.PostFields, formField{Name: p[0], Value: p[1]})
		}
		e.renderMessage(w, r, http.StatusOK, d, m)
		return
	}
	target, err := url.Parse(s.in.Params.RedirectURI)
	if err != nil || target.Host == "" {
		e.redirectUnknownSession(w, r, s.in.ClientID)
		return
	}
	q := target.Query()
	for _, p := range params {
		q.Set(p[0], p[1])
	}
	target.RawQuery = q.Encode()
	http.Redirect(w, r, target.String(), http.StatusSeeOther)
}

// serveUnknownSession is the friendly end of a sign-in that cannot continue: it explains, and
// offers to start again from the application when the request named one.
func (e *Experience) serveUnknownSession(w http.ResponseWriter, r *http.Request) {
	exp, err := e.svc.GetSignInExperience(r.Context(), e.tenantID)
	if err != nil {
		e.renderInternalError(w, r, err)
		return
	}
	d := e.newPage(r, exp, "")
	m := messageView{Heading: d.Msg.T("unknown_session.heading"), Text: d.Msg.T("unknown_session.message")}
	if app, ok := e.app(r.Context(), r.URL.Query().Get("app_id")); ok {
		d.AppName = app.Name
		if home := appHome(app); home != "" {
			m.LinkURL, m.LinkText = home, d.Msg.T("action.back_to_app", app.Name)
		}
	}
	e.renderMessage(w, r, http.StatusOK, d, m)
}

// appHome is where "start again" sends the user: the origin of the application's first
// registered web redirect URI, which the application serves and from where it can begin a new
// sign-in. It is never taken from the request, so it cannot be turned into an open redirect.
func appHome(app model.Application) string {
	for _, raw := range app.OIDCClientMetadata.RedirectURIs {
		u, err := url.Parse(raw)
		if err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.Contains(u.Host, "*") {
			return u.Scheme + "://" + u.Host + "/"
		}
	}
	return ""
}

// serveUnavailable answers a first screen this server cannot offer yet (password reset needs
// verification codes, single sign-on needs enterprise connectors) with an explanation and a
// way back to signing in.
func (e *Experience) serveUnavailable(feature string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := e.pageSession(w, r)
		if !ok {
			return
		}
		d := e.newPage(r, s.exp, s.in.Params.UILocales)
		if app, ok := e.app(r.Context(), s.in.ClientID); ok {
			d.AppName = app.Name
		}
		e.renderMessage(w, r, http.StatusOK, d, messageView{
			Heading: d.Msg.T(feature + ".heading"), Text: d.Msg.T(feature + ".message"),
			LinkURL: pageURL("/sign-in", s.in.ClientID), LinkText: d.Msg.T("action.back_to_sign_in"),
		})
	}
}

// serveDirect is /direct/<method>/<target> (direct_sign_in): a social target goes straight to
// its provider; anything else (enterprise SSO does not exist yet, or an unknown target) falls
// back, as Logto's page does, to the first screen the request named.
func (e *Experience) serveDirect(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("method") == "social" && e.serveDirectSocial(w, r, r.PathValue("target")) {
		return
	}
	q := r.URL.Query()
	screen := "/sign-in"
	if q.Get("fallback") == "register" {
		screen = "/register"
	}
	next := url.Values{}
	for _, k := range []string{"app_id", "ui_locales", "login_hint"} {
		if v := q.Get(k); v != "" {
			next.Set(k, v)
		}
	}
	if len(next) > 0 {
		screen += "?" + next.Encode()
	}
	http.Redirect(w, r, screen, http.StatusSeeOther)
}
