package httpx

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Browser-facing surfaces (the hosted pages, the Experience API, and later the account API and
// the console) share two defences against requests a page on another origin makes the victim's
// browser send with the victim's cookies (CSRF and login CSRF: RFC 9700 §4.7, RFC 6819
// §4.4.1.8):
//
//   - CrossOrigin refuses state-changing requests the browser marks as coming from another
//     origin (Sec-Fetch-Site, else Origin against Host), Go's http.CrossOriginProtection. It
//     refuses `same-site` too: a sibling subdomain is another origin and may be less trusted.
//   - RequireJSON refuses JSON routes' bodies sent as anything but application/json. A page can
//     send text/plain, form or multipart bodies cross-origin without a CORS preflight; a JSON
//     content type always needs one, which no other origin passes.

// CrossOrigin returns the cross-origin protection of browser-facing write routes; deny answers
// a refused request in the surface's own shape (a page, or a JSON error body).
func CrossOrigin(deny http.Handler) *http.CrossOriginProtection {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	return cop
}

// ErrNotJSON is RequireJSON's answer to a body of another media type.
var ErrNotJSON = errors.New("the request body must be application/json")

// RequireJSON checks a JSON route's Content-Type: a body must be declared application/json (or
// a +json type), and a declared type must be JSON even when the body is empty. A request with no
// body and no Content-Type passes (Logto's own sign-in page calls submit so).
func RequireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			return nil
		}
		return ErrNotJSON
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ErrNotJSON
	}
	if media == "application/json" || (strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json")) {
		return nil
	}
	return ErrNotJSON
}

// PageHeaders sets the security headers every HTML page sends, with the page's own
// Content-Security-Policy: no MIME sniffing, no framing (clickjacking, RFC 9700 §4.16), no URL
// (which may hold a code or state) leaked through Referer (RFC 9700 §4.2.4), and no caching of
// pages that carry per-user state.
func PageHeaders(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// ImageSources is a CSP source list for img-src: the page's own origin, data: URLs, and the
// origins of urls (logos and favicons an administrator configured). Anything that is not an
// absolute http(s) URL adds nothing, so custom CSS can load images only from hosts the
// administrator already trusts with the page's look.
func ImageSources(urls ...string) string {
	sources := []string{"'self'", "data:"}
	for _, raw := range urls {
		if origin := httpOrigin(raw); origin != "" && !slices.Contains(sources, origin) {
			sources = append(sources, origin)
		}
	}
	return strings.Join(sources, " ")
}

// httpOrigin is raw's scheme://host[:port] when raw is an absolute http(s) URL whose host is a
// plain name (no characters that could end the CSP source expression), else "".
func httpOrigin(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return ""
	}
	if strings.ContainsFunc(u.Host, func(c rune) bool { return !isPlainHostChar(c) }) {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// isPlainHostChar reports whether c may stand in a host[:port] of a CSP source expression: an
// ASCII letter or digit, '.', '-', ':' or the brackets of an IPv6 literal.
func isPlainHostChar(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune(".-:[]", c)
}
