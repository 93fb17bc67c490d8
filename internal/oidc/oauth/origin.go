package oauth

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// AllowOrigin lets a browser app read the answer of a client-based endpoint (token, userinfo,
// introspection, revocation) once the client is known, as Logto's clientBasedCORS does: a request
// without Origin, from the provider's own origin, from one of the application's
// customClientMetadata.corsAllowedOrigins or from the origin of one of its redirect URIs gets
// Access-Control-Allow-Origin; any other origin is refused with oidc-provider's invalid_request,
// so a page on another site cannot use a client's tokens through a victim's browser.
func AllowOrigin(w http.ResponseWriter, r *http.Request, app *model.Application, ownOrigin string) *oautherr.Error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if !originAllowed(origin, app, ownOrigin) {
		return oautherr.BadRequest("origin " + clipOrigin(origin) + " not allowed for client: " + app.ID)
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
	return nil
}

func originAllowed(origin string, app *model.Application, ownOrigin string) bool {
	if origin == ownOrigin || slices.Contains(app.CustomClientMetadata.CORSAllowedOrigins, origin) {
		return true
	}
	for _, uri := range app.OIDCClientMetadata.RedirectURIs {
		if OriginOf(uri) == origin {
			return true
		}
	}
	return false
}

// OriginOf returns the RFC 6454 origin (scheme://host[:port]) of an http(s) URL, "" for others.
func OriginOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Contains(raw, "*") {
		return ""
	}
	host := strings.ToLower(u.Host)
	if u.Scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	return u.Scheme + "://" + host
}

func clipOrigin(s string) string {
	if len(s) > 128 {
		return s[:128] + "…"
	}
	return s
}
