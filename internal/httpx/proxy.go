package httpx

import (
	"context"
	"net"
	"net/http"
	"strings"
)

type proxyKey int

const (
	clientIPKey proxyKey = iota
	schemeKey
)

// Proxy records each request's client IP and scheme. With trust (TRUST_PROXY_HEADER, as Koa's
// `proxy = true` in Logto) they come from the reverse proxy's Forwarded / X-Forwarded-For /
// X-Forwarded-Proto headers; without it those headers are ignored, so a client cannot spoof its
// address for rate limits and lockouts.
func Proxy(trust bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, scheme := peerIP(r.RemoteAddr), "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if trust {
			if fip := forwardedFor(r.Header); fip != "" {
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

// forwardedFor returns the client address the proxy reports: the first valid IP of the RFC 7239
// Forwarded "for=" or of X-Forwarded-For (the proxy appends; the first hop is the client).
func forwardedFor(h http.Header) string {
	if f := h.Get("Forwarded"); f != "" {
		for _, part := range strings.Split(strings.Split(f, ",")[0], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(k, "for") {
				v = strings.Trim(v, `"`) // for="[2001:db8::1]:4711" or for=192.0.2.60
				if host, _, err := net.SplitHostPort(v); err == nil {
					v = host
				}
				v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
				if net.ParseIP(v) != nil {
					return v
				}
			}
		}
	}
	if x := h.Get("X-Forwarded-For"); x != "" {
		first := strings.TrimSpace(strings.Split(x, ",")[0])
		if net.ParseIP(first) != nil {
			return first
		}
	}
	return ""
}

func forwardedProto(h http.Header) string {
	if f := h.Get("Forwarded"); f != "" {
		for _, part := range strings.Split(strings.Split(f, ",")[0], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(k, "proto") {
				return strings.ToLower(strings.Trim(v, `"`))
			}
		}
	}
	return strings.ToLower(strings.TrimSpace(strings.Split(h.Get("X-Forwarded-Proto"), ",")[0]))
}
