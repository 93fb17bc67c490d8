package oidc

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/grants"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// maxUserinfoBodyBytes bounds a form-encoded userinfo POST (RFC 6750 §2.2).
const maxUserinfoBodyBytes = 16 << 10

// serveUserinfo is GET and POST /oidc/me (OIDC Core §5.3): the claims of the user an opaque access
// token was issued for, per its scopes. Only opaque tokens are accepted, as in Logto: a JWT access
// token belongs to an API resource, not to this endpoint. Every token problem is 401 invalid_token
// with a WWW-Authenticate challenge (RFC 6750 §3), and says no more than "invalid token provided".
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	token, requestedScope, oerr := readBearer(r)
	if oerr != nil {
		p.writeBearerError(w, r, oerr)
		return
	}
	rec, err := p.opts.Service.FindAccessToken(ctx, p.opts.TenantID, token)
	if errors.Is(err, model.ErrNotFound) {
		p.writeBearerError(w, r, invalidToken("access token not found"))
		return
	}
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	if rec.ExpiresAt <= p.opts.Clock.Now().UnixMilli() {
		p.writeBearerError(w, r, invalidToken("access token is expired"))
		return
	}
	client, err := p.opts.Directory.Client(ctx, p.opts.TenantID, rec.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		p.writeBearerError(w, r, invalidToken("associated client not found"))
		return
	}
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	if oerr := grants.AllowOrigin(w, r, &client.Application, grants.OriginOf(p.opts.Issuer)); oerr != nil {
		p.writeBearerError(w, r, oerr)
		return
	}
	granted := strings.Fields(rec.Scope)
	if !slices.Contains(granted, claims.OpenID) {
		e := oautherr.New(http.StatusForbidden, oautherr.InsufficientScope, "access token missing openid scope")
		e.Scope = claims.OpenID
		p.writeBearerError(w, r, e)
		return
	}
	scopes := granted
	if requestedScope != "" {
		if !validScopeSyntax(requestedScope) {
			p.writeBearerError(w, r, oautherr.BadRequest("scope contains invalid characters"))
			return
		}
		var missing []string
		for _, s := range strings.Split(requestedScope, " ") {
			if !slices.Contains(granted, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			e := oautherr.New(http.StatusForbidden, oautherr.InsufficientScope, "access token missing requested scope")
			e.Scope = strings.Join(missing, " ")
			p.writeBearerError(w, r, e)
			return
		}
		scopes = strings.Split(requestedScope, " ")
	}
	grant, err := p.opts.Service.GetGrant(ctx, p.opts.TenantID, rec.GrantID)
	if errors.Is(err, model.ErrNotFound) {
		p.writeBearerError(w, r, invalidToken("grant not found"))
		return
	}
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	if grant.AccountID != rec.AccountID || grant.ClientID != rec.ClientID {
		p.writeBearerError(w, r, invalidToken("grant mismatch"))
		return
	}
	user, err := grants.ActiveUser(ctx, p.opts.Accounts, p.opts.TenantID, rec.AccountID)
	if inactive := (*grants.InactiveAccountError)(nil); errors.As(err, &inactive) {
		// Logto's findAccount refuses here too; a suspended user's token is as good as revoked.
		p.writeBearerError(w, r, invalidToken(inactive.Reason))
		return
	}
	if err != nil {
		p.internalError(w, r, err)
		return
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
			p.internalError(w, r, err)
			return
		}
	}
	body, err := json.Marshal(claims.For(claims.Userinfo, oidcScopes, user, roles))
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
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
	var bodyToken string
	if r.Method == http.MethodPost {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" {
			raw, err := httpx.ReadBody(r, maxUserinfoBodyBytes)
			if err != nil {
				return "", "", oautherr.BadRequest("could not read the request body")
			}
			form, perr := parseAuthorizeParams(string(raw))
			if perr != nil {
				return "", "", perr
			}
			bodyToken = form.Get("access_token")
			if s := form.Get("scope"); s != "" {
				scope = s
			}
		}
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
