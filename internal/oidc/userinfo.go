package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// maxUserinfoBodyBytes bounds a form-encoded userinfo POST (RFC 6750 §2.2).
const maxUserinfoBodyBytes = 16 << 10

// serveUserinfo is GET and POST /oidc/me (OIDC Core §5.3): the claims of the user an opaque access
// token was issued for, per its scopes. Only opaque tokens are accepted, as in Logto: a JWT access
// token belongs to an API resource, not to this endpoint. Every token problem is 401 invalid_token
// with a WWW-Authenticate challenge (RFC 6750 §3), and says no more than "invalid token provided".
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	body, err := p.userinfo(w, r)
	var oerr *oautherr.Error
	switch {
	case errors.As(err, &oerr):
		p.writeBearerError(w, r, oerr)
	case err != nil:
		p.internalError(w, r, err)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}
}

// userinfo answers the request's claims, or an *oautherr.Error for the caller, or a fault.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ctx := r.Context()
	token, requestedScope, oerr := readBearer(r)
	if oerr != nil {
		return nil, oerr
	}
	rec, client, err := p.userinfoToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if oerr := oauth.AllowOrigin(w, r, &client.Application, oauth.OriginOf(p.opts.Issuer)); oerr != nil {
		return nil, oerr
	}
	scopes, oerr := userinfoScopes(rec.Scope, requestedScope)
	if oerr != nil {
		return nil, oerr
	}
	grant, user, err := p.userinfoSubject(ctx, rec)
	if err != nil {
		return nil, err
	}
	var oidcScopes []string
	for _, s := range scopes {
		if slices.Contains(grant.Scopes, s) {
			oidcScopes = append(oidcScopes, s)
		}
	}
	var roles []string
	if claims.NeedsRoles(claims.Userinfo, oidcScopes) {
		if roles, err = p.opts.Accounts.UserRoleNames(ctx, p.opts.TenantID, user.ID); err != nil {
			return nil, err
		}
	}
	return json.Marshal(claims.For(claims.Userinfo, oidcScopes, user, roles))
}

// userinfoToken finds the opaque access token and its client; a token that is unknown, expired
// or whose client is gone is invalid_token.
func (p *Provider) userinfoToken(ctx context.Context, token string) (model.AccessToken, *directory.Client, error) {
	rec, err := p.opts.Service.FindAccessToken(ctx, p.opts.TenantID, token)
	if errors.Is(err, model.ErrNotFound) {
		return rec, nil, invalidToken("access token not found")
	}
	if err != nil {
		return rec, nil, err
	}
	if rec.ExpiresAt <= p.opts.Clock.Now().UnixMilli() {
		return rec, nil, invalidToken("access token is expired")
	}
	client, err := p.opts.Directory.Client(ctx, p.opts.TenantID, rec.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		return rec, nil, invalidToken("associated client not found")
	}
	if err != nil {
		return rec, nil, err
	}
	return rec, client, nil
}

// userinfoScopes is the scopes whose claims to answer: the token's, or the subset the request
// names (every one of which the token must hold). openid is required (OIDC Core §5.3.1).
func userinfoScopes(tokenScope, requested string) ([]string, *oautherr.Error) {
	granted := strings.Fields(tokenScope)
	if !slices.Contains(granted, claims.OpenID) {
		e := oautherr.New(http.StatusForbidden, oautherr.InsufficientScope, "access token missing openid scope")
		e.Scope = claims.OpenID
		return nil, e
	}
	if requested == "" {
		return granted, nil
	}
	if !validScopeSyntax(requested) {
		return nil, oautherr.BadRequest("scope contains invalid characters")
	}
	var missing []string
	for _, s := range strings.Split(requested, " ") {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		e := oautherr.New(http.StatusForbidden, oautherr.InsufficientScope, "access token missing requested scope")
		e.Scope = strings.Join(missing, " ")
		return nil, e
	}
	return strings.Split(requested, " "), nil
}

// userinfoSubject is the token's grant, which must still stand for the same client and account,
// and its user, who must still be active.
func (p *Provider) userinfoSubject(ctx context.Context, rec model.AccessToken) (model.Grant, model.User, error) {
	grant, err := p.opts.Service.GetGrant(ctx, p.opts.TenantID, rec.GrantID)
	if errors.Is(err, model.ErrNotFound) {
		return grant, model.User{}, invalidToken("grant not found")
	}
	if err != nil {
		return grant, model.User{}, err
	}
	if grant.AccountID != rec.AccountID || grant.ClientID != rec.ClientID {
		return grant, model.User{}, invalidToken("grant mismatch")
	}
	user, err := oauth.ActiveUser(ctx, p.opts.Accounts, p.opts.TenantID, rec.AccountID)
	if inactive := (*oauth.InactiveAccountError)(nil); errors.As(err, &inactive) {
		// Logto's findAccount refuses here too; a suspended user's token is as good as revoked.
		return grant, user, invalidToken(inactive.Reason)
	}
	return grant, user, err
}

// invalidToken is oidc-provider's InvalidToken: one description whatever was wrong; detail for
// the log.
func invalidToken(detail string) *oautherr.Error {
	return &oautherr.Error{Code: oautherr.InvalidToken, Description: "invalid token provided",
		Status: http.StatusUnauthorized, Detail: detail}
}

// readBearer finds the access token of a resource request (RFC 6750 §2): the Authorization
// header or, on a form POST, the access_token parameter, never both and never the query string
// (§2.3: URLs end up in logs). It also returns the optional scope parameter.
func readBearer(r *http.Request) (token, scope string, oerr *oautherr.Error) {
	if r.URL.Query().Has("access_token") {
		return "", "", oautherr.BadRequest("access tokens must not be provided via query parameter")
	}
	scope = r.URL.Query().Get("scope")
	bodyToken, bodyScope, oerr := readBearerForm(r)
	if oerr != nil {
		return "", "", oerr
	}
	if bodyScope != "" {
		scope = bodyScope
	}
	header := r.Header.Get("Authorization")
	switch {
	case header != "" && bodyToken != "":
		return "", "", oautherr.BadRequest("access token must only be provided using one mechanism")
	case bodyToken != "":
		return bodyToken, scope, nil
	case header == "":
		return "", "", noAccessToken()
	}
	scheme, value, ok := strings.Cut(header, " ")
	if !ok || value == "" || strings.Contains(value, " ") {
		return "", "", oautherr.BadRequest("invalid authorization header value format")
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return "", "", oautherr.BadRequest("authorization header scheme must be `Bearer`")
	}
	return value, scope, nil
}

// readBearerForm reads access_token and scope from a form POST body (RFC 6750 §2.2); other
// requests have none.
func readBearerForm(r *http.Request) (token, scope string, oerr *oautherr.Error) {
	if r.Method != http.MethodPost {
		return "", "", nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return "", "", nil
	}
	raw, err := httpx.ReadBody(r, maxUserinfoBodyBytes)
	if err != nil {
		return "", "", oautherr.BadRequest("could not read the request body")
	}
	form, oerr := parseAuthorizeParams(string(raw))
	if oerr != nil {
		return "", "", oerr
	}
	return form.Get("access_token"), form.Get("scope"), nil
}

// noAccessToken is the answer to a request without credentials: 401 with a bare challenge (RFC
// 6750 §3.1: no error code when the request lacks authentication information).
func noAccessToken() *oautherr.Error {
	return &oautherr.Error{Code: oautherr.InvalidToken, Description: "no access token provided", Status: http.StatusUnauthorized}
}

// writeBearerError answers a resource request error with its WWW-Authenticate challenge
// (RFC 6750 §3).
func (p *Provider) writeBearerError(w http.ResponseWriter, r *http.Request, e *oautherr.Error) {
	challenge := `Bearer realm="` + quoteParam(p.opts.Issuer) + `"`
	if e.Description != "no access token provided" {
		challenge += `, error="` + e.Code + `", error_description="` + quoteParam(e.Description) + `"`
		if e.Scope != "" {
			challenge += `, scope="` + quoteParam(e.Scope) + `"`
		}
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if e.Detail != "" {
		p.opts.Log.DebugContext(r.Context(), "userinfo refused", "request_id", httpx.RequestID(r.Context()), "detail", e.Detail)
	}
	oautherr.Write(w, r, e)
}

func quoteParam(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }
