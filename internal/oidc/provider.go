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
	Clock      clock.Clock
	Log        *slog.Logger
}

// Provider serves one tenant's /oidc endpoints.
type Provider struct {
	opts  Options
	token *grants.Handler
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
	p := &Provider{opts: o}
	p.token = grants.NewHandler(grants.Options{
		TenantID:  o.TenantID,
		Issuer:    o.Issuer,
		Directory: o.Directory,
		Service:   o.Service,
		Accounts:  o.Accounts,
		Keys:      p.signer,
		Clock:     o.Clock,
		Log:       o.Log,
	})
	return p
}

// Mount registers the provider's routes on mux. Every other path or method under /oidc answers
// Logto's 404 invalid_request "unrecognized route or not allowed method"
// (koa-oidc-unrecognized-route.ts).
func (p *Provider) Mount(mux *http.ServeMux) {
	discovery := openCORS(p.serveDiscovery)
	mux.HandleFunc("GET "+Prefix+"/.well-known/openid-configuration", discovery)
	// RFC 8414: the same document, as oidc-provider ≥ 9.2 serves it.
	mux.HandleFunc("GET "+Prefix+"/.well-known/oauth-authorization-server", discovery)
	mux.HandleFunc("GET "+Prefix+"/jwks", openCORS(p.serveJWKS))
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks"} {
		mux.HandleFunc("OPTIONS "+Prefix+path, preflight("GET"))
	}
	// OIDC Core §3.1.2.1: the authorization endpoint takes GET and form POST alike.
	mux.HandleFunc("GET "+Prefix+"/auth", p.serveAuthorize)
	mux.HandleFunc("POST "+Prefix+"/auth", p.serveAuthorize)
	mux.HandleFunc("GET "+Prefix+"/auth/{uid}", p.serveResume)
	mux.Handle("POST "+Prefix+"/token", clientCORS(p.token))
	mux.Handle("GET "+Prefix+"/me", clientCORS(http.HandlerFunc(p.serveUserinfo)))
	mux.Handle("POST "+Prefix+"/me", clientCORS(http.HandlerFunc(p.serveUserinfo)))
	mux.Handle("POST "+Prefix+"/token/introspection", clientCORS(http.HandlerFunc(p.serveIntrospection)))
	mux.Handle("POST "+Prefix+"/token/revocation", clientCORS(http.HandlerFunc(p.serveRevocation)))
	mux.HandleFunc("OPTIONS "+Prefix+"/token", preflight("POST"))
	mux.HandleFunc("OPTIONS "+Prefix+"/me", preflight("GET,POST"))
	mux.HandleFunc("OPTIONS "+Prefix+"/token/introspection", preflight("POST"))
	mux.HandleFunc("OPTIONS "+Prefix+"/token/revocation", preflight("POST"))
	mux.HandleFunc("GET "+Prefix+"/session/end", p.serveEndSession)
	mux.HandleFunc("POST "+Prefix+"/session/end", p.serveEndSession)
	mux.HandleFunc("POST "+Prefix+"/session/end/confirm", p.serveEndSessionConfirm)
	mux.HandleFunc("GET "+Prefix+"/session/end/success", p.serveEndSessionSuccess)
	mux.HandleFunc(Prefix+"/", p.serveUnrecognized)
	mux.HandleFunc(Prefix, p.serveUnrecognized)
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
	oautherr.Write(w, r, oautherr.Internal())
}
