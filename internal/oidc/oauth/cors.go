package oauth

import (
	"net/http"
)

// corsMaxAge is how long a browser may cache a Preflight answer, in seconds (oidc-provider's).
const corsMaxAge = "3600"

// Preflight answers CORS Preflight requests (OPTIONS with Access-Control-Request-Method) of an
// endpoint browser apps call: SPAs exchange codes, refresh tokens and read userinfo from the page
// itself. Preflights are always allowed, as in oidc-provider: the client is not known yet, and the
// real request is checked against it (AllowOrigin) before its answer may be read.
func Preflight(methods string) http.HandlerFunc {
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

// OpenCORS lets any origin read a public document (discovery, JWKS).
func OpenCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		next.ServeHTTP(w, r)
	})
}

// ClientCORS marks the answers of client-based endpoints as varying by Origin; the handler allows
// the origin once it knows the client (AllowOrigin).
func ClientCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}
