package httpx

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

type proxyKey int

const (
	clientIPKey proxyKey = iota
	schemeKey
)

// Proxy records each request's client IP and scheme. With hops > 0 (TRUST_PROXY_HEADER, as
// Koa's `proxy = true` in Logto; GATEHOUSE_TRUSTED_PROXY_HOPS proxies in front) they come from
// the reverse proxies' X-Forwarded-For / X-Forwarded-Proto headers, or RFC 7239 Forwarded when
// those are absent; with hops == 0 those headers are ignored, so a client cannot spoof its
// address for rate limits and lockouts.
//
// Proxies append the address they received a request from, and many pass on what the client
// sent (Caddy passes a client's Forwarded header through untouched; nginx's
// $proxy_add_x_forwarded_for appends to the client's X-Forwarded-For). So only the entries the
// trusted proxies added, counted from the right, are believed: the client address is the
// hops-th entry from the right. Logto (Koa) takes the leftmost, which the client chooses.
func Proxy(hops int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, scheme := peerIP(r.RemoteAddr), "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if hops > 0 {
			if fip := forwardedFor(r.Header, hops); fip != "" {
				ip = fip
			}
			if p := forwardedProto(r.Header); p == "http" || p == "https" {
				scheme = p
			}
		}
		ctx := context.WithValue(r.Context(), clientIPKey, ip)
		ctx = context.WithValue(ctx, schemeKey, scheme)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ClientIP returns the client address Proxy decided on ("" outside Proxy).
func ClientIP(ctx context.Context) string { v, _ := ctx.Value(clientIPKey).(string); return v }

// Scheme returns "https" when the client reached us over TLS (directly, or at a trusted proxy).
func Scheme(ctx context.Context) string {
	if v, _ := ctx.Value(schemeKey).(string); v != "" {
		return v
	}
	return "http"
}

func peerIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// forwardedFor returns the client address the trusted proxies report: the hops-th address from
// the right of X-Forwarded-For (all its header lines, in order), else of Forwarded's for=
// parameters; "" when that entry is missing or not an IP address.
func forwardedFor(h http.Header, hops int) string {
	var chain []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		chain = splitList(xff)
	} else {
		for _, element := range splitList(h.Values("Forwarded")) {
			chain = append(chain, forwardedParam(element, "for"))
		}
	}
	if len(chain) < hops {
		return ""
	}
	return parseNodeIP(chain[len(chain)-hops])
}

// forwardedProto is the scheme the outermost trusted proxy was reached by: the rightmost
// X-Forwarded-Proto value (the nearest proxy sets it), else Forwarded's proto=.
func forwardedProto(h http.Header) string {
	if xfp := splitList(h.Values("X-Forwarded-Proto")); len(xfp) > 0 {
		return strings.ToLower(xfp[len(xfp)-1])
	}
	if fwd := splitList(h.Values("Forwarded")); len(fwd) > 0 {
		return strings.ToLower(forwardedParam(fwd[len(fwd)-1], "proto"))
	}
	return ""
}

// splitList splits comma-separated header lines into their elements, trimmed of optional
// whitespace — spaces and tabs only (RFC 9110 §5.6.3): an element wrapped in other control
// characters is malformed and stays so, rather than being read as the address inside it.
func splitList(lines []string) []string {
	var out []string
	for _, line := range lines {
		for _, e := range strings.Split(line, ",") {
			out = append(out, trimOWS(e))
		}
	}
	return out
}

func trimOWS(s string) string { return strings.Trim(s, " \t") }

// forwardedParam is the value of param in one Forwarded element ("for=…;proto=…"), unquoted.
func forwardedParam(element, param string) string {
	for _, pair := range strings.Split(element, ";") {
		k, v, ok := strings.Cut(trimOWS(pair), "=")
		if ok && strings.EqualFold(k, param) {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// parseNodeIP is the IP of a node entry (192.0.2.60, "[2001:db8::1]:4711", 2001:db8::1), or "".
func parseNodeIP(v string) string {
	if host, _, err := net.SplitHostPort(v); err == nil {
		v = host
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if ip := net.ParseIP(v); ip != nil {
		return ip.String()
	}
	return ""
}

// RequestOrigin puts the request's client address and user agent in its context as a
// model.Origin, for the webhook payloads and audit entries of the changes it causes. It runs
// inside Proxy, which settles the client address.
func RequestOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := model.Origin{IP: ClientIP(r.Context()), UserAgent: r.UserAgent()}
		next.ServeHTTP(w, r.WithContext(model.WithOrigin(r.Context(), o)))
	})
}
