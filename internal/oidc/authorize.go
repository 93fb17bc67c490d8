package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// experienceRoutes maps Logto's first_screen values to the sign-in experience's pages
// (buildLoginPromptUrl in core/oidc/utils.ts).
var experienceRoutes = map[string]string{
	"sign_in":             "sign-in",
	"register":            "register",
	"reset_password":      "reset-password",
	"identifier:sign_in":  "identifier-sign-in",
	"identifier:register": "identifier-register",
	"single_sign_on":      "single-sign-on",
}

// serveAuthorize is GET and POST /oidc/auth (RFC 6749 §4.1.1, OIDC Core §3.1.2). A valid request
// either needs the user (no session, prompt=login, max_age passed, another user hinted): it is
// stored as an interaction, and the browser goes to the sign-in experience with the
// _interaction cookie; or the browser's single sign-on session already answers it: a first-party
// app gets its code at once, so a second app is not asked to sign in again, and a third-party app
// first gets the user's consent.
func (p *Provider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	v, oerr := readAuthorizeParams(r)
	if oerr != nil {
		p.writeAuthzError(w, r, jsonError(oerr))
		return
	}
	a, aerr := p.validateAuthorize(r.Context(), v)
	if aerr != nil {
		p.writeAuthzError(w, r, aerr)
		return
	}
	sess, err := p.browserSession(r)
	if err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	if reason := loginReason(a, sess, p.opts.Clock.Now()); reason != "" {
		if a.hasPrompt(promptNone) {
			p.writeAuthzError(w, r, a.target().fail(oautherr.New(http.StatusBadRequest, oautherr.LoginRequired, reason)))
			return
		}
		p.startInteraction(w, r, a, sess, promptLogin)
		return
	}
	consent, err := p.existingConsent(r.Context(), a, sess)
	if err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	if a.client.IsThirdParty && (consent == nil || a.hasPrompt(promptConsent)) {
		if a.hasPrompt(promptNone) {
			p.writeAuthzError(w, r, a.target().fail(oautherr.New(http.StatusBadRequest, oautherr.ConsentRequired, "requested scopes not granted")))
			return
		}
		p.startInteraction(w, r, a, sess, promptConsent)
		return
	}
	p.issueCode(w, r, a.client, a.params, *sess, consent)
}

// loginReason says why the user must sign in ("" when the session will do), in oidc-provider's
// words, which prompt=none answers carry as login_required's description.
func loginReason(a *authorization, sess *model.Session, now time.Time) string {
	switch {
	case sess == nil, a.hasPrompt(promptLogin):
		return "End-User authentication is required"
	case a.params.MaxAge != nil && now.Unix()-sess.AuthTime > *a.params.MaxAge:
		return "End-User authentication could not be obtained"
	case a.hintSubject != "" && a.hintSubject != sess.AccountID:
		return "id_token_hint and authenticated subject do not match"
	}
	return ""
}

// browserSession returns the browser's live single sign-on session, or nil when it has none, it
// expired, or its user can no longer sign in.
func (p *Provider) browserSession(r *http.Request) (*model.Session, error) {
	secret, ok := p.opts.Cookies.Get(r, p.opts.TenantID, cookie.Session)
	if !ok {
		return nil, nil
	}
	sess, err := p.opts.Service.FindSession(r.Context(), p.opts.TenantID, secret)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := oauth.ActiveUser(r.Context(), p.opts.Accounts, p.opts.TenantID, sess.AccountID); err != nil {
		if inactive := (*oauth.InactiveAccountError)(nil); errors.As(err, &inactive) {
			return nil, nil
		}
		return nil, err
	}
	return &sess, nil
}

// existingConsent returns what the session's user already granted the client, when it covers
// every scope and resource this request asks for; nil otherwise. First-party apps need none: they
// are consented automatically (Logto's koaAutoConsent).
func (p *Provider) existingConsent(ctx context.Context, a *authorization, sess *model.Session) (*model.InteractionConsent, error) {
	if !a.client.IsThirdParty {
		return nil, nil
	}
	auths, err := p.opts.Service.SessionAuthorizations(ctx, p.opts.TenantID, sess.ID)
	if err != nil {
		return nil, err
	}
	for _, auth := range auths {
		if auth.ClientID != a.client.ID {
			continue
		}
		grant, err := p.opts.Service.GetGrant(ctx, p.opts.TenantID, auth.GrantID)
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if grant.AccountID != sess.AccountID {
			return nil, nil
		}
		for _, s := range strings.Fields(a.params.Scope) {
			if claims.IsOIDCScope(s) {
				if s != claims.OpenID && s != claims.OfflineAccess && !slices.Contains(grant.Scopes, s) {
					return nil, nil
				}
				continue
			}
			if !slices.ContainsFunc(a.params.Resource, func(ind string) bool { return slices.Contains(grant.ResourceScopes[ind], s) }) {
				return nil, nil
			}
		}
		return &model.InteractionConsent{Scopes: grant.Scopes, ResourceScopes: grant.ResourceScopes}, nil
	}
	return nil, nil
}

// startInteraction stores the request as an interaction, points the browser's _interaction cookie
// at it and sends the browser to the experience: the sign-in page (or the page first_screen,
// interaction_mode or direct_sign_in names) for a login, the consent page for a consent. A consent
// interaction carries the session's sign-in as its result already, so the experience only adds the
// consent.
func (p *Provider) startInteraction(w http.ResponseWriter, r *http.Request, a *authorization, sess *model.Session, prompt string) {
	in := model.Interaction{ClientID: a.client.ID, Params: a.params, Prompt: prompt}
	if sess != nil {
		in.SessionID = sess.ID
	}
	if prompt == promptConsent {
		in.AccountID = sess.AccountID
		in.Result = &model.InteractionResult{AccountID: sess.AccountID, AuthTime: sess.AuthTime, AMR: sess.AMR, Event: "SignIn"}
	}
	in, err := p.opts.Service.CreateInteraction(r.Context(), p.opts.TenantID, in)
	if err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	if err := p.opts.Cookies.SetInteraction(w, r, p.opts.TenantID, a.client.ID, in.UID, protocol.InteractionTTL); err != nil {
		p.writeAuthzError(w, r, internalAuthzError(fmt.Errorf("set the interaction cookie: %w", err)))
		return
	}
	noStore(w)
	if prompt == promptConsent {
		redirect(w, consentURL(a.client.ID))
		return
	}
	redirect(w, loginPromptURL(a.client.ID, a.params, a.identifier, a.oneTimeToken))
}

// loginPromptURL is where the experience signs the user in: a path relative to the tenant's
// endpoint, as Logto answers (`/sign-in?app_id=…`; buildLoginPromptUrl), carrying app_id,
// ui_locales, login_hint and Logto's one_time_token and identifier. direct_sign_in goes to
// `/direct/<method>/<target>` with the first screen as fallback.
func loginPromptURL(clientID string, params model.AuthParams, identifier, oneTimeToken string) string {
	screen := experienceRoutes[params.FirstScreen]
	switch {
	case screen != "":
	case params.InteractionMode == "signUp":
		screen = "register"
	default:
		screen = "sign-in"
	}
	q := []param{{"app_id", clientID}}
	for _, extra := range []param{{"ui_locales", params.UILocales}, {"one_time_token", oneTimeToken},
		{"login_hint", params.LoginHint}, {"identifier", identifier}} {
		if extra.value != "" {
			q = append(q, extra)
		}
	}
	path := "/" + screen
	if method, target, ok := strings.Cut(params.DirectSignIn, ":"); ok {
		path = "/direct/" + url.PathEscape(method) + "/" + url.PathEscape(target)
		q = append(q, param{"fallback", screen})
	}
	return path + "?" + encodeParams(q)
}

// consentURL is the experience's consent page (Logto's buildConsentPromptUrl).
func consentURL(clientID string) string {
	return "/consent?" + encodeParams([]param{{"app_id", clientID}})
}

// issueCode finishes an authorization for a signed-in session: it records (or widens) the
// session's grant to the client, issues a one-time authorization code (AuthorizationCodeTTL) bound
// to the request's redirect URI, PKCE challenge and nonce, and sends it to the client with state
// and iss. consent limits what a third-party app gets; nil grants first-party apps all they ask.
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, client *directory.Client, params model.AuthParams,
	sess model.Session, consent *model.InteractionConsent) {
	ctx := r.Context()
	requested := strings.Fields(params.Scope)
	var oidcScopes, codeScopes []string
	resourceScopes := map[string][]string{}
	for _, s := range requested {
		if claims.IsOIDCScope(s) {
			if consent == nil || s == claims.OpenID || s == claims.OfflineAccess || slices.Contains(consent.Scopes, s) {
				oidcScopes = append(oidcScopes, s)
				codeScopes = append(codeScopes, s)
			}
			continue
		}
		granted := false
		for _, ind := range params.Resource {
			if consent == nil || slices.Contains(consent.ResourceScopes[ind], s) {
				resourceScopes[ind] = append(resourceScopes[ind], s)
				granted = true
			}
		}
		if granted {
			codeScopes = append(codeScopes, s)
		}
	}
	grant, auth, err := p.opts.Service.AuthorizeClient(ctx, p.opts.TenantID, protocol.Authorization{
		SessionID: sess.ID, AccountID: sess.AccountID, ClientID: client.ID,
		Scopes: oidcScopes, ResourceScopes: resourceScopes,
		PersistsLogout: slices.Contains(oidcScopes, claims.OfflineAccess),
	})
	if err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	now := p.opts.Clock.Now()
	code, err := p.opts.Service.IssueAuthorizationCode(ctx, p.opts.TenantID, model.AuthorizationCode{
		GrantID: grant.ID, ClientID: client.ID, AccountID: sess.AccountID, SessionID: sess.ID, SID: auth.SID,
		RedirectURI: params.RedirectURI, Scope: strings.Join(codeScopes, " "), Resources: params.Resource,
		Nonce: params.Nonce, CodeChallenge: params.CodeChallenge, CodeChallengeMethod: params.CodeChallengeMethod,
		AuthTime: sess.AuthTime, CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(protocol.AuthorizationCodeTTL).UnixMilli(),
	})
	if err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	p.respond(w, r, *targetOf(params), []param{{"code", code}})
}
