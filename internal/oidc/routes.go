package oidc

import (
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
)

// The map of the OpenID Provider: every route it serves under /oidc, the specification each one
// follows, and who may read its answers from a browser page (CORS). Logto serves the same paths
// (core/oidc/init.ts, oidc-provider's defaults); every other path or method answers Logto's 404
// invalid_request "unrecognized route or not allowed method" (koa-oidc-unrecognized-route.ts).

// corsPolicy says which pages may read a route's answers.
type corsPolicy int

const (
	// corsNone: navigations and form posts only (authorization, logout).
	corsNone corsPolicy = iota
	// corsOpen: public documents any page may read (discovery, JWKS).
	corsOpen
	// corsClient: the origins of the client's own redirect URIs and corsAllowedOrigins, checked
	// once the client is known (oauth.AllowOrigin); preflights are always answered.
	corsClient
)

// route is one endpoint of the provider.
type route struct {
	methods []string
	path    string // under Prefix
	cors    corsPolicy
	handler http.Handler
	spec    string
}

func (p *Provider) routes() []route {
	discovery := http.HandlerFunc(p.serveDiscovery)
	userinfo := http.HandlerFunc(p.serveUserinfo)
	endSession := http.HandlerFunc(p.serveEndSession)
	authorize := http.HandlerFunc(p.serveAuthorize)
	return []route{
		{[]string{"GET"}, "/.well-known/openid-configuration", corsOpen, discovery,
			"https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig"},
		// The same document, as oidc-provider ≥ 9.2 serves it.
		{[]string{"GET"}, "/.well-known/oauth-authorization-server", corsOpen, discovery,
			"https://www.rfc-editor.org/rfc/rfc8414#section-3"},
		{[]string{"GET"}, "/jwks", corsOpen, http.HandlerFunc(p.serveJWKS),
			"https://www.rfc-editor.org/rfc/rfc7517#section-5"},
		// The authorization endpoint takes GET and form POST alike (OIDC Core §3.1.2.1).
		{[]string{"GET", "POST"}, "/auth", corsNone, authorize,
			"https://openid.net/specs/openid-connect-core-1_0.html#AuthorizationEndpoint"},
		// Where the sign-in experience sends the browser back once the user signed in.
		{[]string{"GET"}, "/auth/{uid}", corsNone, http.HandlerFunc(p.serveResume),
			"https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2"},
		{[]string{"POST"}, "/token", corsClient, p.token,
			"https://www.rfc-editor.org/rfc/rfc6749#section-3.2"},
		{[]string{"GET", "POST"}, "/me", corsClient, userinfo,
			"https://openid.net/specs/openid-connect-core-1_0.html#UserInfo"},
		{[]string{"POST"}, "/token/introspection", corsClient, http.HandlerFunc(p.serveIntrospection),
			"https://www.rfc-editor.org/rfc/rfc7662#section-2"},
		{[]string{"POST"}, "/token/revocation", corsClient, http.HandlerFunc(p.serveRevocation),
			"https://www.rfc-editor.org/rfc/rfc7009#section-2"},
		{[]string{"GET", "POST"}, "/session/end", corsNone, endSession,
			"https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout"},
		{[]string{"POST"}, "/session/end/confirm", corsNone, http.HandlerFunc(p.serveEndSessionConfirm),
			"https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout"},
		{[]string{"GET"}, "/session/end/success", corsNone, http.HandlerFunc(p.serveEndSessionSuccess),
			"https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout"},
	}
}

// Mount registers the provider's routes on mux, each behind its CORS policy, with the
// preflight answer of every route a browser page may call.
func (p *Provider) Mount(mux *http.ServeMux) {
	for _, rt := range p.routes() {
		h := rt.handler
		switch rt.cors {
		case corsOpen:
			h = oauth.OpenCORS(h)
		case corsClient:
			h = oauth.ClientCORS(h)
		}
		for _, m := range rt.methods {
			mux.Handle(m+" "+Prefix+rt.path, h)
		}
		if rt.cors != corsNone {
			mux.HandleFunc("OPTIONS "+Prefix+rt.path, oauth.Preflight(strings.Join(rt.methods, ",")))
		}
	}
	mux.Handle(Prefix+"/", p.Unrecognized())
	mux.HandleFunc(Prefix, p.serveUnrecognized)
}

// Unrecognized answers a path or method the provider does not serve: 404 invalid_request, as
// Logto's koa-oidc-unrecognized-route.
func (p *Provider) Unrecognized() http.Handler { return http.HandlerFunc(p.serveUnrecognized) }
