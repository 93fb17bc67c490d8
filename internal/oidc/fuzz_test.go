package oidc

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzTokenRequest throws arbitrary bodies, content types and Authorization headers at the token
// endpoint. Whatever arrives, the answer is a 4xx OAuth error: no panic, no 500, and never a
// token, since no input carries a real secret (secrets are compared in constant time over
// digests, so coverage guidance cannot home in on one).
func FuzzTokenRequest(f *testing.F) {
	fx := newFixture(f)
	id := fx.m2m.ID
	for _, seed := range []struct{ contentType, body, auth string }{
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=" + id + "&client_secret=wrong&resource=" + apiIndicator + "&scope=read", ""},
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&resource=" + apiIndicator, "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":wrong"))},
		{"application/x-www-form-urlencoded; charset=utf16le", "g\x00=\x00x\x00", ""},
		{"application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=password&resource=a,b,c", "Basic !!!"},
		{"application/json", `{"grant_type":"client_credentials","client_id":"` + id + `","client_secret":"x","resource":["` + apiIndicator + `"]}`, ""},
		{"application/json; charset=latin1", `{"grant_type":{"a":[1,2,{"b":null}]},"client_id":null}`, "basic Og=="},
		{"application/json", `{"client_id":"` + fx.spa.ID + `","grant_type":"client_credentials","organization_id":"o"}`, ""},
		{"", "", ""},
		{"text/plain", "%00", "Basic " + base64.StdEncoding.EncodeToString([]byte("a%ZZ:b"))},
	} {
		f.Add(seed.contentType, []byte(seed.body), seed.auth)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/oidc/token", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("status %d for %q %q %q: %s", rec.Code, contentType, body, auth, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("access_token")) {
			t.Fatalf("a token for %q %q %q", contentType, body, auth)
		}
	})
}
