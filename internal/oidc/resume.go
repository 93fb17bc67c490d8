package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// serveResume is GET /oidc/auth/:uid, where the experience sends the browser once it recorded
// the sign-in (and consent) on the interaction. It checks the browser is the one that started the
// interaction (its signed _interaction cookie names the uid), signs the browser's session in,
// asks a third-party app's consent when still missing, and finishes the interaction with an
// authorization code. Finishing removes the interaction, version-checked, so one sign-in yields
// exactly one code however often the URL is opened.
func (p *Provider) serveResume(w http.ResponseWriter, r *http.Request) {
	in, client, aerr := p.resumedInteraction(r, r.PathValue("uid"))
	if aerr != nil {
		p.writeAuthzError(w, r, aerr)
		return
	}
	if in.Result == nil {
		// Not signed in yet (the page was opened early, or the back button): back to the sign-in.
		noStore(w)
		redirect(w, loginPromptURL(client.ID, in.Params, "", ""))
		return
	}
	sess, aerr := p.resumedSession(r, in)
	if aerr != nil {
		p.writeAuthzError(w, r, aerr)
		return
	}
	if client.IsThirdParty && in.Result.Consent == nil {
		noStore(w)
		redirect(w, consentURL(client.ID))
		return
	}
	if err := p.opts.Service.FinishInteraction(r.Context(), p.opts.TenantID, in); err != nil {
		p.writeAuthzError(w, r, p.interactionError(err))
		return
	}
	if err := p.opts.Cookies.ClearInteraction(w, r, p.opts.TenantID, client.ID); err != nil {
		p.writeAuthzError(w, r, internalAuthzError(err))
		return
	}
	if in.Prompt == promptLogin {
		signedIn, err := p.signIn(w, r, sess, in.Result)
		if err != nil {
			p.writeAuthzError(w, r, internalAuthzError(err))
			return
		}
		sess = &signedIn
	}
	p.issueCode(w, r, client, in.Params, *sess, in.Result.Consent)
}

// resumedInteraction loads the interaction uid and its client, and checks that this browser
// started it (its signed _interaction cookie names uid) and that the client still registers the
// redirect URI.
func (p *Provider) resumedInteraction(r *http.Request, uid string) (model.Interaction, *directory.Client, *authzError) {
	ctx := r.Context()
	in, err := p.opts.Service.GetInteraction(ctx, p.opts.TenantID, uid)
	if err != nil {
		return in, nil, p.interactionError(err)
	}
	cookieUID, ok := p.opts.Cookies.InteractionUID(r, p.opts.TenantID, in.ClientID)
	switch {
	case !ok:
		// oidc-provider's words; Logto answers them with code session.not_found.
		return in, nil, jsonError(oautherr.BadRequest("authorization request has expired"))
	case cookieUID != uid:
		return in, nil, jsonError(oautherr.BadRequest("authorization session and cookie identifier mismatch"))
	}
	client, err := p.opts.Directory.Client(ctx, p.opts.TenantID, in.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		return in, nil, jsonError(oautherr.New(http.StatusBadRequest, oautherr.InvalidClient, "client is invalid"))
	}
	if err != nil {
		return in, nil, internalAuthzError(err)
	}
	// The application may have changed since the request; never send a code to a URI it no
	// longer registers.
	if !redirectURIAllowed(&client.Application, in.Params.RedirectURI) {
		return in, nil, jsonError(oautherr.New(http.StatusBadRequest, oautherr.InvalidRedirectURI,
			"redirect_uri did not match any of the client's registered redirect_uris"))
	}
	return in, client, nil
}

// resumedSession is the browser's session (nil when it has none), checked against the signed-in
// interaction: the same session it started under, consent given by the signed-in account, and
// that account still active.
func (p *Provider) resumedSession(r *http.Request, in model.Interaction) (*model.Session, *authzError) {
	to := targetOf(in.Params)
	sess, err := p.browserSession(r)
	if err != nil {
		return nil, internalAuthzError(err)
	}
	if in.SessionID != "" && (sess == nil || sess.ID != in.SessionID) {
		// The browser's session changed under the interaction (signed out, or in as someone else).
		return nil, jsonError(oautherr.BadRequest("interaction session and authentication session mismatch"))
	}
	if in.Prompt == promptConsent && (sess == nil || in.Result.AccountID != in.AccountID) {
		return nil, to.fail(oautherr.New(http.StatusBadRequest, oautherr.AccessDenied, "consent was given for another account"))
	}
	if _, err := oauth.ActiveUser(r.Context(), p.opts.Accounts, p.opts.TenantID, in.Result.AccountID); err != nil {
		if inactive := (*oauth.InactiveAccountError)(nil); errors.As(err, &inactive) {
			return nil, to.fail(oautherr.New(http.StatusBadRequest, oautherr.AccessDenied, inactive.Reason))
		}
		return nil, internalAuthzError(err)
	}
	return sess, nil
}

// signIn records the experience's sign-in in the browser's session (a new one, or the current
// one with a new secret) and sets the _session cookie.
func (p *Provider) signIn(w http.ResponseWriter, r *http.Request, current *model.Session, result *model.InteractionResult) (model.Session, error) {
	authTime := result.AuthTime
	if authTime == 0 {
		authTime = p.opts.Clock.Now().Unix()
	}
	sess, secret, err := p.opts.Service.SignIn(r.Context(), p.opts.TenantID, current,
		protocol.SessionLogin{AccountID: result.AccountID, AuthTime: authTime, AMR: result.AMR}, p.opts.SessionTTL)
	if err != nil {
		return model.Session{}, err
	}
	err = p.opts.Cookies.Set(w, r, p.opts.TenantID, &http.Cookie{
		Name: cookie.Session, Value: secret, MaxAge: int(p.opts.SessionTTL / time.Second),
	})
	if err != nil {
		return model.Session{}, fmt.Errorf("set the session cookie: %w", err)
	}
	return sess, nil
}

// interactionError answers a lost interaction as Logto does: 400 with code session.not_found
// (the description carries oidc-provider's wording, which Logto maps to that code).
func (p *Provider) interactionError(err error) *authzError {
	if e, ok := apperr.As(err); ok && e.Code == "session.not_found" {
		return jsonError(oautherr.BadRequest("interaction session not found"))
	}
	return internalAuthzError(err)
}
