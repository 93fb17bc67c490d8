package grants

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// Grant types (RFC 6749 §4, RFC 8628, RFC 8693) as they appear in grant_type.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
)

// Grant serves one grant type at the token endpoint. The Handler has already parsed the
// request, authenticated the client and checked that the client may use this grant type; the
// grant validates its own parameters and produces the response. Returning an *oautherr.Error
// answers with it; any other error is an internal fault (500, logged).
type Grant interface {
	// GrantType is the grant_type value this grant serves.
	GrantType() string
	// Authorize produces the token response for an authenticated client.
	Authorize(ctx context.Context, req *Request, client *directory.Client) (*TokenResponse, error)
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
	Accounts Accounts
	// Keys returns the tenant's signing keys; it is called once per issued token so a key
	// rotation is picked up without a restart.
	Keys  func(ctx context.Context) (Signer, error)
	Clock clock.Clock
	Log   *slog.Logger
}

// Handler is POST /oidc/token. It owns the phases every grant shares (parsing, client
// authentication, grant_type dispatch, the may-this-client-use-this-grant check, writing the
// response or the error), so no grant can forget one.
type Handler struct {
	opts      Options
	wwwAuthn  string // WWW-Authenticate value for a failed Basic authentication
	grants    map[string]Grant
	supported []string
}

// NewHandler returns the token endpoint with every grant Gatehouse implements.
func NewHandler(o Options) *Handler {
	h := &Handler{
		opts: o,
		// RFC 6749 §5.2: a 401 invalid_client after Basic authentication carries
		// WWW-Authenticate; oidc-provider names the issuer as the realm.
		wwwAuthn: `Basic realm="` + strings.ReplaceAll(o.Issuer, `"`, `\"`) +
			`", error="invalid_client", error_description="client authentication failed"`,
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

	resp, err := h.serve(w, r)
	if err != nil {
		h.WriteError(w, r, err)
		return
	}
	body, err := json.Marshal(resp)
	if err != nil {
		h.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (*TokenResponse, error) {
	ctx := r.Context()
	req, oerr := ParseRequest(r)
	if oerr != nil {
		return nil, oerr
	}
	client, err := h.Authenticate(ctx, req)
	if err != nil {
		return nil, err
	}
	if oerr := AllowOrigin(w, r, &client.Application, OriginOf(h.opts.Issuer)); oerr != nil {
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
	if !GrantAllowed(&client.Application, req.GrantType) {
		// RFC 6749 §5.2 names this unauthorized_client; Logto answers invalid_request (observed).
		return nil, oautherr.BadRequest("requested grant type is not allowed for this client")
	}
	return grant.Authorize(ctx, req, client)
}

// Authenticate finds the client and checks its credentials against its registered method:
// confidential applications (Logto's client_secret_basic clients, which may also use
// client_secret_post) must present one of their secrets; public ones (method none) must not
// present any. The introspection and revocation endpoints authenticate clients the same way.
func (h *Handler) Authenticate(ctx context.Context, req *Request) (*directory.Client, error) {
	client, err := h.opts.Directory.Client(ctx, h.opts.TenantID, req.ClientID)
	if errors.Is(err, model.ErrNotFound) {
		// Unlike Logto, whose adapter answers an unknown client with 400 "invalid client <id>"
		// (core/oidc/adapter.ts) while a wrong secret gets 401, both are the same 401
		// invalid_client (RFC 6749 §5.2, with WWW-Authenticate after Basic): the answer must not
		// tell a prober which client ids exist, nor echo what it sent.
		return nil, oautherr.ClientAuthFailed()
	}
	if err != nil {
		return nil, err
	}
	confidential := client.Type.Confidential()
	switch req.AuthMethod {
	case AuthNone:
		if confidential {
			return nil, oautherr.ClientAuthFailed()
		}
		return client, nil
	case AuthSecretBasic, AuthSecretPost:
		if !confidential {
			return nil, oautherr.ClientAuthFailed()
		}
	default:
		return nil, oautherr.ClientAuthFailed()
	}
	switch check, _ := client.CheckSecret(req.ClientSecret); check {
	case directory.SecretValid:
		return client, nil
	case directory.SecretExpired:
		// Logto's koa-app-secret-transpilation answers a matching but expired secret so.
		return nil, oautherr.BadRequest("client secret has expired")
	default:
		return nil, oautherr.ClientAuthFailed()
	}
}

// GrantAllowed reports whether app may use grantType, per Logto's per-type client metadata
// (core/oidc/utils.ts#getConstantClientMetadata):
//
//	Native            authorization_code, refresh_token (device_code instead of
//	                  authorization_code when customClientMetadata.isDeviceFlow)
//	SPA, Traditional  authorization_code, refresh_token
//	MachineToMachine  client_credentials
//	Protected, SAML   authorization_code, refresh_token
//
// plus token exchange for Native, SPA, Traditional and MachineToMachine apps with
// customClientMetadata.allowTokenExchange.
func GrantAllowed(app *model.Application, grantType string) bool {
	meta := &app.CustomClientMetadata
	switch grantType {
	case GrantClientCredentials:
		return app.Type == model.AppMachineToMachine
	case GrantAuthorizationCode:
		switch app.Type {
		case model.AppNative:
			return meta.IsDeviceFlow == nil || !*meta.IsDeviceFlow
		case model.AppSPA, model.AppTraditional, model.AppProtected, model.AppSAML:
			return true
		}
	case GrantDeviceCode:
		return app.Type == model.AppNative && meta.IsDeviceFlow != nil && *meta.IsDeviceFlow
	case GrantRefreshToken:
		return app.Type != model.AppMachineToMachine
	case GrantTokenExchange:
		switch app.Type {
		case model.AppNative, model.AppSPA, model.AppTraditional, model.AppMachineToMachine:
			return meta.AllowTokenExchange != nil && *meta.AllowTokenExchange
		}
	}
	return false
}

// WriteError answers err: an *oautherr.Error as itself, anything else as a 500 server_error
// without internals, logged with the request id.
func (h *Handler) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var oerr *oautherr.Error
	if !errors.As(err, &oerr) {
		h.opts.Log.ErrorContext(r.Context(), "token request failed",
			"request_id", httpx.RequestID(r.Context()), "err", err)
		oerr = oautherr.Internal()
	} else if oerr.Detail != "" {
		h.opts.Log.DebugContext(r.Context(), "token request refused",
			"request_id", httpx.RequestID(r.Context()), "error", oerr.Code, "detail", oerr.Detail)
	}
	if oerr.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", h.wwwAuthn)
	}
	oautherr.Write(w, r, oerr)
}
