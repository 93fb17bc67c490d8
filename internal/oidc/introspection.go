package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// serveIntrospection is POST /oidc/token/introspection (RFC 7662). The caller authenticates as a
// client, as at the token endpoint. Opaque access tokens and refresh tokens are described; JWT
// access tokens are refused with unsupported_token_type, as oidc-provider 9 does, because their
// audience verifies them with the JWKS. Anything unknown, expired, revoked, or issued to
// another client is just {"active":false} (§2.2), so the endpoint tells a prober nothing.
//
// Only the client a token was issued to learns that it is active; any other client, confidential
// or not, is told {"active":false}. RFC 7662 §2.1–2.2 leave the policy to the server: in Logto's
// model no resource server introspects (APIs get JWT access tokens and check them against the
// JWKS), so the only legitimate caller is the token's own client, and answering others would let
// any app with a secret read who is signed in to every other app and with which scopes.
func (p *Provider) serveIntrospection(w http.ResponseWriter, r *http.Request) {
	client, token, hint, ok := p.tokenEndpointRequest(w, r, "introspected", "introspection")
	if !ok {
		return
	}
	ctx := r.Context()
	out := map[string]any{"active": false}
	found, err := p.findToken(ctx, token, hint)
	if err != nil {
		p.auth.WriteError(w, r, err)
		return
	}
	now := p.opts.Clock.Now()
	if found.kind != "" && found.clientID == client.ID && found.expiresAt > now.UnixMilli() && found.usable && p.grantLive(ctx, found) {
		out = map[string]any{
			"active":    true,
			"client_id": found.clientID,
			"exp":       found.expiresAt / 1000,
			"iat":       found.issuedAt / 1000,
			"iss":       p.opts.Issuer,
			"sub":       found.accountID,
		}
		if found.scope != "" {
			out["scope"] = found.scope
		}
		if found.kind == tokenAccess {
			out["token_type"] = "Bearer"
		}
	}
	body, err := json.Marshal(out)
	if err != nil {
		p.auth.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// tokenEndpointRequest parses and authenticates an introspection or revocation request and
// returns its token and token_type_hint; on failure it has answered.
func (p *Provider) tokenEndpointRequest(w http.ResponseWriter, r *http.Request, verb, endpoint string) (*directory.Client, string, string, bool) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	req, oerr := oauth.ParseRequest(r)
	if oerr != nil {
		p.auth.WriteError(w, r, oerr)
		return nil, "", "", false
	}
	client, err := p.auth.Authenticate(r.Context(), req)
	if err != nil {
		p.auth.WriteError(w, r, err)
		return nil, "", "", false
	}
	if oerr := oauth.AllowOrigin(w, r, &client.Application, oauth.OriginOf(p.opts.Issuer)); oerr != nil {
		p.auth.WriteError(w, r, oerr)
		return nil, "", "", false
	}
	token := req.Params.Get("token")
	if token == "" {
		p.auth.WriteError(w, r, oautherr.MissingParams("token"))
		return nil, "", "", false
	}
	if looksLikeJWT(token) {
		p.auth.WriteError(w, r, oautherr.New(http.StatusBadRequest, oautherr.UnsupportedTokenType,
			"Structured JWT Tokens cannot be "+verb+" via the "+endpoint+"_endpoint"))
		return nil, "", "", false
	}
	return client, token, req.Params.Get("token_type_hint"), true
}

// looksLikeJWT reports whether token is a compact JWS/JWE: its first segment decodes to a JSON
// object. Opaque tokens are base64url without dots and never match.
func looksLikeJWT(token string) bool {
	header, _, ok := strings.Cut(token, ".")
	if !ok {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return false
	}
	var obj map[string]any
	return json.Unmarshal(raw, &obj) == nil
}

const (
	tokenAccess  = "access_token"
	tokenRefresh = "refresh_token"
)

// foundToken is an opaque access token or a refresh token found by its value.
type foundToken struct {
	kind                         string // "" when nothing was found
	grantID, clientID, accountID string
	scope                        string
	issuedAt, expiresAt          int64 // epoch ms
	usable                       bool  // a refresh token not rotated away
}

// findToken looks token up as the hint suggests first, then as the other kind (RFC 7009 §2.1:
// the hint only speeds the search up).
func (p *Provider) findToken(ctx context.Context, token, hint string) (foundToken, error) {
	order := []string{tokenAccess, tokenRefresh}
	if hint == tokenRefresh || hint == "urn:ietf:params:oauth:token-type:refresh_token" {
		order = []string{tokenRefresh, tokenAccess}
	}
	for _, kind := range order {
		switch kind {
		case tokenAccess:
			at, err := p.opts.Service.FindAccessToken(ctx, p.opts.TenantID, token)
			if err == nil {
				return foundToken{kind: kind, grantID: at.GrantID, clientID: at.ClientID, accountID: at.AccountID,
					scope: at.Scope, issuedAt: at.CreatedAt, expiresAt: at.ExpiresAt, usable: true}, nil
			}
			if !errors.Is(err, model.ErrNotFound) {
				return foundToken{}, err
			}
		case tokenRefresh:
			rt, err := p.opts.Service.FindRefreshToken(ctx, p.opts.TenantID, token)
			if err == nil {
				return foundToken{kind: kind, grantID: rt.GrantID, clientID: rt.ClientID, accountID: rt.AccountID,
					scope: rt.Scope, issuedAt: rt.CreatedAt, expiresAt: rt.ExpiresAt,
					usable: protocol.RefreshUsable(rt, p.opts.Clock.Now())}, nil
			}
			if !errors.Is(err, model.ErrNotFound) {
				return foundToken{}, err
			}
		}
	}
	return foundToken{}, nil
}

// grantLive reports whether the token's grant still stands for the same client and account.
func (p *Provider) grantLive(ctx context.Context, t foundToken) bool {
	g, err := p.opts.Service.GetGrant(ctx, p.opts.TenantID, t.grantID)
	return err == nil && g.ClientID == t.clientID && g.AccountID == t.accountID
}
