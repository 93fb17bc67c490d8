package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// logoutStateCookie carries a pending logout from /session/end to its confirmation: the xsrf
// secret the confirmation must present, and where to send the browser afterwards. It is signed
// like every provider cookie, HttpOnly and SameSite=Lax, so another site can neither read it nor
// make a browser send it with a cross-site POST.
const logoutStateCookie = "_logout"

// logoutStateTTL bounds how long a logout may wait for its confirmation.
const logoutStateTTL = time.Hour

// logoutState is the pending logout (oidc-provider keeps it as session.state).
type logoutState struct {
	XSRF                  string `json:"xsrf"`
	ClientID              string `json:"clientId,omitempty"`
	State                 string `json:"state,omitempty"`
	PostLogoutRedirectURI string `json:"postLogoutRedirectUri,omitempty"`
}

// serveEndSession is GET and POST /oidc/session/end (OpenID Connect RP-Initiated Logout 1.0 §2).
// The client is known from id_token_hint (an ID token this provider issued, expired or not) or
// client_id; post_logout_redirect_uri must then be one of its registered ones exactly, else the
// request fails rather than redirecting anywhere (§3); without a client it is ignored. The answer,
// as Logto's, is a page that posts the logout confirmation at once (xsrf, logout=yes), so a
// logout cannot be triggered by an image or link alone: the confirmation needs the xsrf secret
// from the signed cookie set here.
func (p *Provider) serveEndSession(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	v, oerr := readAuthorizeParams(r)
	if oerr != nil {
		oautherr.Write(w, r, oerr)
		return
	}
	state, oerr := p.checkEndSession(r.Context(), v)
	if oerr != nil {
		if oerr.Status >= 500 {
			p.internalError(w, r, oerr)
			return
		}
		oautherr.Write(w, r, oerr)
		return
	}
	var secret [24]byte
	_, _ = rand.Read(secret[:])
	state.XSRF = hex.EncodeToString(secret[:])
	raw, err := json.Marshal(state)
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	err = p.opts.Cookies.Set(w, r, p.opts.TenantID, &http.Cookie{
		Name: logoutStateCookie, Value: url.QueryEscape(string(raw)), Path: Prefix + "/session/end",
		MaxAge: int(logoutStateTTL / time.Second),
	})
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	writePage(w, http.StatusOK, autoPostPage{
		Title: "Sign Out", ID: "op.logoutForm", Action: template.URL(p.opts.Issuer + "/session/end/confirm"),
		Fields: []formField{{"xsrf", state.XSRF}, {"logout", "yes"}},
	})
}

// checkEndSession validates the logout request and returns the pending logout it describes.
func (p *Provider) checkEndSession(ctx context.Context, v url.Values) (logoutState, *oautherr.Error) {
	var state logoutState
	clientID := v.Get("client_id")
	if hint := v.Get("id_token_hint"); hint != "" {
		_, aud, ok := p.idTokenHintClaims(ctx, hint)
		if !ok || len(aud) == 0 {
			return state, oautherr.BadRequest("could not validate id_token_hint")
		}
		if clientID != "" && !slices.Contains(aud, clientID) {
			return state, oautherr.BadRequest("client_id does not match the provided id_token_hint")
		}
		if clientID == "" {
			clientID = aud[0]
		}
	}
	state.State = v.Get("state")
	redirectURI := v.Get("post_logout_redirect_uri")
	if clientID == "" {
		return state, nil // no client: post_logout_redirect_uri cannot be trusted and is ignored
	}
	client, err := p.opts.Directory.Client(ctx, p.opts.TenantID, clientID)
	if errors.Is(err, model.ErrNotFound) {
		return state, oautherr.New(http.StatusBadRequest, oautherr.InvalidClient, "client is invalid")
	}
	if err != nil {
		e := oautherr.Fault(err)
		e.Detail = err.Error()
		return state, e
	}
	state.ClientID = client.ID
	if redirectURI != "" {
		if !postLogoutRedirectURIAllowed(&client.Application, redirectURI) {
			return state, oautherr.BadRequest("post_logout_redirect_uri not registered")
		}
		state.PostLogoutRedirectURI = redirectURI
	}
	return state, nil
}

// serveEndSessionConfirm is POST /oidc/session/end/confirm: with the right xsrf secret it ends the
// browser's session (logout=yes: every client's grant that does not persist logout is revoked
// and the _session cookie cleared) or only the requesting client's part of it, then sends the
// browser to the post_logout_redirect_uri with state, or to the success page.
func (p *Provider) serveEndSessionConfirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	state, logout, oerr := p.confirmedLogout(r)
	if oerr != nil {
		oautherr.Write(w, r, oerr)
		return
	}
	p.opts.Cookies.Clear(w, r, logoutStateCookie, Prefix+"/session/end")
	if err := p.endBrowserSession(r, state.ClientID, logout); err != nil {
		p.internalError(w, r, err)
		return
	}
	if logout {
		p.opts.Cookies.Clear(w, r, cookie.Session, "/")
	}
	if state.PostLogoutRedirectURI != "" {
		var members []param
		if state.State != "" {
			members = append(members, param{"state", state.State})
		}
		redirect(w, withQuery(state.PostLogoutRedirectURI, members))
		return
	}
	success := p.opts.Issuer + "/session/end/success"
	if !logout && state.ClientID != "" {
		success += "?" + encodeParams([]param{{"client_id", state.ClientID}})
	}
	redirect(w, success)
}

// confirmedLogout reads the confirmation form and the pending logout its signed cookie holds;
// the form's xsrf must equal the cookie's (compared in constant time). logout reports whether
// the whole session ends (logout=yes) or only the requesting client's part.
func (p *Provider) confirmedLogout(r *http.Request) (state logoutState, logout bool, oerr *oautherr.Error) {
	v, oerr := readAuthorizeParams(r)
	if oerr != nil {
		return state, false, oerr
	}
	raw, ok := p.opts.Cookies.Get(r, p.opts.TenantID, logoutStateCookie)
	if decoded, err := url.QueryUnescape(raw); !ok || err != nil || json.Unmarshal([]byte(decoded), &state) != nil || state.XSRF == "" {
		return state, false, oautherr.BadRequest("could not find logout details")
	}
	if subtle.ConstantTimeCompare([]byte(state.XSRF), []byte(v.Get("xsrf"))) != 1 {
		return state, false, oautherr.BadRequest("xsrf token invalid")
	}
	return state, v.Get("logout") != "", nil
}

// endBrowserSession ends the browser's session (every grant that does not persist logout is
// revoked) or, when logout is false, only clientID's part of it. A browser without a live session
// has nothing to end.
func (p *Provider) endBrowserSession(r *http.Request, clientID string, logout bool) error {
	ctx := r.Context()
	secret, ok := p.opts.Cookies.Get(r, p.opts.TenantID, cookie.Session)
	if !ok {
		return nil
	}
	sess, err := p.opts.Service.FindSession(ctx, p.opts.TenantID, secret)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil
	case err != nil:
		return err
	case logout:
		err = p.opts.Service.EndSession(ctx, p.opts.TenantID, sess.ID)
	case clientID != "":
		err = p.opts.Service.EndClientSession(ctx, p.opts.TenantID, sess.ID, clientID)
	}
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	return err
}

// signedOutPage is the page a logout without post_logout_redirect_uri ends on.
var signedOutPage = template.Must(template.New("signed-out").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign Out</title>
</head>
<body>
<main><p>You have signed out.</p></main>
</body>
</html>
`))

// serveEndSessionSuccess is GET /oidc/session/end/success.
func (p *Provider) serveEndSessionSuccess(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if id := r.URL.Query().Get("client_id"); id != "" {
		if _, err := p.opts.Directory.Client(r.Context(), p.opts.TenantID, id); err != nil {
			oautherr.Write(w, r, oautherr.New(http.StatusBadRequest, oautherr.InvalidClient, "client is invalid"))
			return
		}
	}
	var b strings.Builder
	if err := signedOutPage.Execute(&b, nil); err != nil {
		p.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	httpx.PageHeaders(w, "default-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	_, _ = w.Write([]byte(b.String()))
}

// idTokenHintClaims verifies an ID token this provider issued (signature and iss; expiry is not
// checked, see verifyIDTokenHint) and returns its subject and keys.Audience.
func (p *Provider) idTokenHintClaims(ctx context.Context, hint string) (string, keys.Audience, bool) {
	set, err := p.keySet(ctx)
	if err != nil {
		return "", nil, false
	}
	var c struct {
		Issuer   string        `json:"iss"`
		Subject  string        `json:"sub"`
		Audience keys.Audience `json:"aud"`
	}
	if _, err := set.Verify(hint, &c); err != nil || c.Issuer != p.opts.Issuer {
		return "", nil, false
	}
	return c.Subject, c.Audience, true
}
