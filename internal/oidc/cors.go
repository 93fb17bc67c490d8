package oidc

import (
	"net/http"
)

// corsMaxAge is how long a browser may cache a preflight answer, in seconds (oidc-provider's).
const corsMaxAge = "3600"

// preflight answers CORS preflight requests (OPTIONS with Access-Control-Request-Method) of an
// endpoint browser apps call: SPAs exchange codes, refresh tokens and read userinfo from the page
// itself. Preflights are always allowed, as in oidc-provider: the client is not known yet, and the
// real request is checked against it (grants.AllowOrigin) before its answer may be read.
func preflight(methods string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || r.Header.Get("Access-Control-Request-Method") == "" {
			w.Header().Set("Allow", methods+", OPTIONS")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Methods", methods)
		w.Header().Set("Access-Control-Max-Age", corsMaxAge)
		if headers := r.Header.Get("Access-Control-Request-Headers"); headers != "" {
			w.Header().Set("Access-Control-Allow-Headers", headers)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// openCORS lets any origin read a public document (discovery, JWKS).
func openCORS(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		next(w, r)
	}
}

// clientCORS marks the answers of client-based endpoints as varying by Origin; the handler allows
// the origin once it knows the client (grants.AllowOrigin).
func clientCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}
