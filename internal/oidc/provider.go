package oidc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/oidc/grants"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// Prefix is where the provider is mounted, as in Logto (issuer = <endpoint>/oidc).
const Prefix = "/oidc"

// Options configure a tenant's Provider.
type Options struct {
	TenantID  string
	Issuer    string // <endpoint>/oidc, without a trailing slash
	Directory Directory
	Keys      *keys.Manager
	// Service keeps interactions, sessions, grants, codes and tokens (required).
	Service Protocol
	// Accounts reads the users who sign in (required).
	Accounts Accounts
	// Cookies signs the _interaction, _session and logout cookies with the tenant's cookie keys
	// (required).
	Cookies *cookie.Jar
	// SessionTTL is how long a browser stays signed in (Logto's oidc.session ttl); zero means
	// Logto's 14 days.
	SessionTTL time.Duration
	// Audit records token exchanges (ExchangeTokenBy.*) without waiting; nil records none.
	Audit grants.AuditRecorder
	Clock clock.Clock
	Log   *slog.Logger
}

// Provider serves one tenant's /oidc endpoints.
type Provider struct {
	opts  Options
	token *grants.Handler
	// auth authenticates clients at the token, introspection and revocation endpoints.
	auth *oauth.ClientAuth
}

// New returns the tenant's Provider.
func New(o Options) *Provider {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = protocol.DefaultSessionTTL
	}
	p := &Provider{opts: o, auth: oauth.NewClientAuth(o.TenantID, o.Issuer, o.Directory, o.Log)}
	p.token = grants.NewHandler(grants.Options{
		ClientAuth: p.auth,
		TenantID:   o.TenantID,
		Issuer:     o.Issuer,
		Directory:  o.Directory,
		Service:    o.Service,
		Accounts:   o.Accounts,
		Keys:       p.signer,
		Audit:      o.Audit,
		Clock:      o.Clock,
		Log:        o.Log,
	})
	return p
}

// keySet returns the tenant's signing keys.
func (p *Provider) keySet(ctx context.Context) (*keys.Set, error) {
	set, err := p.opts.Keys.Keys(ctx, p.opts.TenantID)
	if err != nil {
		return nil, fmt.Errorf("signing keys of tenant %q: %w", p.opts.TenantID, err)
	}
	return set, nil
}

// signer adapts keySet to the token endpoint's Signer.
func (p *Provider) signer(ctx context.Context) (grants.Signer, error) {
	set, err := p.keySet(ctx)
	if err != nil {
		return nil, err
	}
	return set, nil
}

// serveJWKS publishes the tenant's public keys. Cache-Control follows Logto's
// koa-jwks-cache-control (browsers revalidate, so a rotation is seen at once); the content type
// is oidc-provider's.
func (p *Provider) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := p.keySet(r.Context())
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, max-age=0, must-revalidate")
	w.Header().Set("Content-Type", "application/jwk-set+json; charset=utf-8")
	_, _ = w.Write(set.JWKSJSON())
}

func (p *Provider) serveUnrecognized(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	if path == "" {
		path = "/"
	}
	oautherr.Write(w, r, oautherr.New(http.StatusNotFound, oautherr.InvalidRequest,
		"unrecognized route or not allowed method ("+r.Method+" on "+path+")"))
}

// internalError answers a fault inside the server with 500 server_error, logged with the
// request id and never shown to the client.
func (p *Provider) internalError(w http.ResponseWriter, r *http.Request, err error) {
	p.opts.Log.ErrorContext(r.Context(), "oidc request failed",
		"request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	oautherr.Write(w, r, oautherr.Fault(err))
}
