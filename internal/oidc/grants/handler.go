package grants

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// Grant serves one grant type at the token endpoint. The Handler has already parsed the
// request, authenticated the client and checked that the client may use this grant type; the
// grant validates its own parameters and produces the response. Returning an *oautherr.Error
// answers with it; any other error is an internal fault (500, logged).
type Grant interface {
	// GrantType is the grant_type value this grant serves.
	GrantType() string
	// Authorize produces the token response for an authenticated client.
	Authorize(ctx context.Context, req *oauth.Request, client *directory.Client) (*TokenResponse, error)
}

// TokenResponse is the successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3), in
// oidc-provider's member order. Scope is always present, possibly empty: Logto patches
// oidc-provider so that clients can rely on it (LOGTO PATCH(scope-always-present) in
// core/oidc/grants/client-credentials.ts).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

// Signer signs a token's claims with the tenant's current key as a compact JWS whose header
// carries typ; *keys.Set implements it.
type Signer interface {
	Sign(claims any, typ string) (string, error)
}

// Options configure a Handler.
type Options struct {
	TenantID  string
	Issuer    string // the `iss` of issued tokens and the Basic realm
	Directory Clients
	// Service keeps codes, tokens and grants (the authorization_code and refresh_token grants).
	Service Artifacts
	// Accounts reads the users tokens are issued to.
	Accounts oauth.Accounts
	// Keys returns the tenant's signing keys; it is called once per issued token so a key
	// rotation is picked up without a restart.
	Keys func(ctx context.Context) (Signer, error)
	// ClientAuth authenticates the client of every token request and writes the endpoint's
	// errors (shared with introspection and revocation).
	ClientAuth *oauth.ClientAuth
	// Audit records an ExchangeTokenBy.* entry per token request (package audit); nil records none.
	Audit AuditRecorder
	Clock clock.Clock
	Log   *slog.Logger
}

// Handler is POST /oidc/token. It owns the phases every grant shares (parsing, client
// authentication, grant_type dispatch, the may-this-client-use-this-grant check, writing the
// response or the error), so no grant can forget one.
type Handler struct {
	opts      Options
	auth      *oauth.ClientAuth
	grants    map[string]Grant
	supported []string
}

// NewHandler returns the token endpoint with every grant Gatehouse implements.
func NewHandler(o Options) *Handler {
	h := &Handler{
		opts:   o,
		auth:   o.ClientAuth,
		grants: map[string]Grant{},
	}
	tokens := &accessTokenIssuer{issuer: o.Issuer, keys: o.Keys, clock: o.Clock}
	issuer := &userTokenIssuer{opts: o, accessTokens: tokens}
	// Discovery lists grant types in this order, Logto's.
	for _, g := range []Grant{
		&authorizationCode{issuer: issuer},
		&refreshToken{issuer: issuer},
		&clientCredentials{tenantID: o.TenantID, directory: o.Directory, tokens: tokens},
	} {
		h.grants[g.GrantType()] = g
		h.supported = append(h.supported, g.GrantType())
	}
	return h
}

// SupportedGrantTypes lists the grant types served, for discovery's grant_types_supported.
func (h *Handler) SupportedGrantTypes() []string { return h.supported }

// ServeHTTP serves the token request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// RFC 6749 §5.1: token responses (and errors, which may echo credentials' fate) are never
	// cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")

	var ex exchange
	resp, err := h.serve(w, r, &ex)
	h.audit(r.Context(), ex, resp, err)
	if err != nil {
		h.auth.WriteError(w, r, err)
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		h.auth.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, ex *exchange) (*TokenResponse, error) {
	ctx := r.Context()
	req, oerr := oauth.ParseRequest(r)
	if oerr != nil {
		return nil, oerr
	}
	ex.grantType, ex.scope, ex.resources = req.GrantType, req.Scope, req.Resources
	client, err := h.auth.Authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	ex.clientID = client.Application.ID
	if oerr := oauth.AllowOrigin(w, r, &client.Application, oauth.OriginOf(h.opts.Issuer)); oerr != nil {
		return nil, oerr
	}
	// oidc-provider checks grant_type after client authentication; the answers follow it.
	if req.GrantType == "" {
		return nil, oautherr.BadRequest("missing required parameter 'grant_type'")
	}
	grant, ok := h.grants[req.GrantType]
	if !ok {
		return nil, oautherr.New(http.StatusBadRequest, oautherr.UnsupportedGrantType, "unsupported grant_type requested")
	}
	if !oauth.GrantAllowed(&client.Application, req.GrantType) {
		// RFC 6749 §5.2 names this unauthorized_client; Logto answers invalid_request (observed).
		return nil, oautherr.BadRequest("requested grant type is not allowed for this client")
	}
	return grant.Authorize(ctx, req, client)
}
