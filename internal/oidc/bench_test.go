package oidc

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
