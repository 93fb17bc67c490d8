package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// BenchmarkClientCredentials measures one warm client_credentials request through the whole
// handler stack (request id middleware, mux, parsing, client authentication, scope intersection,
// ES384 signing, response), with the directory and keys cached as in production.
func BenchmarkClientCredentials(b *testing.B) {
	request := clientCredentialsRequester(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := request(); rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkClientCredentialsParallel is the same request from GOMAXPROCS goroutines: the
// throughput one process reaches, including contention on the shared caches.
func BenchmarkClientCredentialsParallel(b *testing.B) {
	request := clientCredentialsRequester(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := request(); rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

// clientCredentialsRequester returns a function sending one client_credentials request through
// a fixture's full handler, after a first request has warmed the caches.
func clientCredentialsRequester(b *testing.B) func() *httptest.ResponseRecorder {
	f := newFixture(b)
	body := form("grant_type", "client_credentials", "resource", apiIndicator, "scope", "read write")
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.m2m.ID+":"+f.m2mSecret))
	request := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/oidc/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		f.handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := request(); rec.Code != http.StatusOK { // warms the caches
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return request
}

// BenchmarkRefreshTokenRotation measures one refresh_token request of a public client, which
// rotates on every use: find the token and its grant and user, sign an ID token, consume the old
// refresh token and store the new one with an opaque access token in one transaction.
func BenchmarkRefreshTokenRotation(b *testing.B) {
	f := newFixture(b)
	refresh := benchSPATokens(b, f)["refresh_token"].(string)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		body := form("grant_type", "refresh_token", "client_id", f.spa.ID, "refresh_token", refresh)
		rec := serve(f, http.MethodPost, "/oidc/token", body, "")
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			b.Fatal(err)
		}
		refresh = out["refresh_token"].(string)
	}
}

// BenchmarkUserinfo measures GET /oidc/me with an opaque access token: find the token, its grant
// and its user, and write the claims.
func BenchmarkUserinfo(b *testing.B) {
	f := newFixture(b)
	at := benchSPATokens(b, f)["access_token"].(string)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := serve(f, http.MethodGet, "/oidc/me", "", "Bearer "+at); rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkUserinfoParallel is userinfo from GOMAXPROCS goroutines.
func BenchmarkUserinfoParallel(b *testing.B) {
	f := newFixture(b)
	at := benchSPATokens(b, f)["access_token"].(string)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := serve(f, http.MethodGet, "/oidc/me", "", "Bearer "+at); rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

// serve sends one request through the fixture's whole handler stack.
func serve(f *fixture, method, path, body, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// benchSPATokens signs alice into the SPA through the real endpoints (the experience simulated
// as in the tests) and returns the token response.
func benchSPATokens(b *testing.B, f *fixture) map[string]any {
	b.Helper()
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	rec := serve(f, http.MethodGet, "/oidc/auth?"+form("client_id", f.spa.ID, "redirect_uri", spaCallback, "response_type", "code",
		"scope", "openid offline_access profile email", "prompt", "consent",
		"code_challenge", oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method", "S256"), "", "")
	resp := rec.Result()
	var cookies []*http.Cookie
	cookies = append(cookies, resp.Cookies()...)
	var uid string
	for _, c := range cookies {
		if c.Name == cookie.Interaction {
			raw, _ := url.QueryUnescape(c.Value)
			var m map[string]string
			_ = json.Unmarshal([]byte(raw), &m)
			uid = m[f.spa.ID]
		}
	}
	in, err := f.svc.GetInteraction(ctx, model.DefaultTenantID, uid)
	must(b, err)
	in.Result = &model.InteractionResult{AccountID: f.alice.ID, AuthTime: f.clk.Now().Unix(), Event: "SignIn"}
	_, err = f.svc.SaveInteraction(ctx, model.DefaultTenantID, in)
	must(b, err)
	req := httptest.NewRequest(http.MethodGet, "/oidc/auth/"+uid, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	loc, err := url.Parse(rec.Header().Get("Location"))
	must(b, err)
	rec = serve(f, http.MethodPost, "/oidc/token", form("grant_type", "authorization_code", "client_id", f.spa.ID,
		"code", loc.Query().Get("code"), "redirect_uri", spaCallback, "code_verifier", verifier), "")
	if rec.Code != http.StatusOK {
		b.Fatalf("exchange: %d %s", rec.Code, rec.Body)
	}
	var out map[string]any
	must(b, json.Unmarshal(rec.Body.Bytes(), &out))
	return out
}
