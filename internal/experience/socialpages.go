package experience

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// connectorName is the connector's name in lang, else English, else any.
func connectorName(names map[string]string, lang string) string {
	for _, l := range []string{lang, strings.ToLower(lang), "en"} {
		if n := names[l]; n != "" {
			return n
		}
	}
	for _, n := range names {
		return n
	}
	return ""
}

// socialButtons are the sign-in page's social buttons, in the order of the sign-in
// experience's socialSignInConnectorTargets. A failure to list them leaves the page without them
// (logged): the password form still works.
func (e *Experience) socialButtons(r *http.Request, s *session, lang string) []socialButton {
	list, err := e.svc.SocialConnectorsForSignIn(r.Context(), e.tenantID, s.exp.SocialSignInConnectorTargets)
	if err != nil {
		e.internalError(r, err)
		return nil
	}
	out := make([]socialButton, 0, len(list))
	for _, sc := range list {
		out = append(out, socialButton{ID: sc.ID, Name: connectorName(sc.Name, lang), Logo: sc.Logo, LogoDark: sc.LogoDark})
	}
	return out
}

// endpoint is the tenant's public origin (the issuer without /oidc), where /callback lives.
func (e *Experience) endpoint() string { return strings.TrimSuffix(e.issuer, "/oidc") }

// callbackURL is the connector's callback, the redirect URI to register at the provider.
func (e *Experience) callbackURL(connectorID string) string {
	return e.endpoint() + "/callback/" + url.PathEscape(connectorID)
}

// postSocial starts a social sign-in from the sign-in page's buttons (POST /social): after the
// page's checks it sends the browser to the provider.
func (e *Experience) postSocial(w http.ResponseWriter, r *http.Request) {
	e.postForm(w, r, func(s *session, ms i18n.Messages) (string, error) {
		if err := checkCSRF(s, r.PostFormValue("csrf")); err != nil {
			return "", err
		}
		if rules.TermsCheckbox(s.exp, false) && r.PostFormValue("agree_terms") != "yes" {
			return "", pageRefusal(ms, "error.terms_required")
		}
		return e.beginSocial(r.Context(), s, r.PostFormValue("connector"))
	}, func(s *session, status int, text string) {
		e.renderSignIn(w, r, s, status, text, "")
	})
}

// beginSocial starts (or restarts) the interaction's event and a social verification with a
// state made here, and answers the provider's URL.
func (e *Experience) beginSocial(ctx context.Context, s *session, connectorID string) (string, error) {
	event := s.st.InteractionEvent
	if event != eventRegister {
		event = eventSignIn
	}
	if s.exp.SignInMode == model.SignInModeRegister {
		event = eventRegister
	}
	if err := e.start(s, event); err != nil {
		return "", err
	}
	if err := apibody.CheckString("connector", connectorID, true, apibody.MaxIdentifierLen); err != nil {
		return "", err
	}
	uri, _, err := e.startSocial(ctx, s, connectorID, apibody.SocialStart{State: connector.NewNonce(), RedirectURI: e.callbackURL(connectorID)})
	if err != nil {
		return "", err
	}
	return uri, e.save(ctx, s)
}

// serveDirectSocial is direct_sign_in=social:<target>: straight to the provider, without the
// sign-in page (Logto's page does the same in the browser). An unknown target falls back to the
// first screen.
func (e *Experience) serveDirectSocial(w http.ResponseWriter, r *http.Request, target string) bool {
	s, ok := e.pageSession(w, r)
	if !ok {
		return true
	}
	sc, err := e.svc.SocialConnectorByTarget(r.Context(), e.tenantID, target)
	if err != nil {
		return false
	}
	uri, err := e.beginSocial(r.Context(), s, sc.ID)
	if err != nil {
		e.renderSocialFailure(w, r, s, sc.Name, err)
		return true
	}
	http.Redirect(w, r, uri, http.StatusSeeOther)
	return true
}

// postCallback answers a provider's form_post callback (POST /callback/:connectorId) with a 303
// to the same path carrying the form as its query, as Logto does: the GET does the work, and
// nothing is changed by a cross-site POST.
func (e *Experience) postCallback(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		http.Error(w, "The callback form could not be read.", http.StatusBadRequest)
		return
	}
	target := "/callback/" + url.PathEscape(r.PathValue("connectorId"))
	if len(r.PostForm) > 0 {
		target += "?" + r.PostForm.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// pendingSocial is the interaction's social verification of connectorID still waiting for its
// callback.
func (s *session) pendingSocial(connectorID string) (verificationRecord, bool) {
	for _, rec := range s.st.VerificationRecords {
		if rec.Type == verificationSocial && rec.ConnectorID == connectorID && rec.ConnectorSession != nil {
			return rec, true
		}
	}
	return verificationRecord{}, false
}

// serveCallback is where the provider sends the browser back (GET /callback/:connectorId): the
// callback is verified on the server against the state kept in the interaction, then the
// person is signed in, registered, or asked the one thing still missing.
func (e *Experience) serveCallback(w http.ResponseWriter, r *http.Request) {
	s, ok := e.pageSession(w, r)
	if !ok {
		return
	}
	if s.in.Result != nil {
		http.Redirect(w, r, e.resumePath(s.in.UID), http.StatusSeeOther)
		return
	}
	connectorID := r.PathValue("connectorId")
	name := e.providerName(r, connectorID)
	rec, ok := s.pendingSocial(connectorID)
	if !ok {
		e.renderSocialFailure(w, r, s, name, experr.ConnectorSessionNotFound())
		return
	}
	ctx := r.Context()
	if err := e.verifySocial(ctx, s, connectorID, rec.ID, r.URL.Query()); err != nil {
		e.renderSocialFailure(w, r, s, name, err)
		return
	}
	if err := e.save(ctx, s); err != nil {
		e.renderSocialFailure(w, r, s, name, err)
		return
	}
	e.finishSocial(w, r, s, rec.ID, false)
}

// providerName is the connector's display name for the page ("" when it cannot be read).
func (e *Experience) providerName(r *http.Request, connectorID string) map[string]string {
	sc, err := e.svc.SocialConnector(r.Context(), e.tenantID, connectorID)
	if err != nil {
		return map[string]string{"en": connectorID}
	}
	return sc.Name
}

// finishSocial identifies the person by the verified social record and submits. A first
// sign-in registers when the sign-in mode allows it; an email that belongs to an account asks
// whether to link; a username the sign-up settings require is asked for.
func (e *Experience) finishSocial(w http.ResponseWriter, r *http.Request, s *session, verificationID string, link bool) {
	ctx := r.Context()
	_, err := e.identify(ctx, s, verificationID, link)
	if ae, ok := apperr.As(err); ok && ae.Code == "user.identity_not_exist" && ae.Data == nil &&
		s.st.InteractionEvent == eventSignIn && s.exp.SignInMode != model.SignInModeSignIn {
		// Logto's page does the same: switch the interaction to Register and identify again.
		if err = e.setEvent(s, eventRegister); err == nil {
			_, err = e.identify(ctx, s, verificationID, false)
		}
	}
	if err != nil {
		e.socialNextStep(w, r, s, verificationID, err)
		return
	}
	redirectTo, err := e.submit(ctx, s)
	if err == nil {
		err = e.save(ctx, s)
	}
	if err != nil {
		e.socialNextStep(w, r, s, verificationID, err)
		return
	}
	http.Redirect(w, r, e.onPageOrigin(redirectTo), http.StatusSeeOther)
}

// socialNextStep answers what stopped a social sign-in: an account with the same email asks
// whether to link, a missing username asks for one, anything else is a failure page.
func (e *Experience) socialNextStep(w http.ResponseWriter, r *http.Request, s *session, verificationID string, err error) {
	ae, _ := apperr.As(err)
	rec, _ := s.st.Record(verificationID)
	names := e.providerName(r, rec.ConnectorID)
	v := socialView{Action: pageURL("/social/continue", s.in.ClientID), Verification: verificationID}
	switch {
	case ae != nil && ae.Code == "user.identity_not_exist" && ae.Data != nil && rec.SocialUser != nil:
		v.LinkEmail = rec.SocialUser.Email
		if related, err := e.findUser(r.Context(), identifierEmail, v.LinkEmail); err == nil && related != nil {
			v.CanProve = related.PasswordEncrypted != nil
		}
	case ae != nil && ae.Code == "user.missing_profile" && onlyUsernameMissing(ae.Data):
		v.NeedUsername = true
	default:
		e.renderSocialFailure(w, r, s, names, err)
		return
	}
	if err := e.save(r.Context(), s); err != nil {
		e.renderSocialFailure(w, r, s, names, err)
		return
	}
	e.renderSocialStep(w, r, s, names, v, http.StatusOK, "")
}

// onlyUsernameMissing reports whether a missing_profile error asks for nothing but a username,
// the one thing the social page can collect without a verification code.
func onlyUsernameMissing(data any) bool {
	d, ok := data.(map[string][]string)
	missing := d["missingProfile"]
	return ok && len(missing) == 1 && missing[0] == identifierUsername
}

func (e *Experience) renderSocialStep(w http.ResponseWriter, r *http.Request, s *session, names map[string]string, v socialView, status int, errText string) {
	titleKey := "social.username_heading"
	if v.LinkEmail != "" {
		titleKey = "social.link_heading"
	}
	d, ok := e.formPage(w, r, s, titleKey, "/social/continue", errText, true)
	if !ok {
		return
	}
	v.Provider = connectorName(names, d.Lang)
	d.Social = v
	e.render(w, r, status, pageSocial, d)
}

// postSocialContinue answers the social page (POST /social/continue): link to the account with
// the same email, create a separate account, or register with the username given.
func (e *Experience) postSocialContinue(w http.ResponseWriter, r *http.Request) {
	s, ok := e.pageSession(w, r)
	if !ok {
		return
	}
	if s.in.Result != nil {
		http.Redirect(w, r, e.resumePath(s.in.UID), http.StatusSeeOther)
		return
	}
	err := parseForm(w, r)
	if err == nil {
		err = checkCSRF(s, r.PostFormValue("csrf"))
	}
	verificationID := r.PostFormValue("verification")
	rec, found := s.st.Record(verificationID)
	if err == nil && (!found || rec.Type != verificationSocial) {
		err = experr.VerificationNotFound()
	}
	if err != nil {
		e.renderSocialFailure(w, r, s, e.providerName(r, rec.ConnectorID), err)
		return
	}
	e.continueSocial(w, r, s, rec, r.PostFormValue("choice"))
}

// continueSocial carries out the social page's choice.
func (e *Experience) continueSocial(w http.ResponseWriter, r *http.Request, s *session, rec verificationRecord, choice string) {
	names := e.providerName(r, rec.ConnectorID)
	switch choice {
	case "link":
		if err := e.proveRelated(r, s, rec); err != nil {
			text, status, known := pageError(e.newPage(r, s.exp, s.in.Params.UILocales).Msg, err)
			if !known {
				e.renderInternalError(w, r, err)
				return
			}
			if serr := e.save(r.Context(), s); serr != nil { // failed attempts count toward the lockout
				e.renderInternalError(w, r, serr)
				return
			}
			e.renderSocialStep(w, r, s, names, socialView{Action: pageURL("/social/continue", s.in.ClientID),
				Verification: rec.ID, LinkEmail: rec.SocialUser.Email, CanProve: true}, status, text)
			return
		}
		e.finishSocial(w, r, s, rec.ID, true)
		return
	case "new", "username":
	default:
		e.renderSocialFailure(w, r, s, names, experr.InvalidInput("Unknown choice."))
		return
	}
	if err := e.setEvent(s, eventRegister); err != nil {
		e.renderSocialFailure(w, r, s, names, err)
		return
	}
	if choice == "username" {
		username := strings.TrimSpace(r.PostFormValue("username"))
		err := apibody.CheckString("username", username, true, apibody.MaxIdentifierLen)
		if err == nil {
			err = e.setProfileUsername(r.Context(), s, username, clientIP(r))
		}
		if err != nil {
			text, status, known := pageError(e.newPage(r, s.exp, s.in.Params.UILocales).Msg, err)
			if !known {
				e.renderInternalError(w, r, err)
				return
			}
			e.renderSocialStep(w, r, s, names, socialView{Action: pageURL("/social/continue", s.in.ClientID),
				Verification: rec.ID, NeedUsername: true, Username: username}, status, text)
			return
		}
	}
	e.finishSocial(w, r, s, rec.ID, false)
}

// socialFailureKeys word the social sign-in's failures; other codes use the catalog's error
// wording.
var socialFailureKeys = map[string]string{
	"session.connector_validation_session_not_found": "social.expired",
	"session.verification_session_not_found":         "social.expired",
	"session.invalid_connector_id":                   "social.unavailable",
	"connector.invalid_config":                       "social.unavailable",
	"user.identity_not_exist":                        "social.no_account",
	"user.identity_already_in_use":                   "social.in_use",
	"user.missing_profile":                           "social.missing_profile",
	"user.email_already_in_use":                      "social.missing_profile",
}

// renderSocialFailure ends a social sign-in on a page that says what happened and leads back to
// the sign-in page. The cause is in the audit log (Verification.Social.Submit) and, for faults
// inside, the server log; the page never shows a provider's answer or a 500's details.
func (e *Experience) renderSocialFailure(w http.ResponseWriter, r *http.Request, s *session, names map[string]string, err error) {
	ae, ok := apperr.As(err)
	if !ok {
		e.renderInternalError(w, r, err)
		return
	}
	e.log.InfoContext(r.Context(), "social sign-in stopped", "request_id", httpx.RequestID(r.Context()), "code", ae.Code, "reason", ae.Message)
	d := e.newPage(r, s.exp, s.in.Params.UILocales)
	provider := connectorName(names, d.Lang)
	var text string
	switch key, worded := socialFailureKeys[ae.Code]; {
	case ae.Code == "connector.general" && strings.Contains(ae.Message, "access_denied"):
		text = d.Msg.T("social.denied", provider)
	case worded:
		text = d.Msg.T(key, provider)
	case strings.HasPrefix(ae.Code, "connector."):
		text = d.Msg.T("social.provider_failed", provider)
	default:
		text = d.Msg.ErrorMessage(ae.Code, ae.Data)
	}
	e.renderMessage(w, r, ae.Status, d, messageView{Heading: d.Msg.T("social.failed_heading"), Text: text,
		LinkURL: pageURL("/sign-in", s.in.ClientID), LinkText: d.Msg.T("action.back_to_sign_in")})
}

// proveRelated checks the password of the account the social email belongs to, from the link form.
func (e *Experience) proveRelated(r *http.Request, s *session, rec verificationRecord) error {
	if rec.SocialUser == nil || rec.SocialUser.Email == "" {
		return experr.VerificationNotFound()
	}
	related, err := e.findUser(r.Context(), identifierEmail, rec.SocialUser.Email)
	if err != nil {
		return err
	}
	password := r.PostFormValue("password")
	if related == nil || password == "" {
		return apperr.InvalidCredentials()
	}
	if err := apibody.CheckString("password", password, true, apibody.MaxPasswordLen); err != nil {
		return err
	}
	return e.proveAccount(r.Context(), s, *related, password, clientIP(r))
}
