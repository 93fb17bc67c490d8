package oidc

import (
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// redirectURIAllowed reports whether candidate may receive app's authorization response.
func redirectURIAllowed(app *model.Application, candidate string) bool {
	return matchRedirectURI(app.OIDCClientMetadata.RedirectURIs, candidate, app.Type == model.AppNative)
}

// postLogoutRedirectURIAllowed reports whether candidate is one of app's registered
// post_logout_redirect_uris, by exact string comparison and with no loopback exception: RP-initiated
// logout requires an exact match (OpenID Connect RP-Initiated Logout §3), and Logto keeps the
// RFC 8252 exception to the authorization redirect.
func postLogoutRedirectURIAllowed(app *model.Application, candidate string) bool {
	return matchRedirectURI(app.OIDCClientMetadata.PostLogoutRedirectURIs, candidate, false)
}

// matchRedirectURI is the redirect URI check of RFC 6749 §3.1.2.3 as RFC 9700 §2.1 tightens it:
// the candidate must equal a registered URI character for character, with no normalization (case,
// trailing slash, default port, percent-encoding all count), so that no parser disagreement
// between Gatehouse and a browser can turn a near-miss into an open redirect (RFC 6819 §4.4.1.7).
//
// The one exception is RFC 8252 §7.3 for native apps: a native app listening on a loopback
// interface picks a free port at run time, so a candidate `http://127.0.0.1:<port>/path` matches
// a registered `http://127.0.0.1/path` (or one with another port) when everything but the port is
// identical. It applies to plain-http loopback hosts only (127.0.0.1, [::1] and, as Logto allows,
// localhost) and never to userinfo, fragments or other hosts.
//
// A candidate holding `*` never matches (a wildcard pattern, were one registered, is not a
// destination), nor one with a fragment (RFC 6749 §3.1.2).
func matchRedirectURI(registered []string, candidate string, native bool) bool {
	if candidate == "" || strings.ContainsAny(candidate, "*#") {
		return false
	}
	for _, r := range registered {
		if r == candidate {
			return true
		}
	}
	if !native {
		return false
	}
	host, rest, ok := splitLoopback(candidate)
	if !ok {
		return false
	}
	for _, r := range registered {
		if rh, rr, ok := splitLoopback(r); ok && rh == host && rr == rest {
			return true
		}
	}
	return false
}

// splitLoopback splits an http loopback URI into its host (without port) and everything after the
// authority; ok is false for any other URI, or one with userinfo or a malformed port.
func splitLoopback(uri string) (host, rest string, ok bool) {
	const scheme = "http://"
	if !strings.HasPrefix(uri, scheme) {
		return "", "", false
	}
	authority := uri[len(scheme):]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority, rest = authority[:i], authority[i:]
	}
	host = authority
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.HasSuffix(authority, "]") {
		host = authority[:i]
		port := authority[i+1:]
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return "", "", false
		}
	}
	switch host {
	case "127.0.0.1", "[::1]", "localhost":
	default:
		return "", "", false
	}
	// The URI as a whole must parse as http with exactly this host: this rejects what the string
	// split alone might let through (control characters, a malformed path).
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Opaque != "" ||
		("["+u.Hostname()+"]" != host && u.Hostname() != host) {
		return "", "", false
	}
	return host, rest, true
}
