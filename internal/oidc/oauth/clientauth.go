package oauth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// ClientFinder finds a tenant's client with its secrets; the service's directory implements it.
type ClientFinder interface {
	Client(ctx context.Context, tenantID, clientID string) (*directory.Client, error)
}

// ClientAuth authenticates the clients of the token, introspection and revocation endpoints
// (RFC 6749 §2.3) and writes those endpoints' errors, so the three answer alike.
type ClientAuth struct {
	tenantID string
	clients  ClientFinder
	log      *slog.Logger
	// wwwAuthn is the WWW-Authenticate value of a failed Basic authentication.
	wwwAuthn string
}

// NewClientAuth returns the client authentication of tenantID's provider, whose issuer names the
// Basic realm.
func NewClientAuth(tenantID, issuer string, clients ClientFinder, log *slog.Logger) *ClientAuth {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ClientAuth{tenantID: tenantID, clients: clients, log: log,
		// RFC 6749 §5.2: a 401 invalid_client after Basic authentication carries
		// WWW-Authenticate; oidc-provider names the issuer as the realm.
		wwwAuthn: `Basic realm="` + strings.ReplaceAll(issuer, `"`, `\"`) +
			`", error="invalid_client", error_description="client authentication failed"`,
	}
}

// Authenticate finds the client and checks its credentials against its registered method:
// confidential applications (Logto's client_secret_basic clients, which may also use
// client_secret_post) must present one of their secrets; public ones (method none) must not
// present any. The introspection and revocation endpoints authenticate clients the same way.
func (a *ClientAuth) Authenticate(ctx context.Context, req *Request) (*directory.Client, error) {
	client, err := a.clients.Client(ctx, a.tenantID, req.ClientID)
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

// WriteError answers err: an *oautherr.Error as itself, anything else as a 500 server_error
// without internals, logged with the request id.
func (a *ClientAuth) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var oerr *oautherr.Error
	if !errors.As(err, &oerr) {
		a.log.ErrorContext(r.Context(), "token request failed",
			"request_id", httpx.RequestID(r.Context()), "err", err)
		oerr = oautherr.Fault(err)
	} else if oerr.Detail != "" {
		a.log.DebugContext(r.Context(), "token request refused",
			"request_id", httpx.RequestID(r.Context()), "error", oerr.Code, "detail", oerr.Detail)
	}
	if oerr.Status == http.StatusUnauthorized && r.Header.Get("Authorization") != "" {
		w.Header().Set("WWW-Authenticate", a.wwwAuthn)
	}
	oautherr.Write(w, r, oerr)
}
