package oidc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TestClientCredentialsWithIndependentClients obtains a token the way a real M2M client does
// (golang.org/x/oauth2) and verifies it the way a resource server does (go-jose against the
// published JWKS).
func TestClientCredentialsWithIndependentClients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"client_secret_basic", oauth2.AuthStyleInHeader}, {"client_secret_post", oauth2.AuthStyleInParams}} {
		t.Run(style.name, func(t *testing.T) {
			cfg := clientcredentials.Config{
				ClientID:       f.m2m.ID,
				ClientSecret:   f.m2mSecret,
				TokenURL:       f.issuer + "/token",
				Scopes:         []string{"read", "admin", "no-such-scope"},
				EndpointParams: url.Values{"resource": {apiIndicator}},
			}
			cfg.AuthStyle = style.style
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("token: %v", err)
			}
			if tok.TokenType != "Bearer" {
				t.Errorf("token_type = %q, want Bearer", tok.TokenType)
			}
			if got := tok.Extra("scope"); got != "read" {
				t.Errorf("response scope = %v, want read (admin not granted, unknown dropped)", got)
			}
			if tok.RefreshToken != "" {
				t.Error("client_credentials must not issue a refresh token")
			}
			if d := time.Until(tok.Expiry); d < 7000*time.Second || d > 7200*time.Second {
				t.Errorf("expires in %v, want the resource's 7200 s", d)
			}

			claims, header := verifyWithJWKS(t, f, tok.AccessToken)
			if header.ExtraHeaders[jose.HeaderType] != "at+jwt" {
				t.Errorf("typ = %v, want at+jwt", header.ExtraHeaders[jose.HeaderType])
			}
			if header.Algorithm != string(jose.ES384) {
				t.Errorf("alg = %s, want ES384", header.Algorithm)
			}
			if err := claims.Claims.ValidateWithLeeway(jwt.Expected{
				Issuer:      f.issuer,
				Subject:     f.m2m.ID,
				AnyAudience: jwt.Audience{apiIndicator},
				Time:        time.Now(),
			}, time.Minute); err != nil {
				t.Errorf("claims: %v", err)
			}
			if claims.Scope != "read" || claims.ClientID != f.m2m.ID || claims.ID == "" {
				t.Errorf("scope=%q client_id=%q jti=%q", claims.Scope, claims.ClientID, claims.ID)
			}
		})
	}
}

type accessClaims struct {
	jwt.Claims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
}

// verifyWithJWKS fetches the JWKS over HTTP and verifies token's signature with it.
func verifyWithJWKS(t *testing.T, f *fixture, token string) (accessClaims, jose.Header) {
	t.Helper()
	resp, err := http.Get(f.issuer + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("decode jwks: %v", err)
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES384, jose.ES256, jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	var claims accessClaims
	if err := parsed.Claims(set, &claims); err != nil {
		t.Fatalf("verify token with the JWKS: %v", err)
	}
	return claims, parsed.Headers[0]
}

func TestDiscoveryAdvertisesOnlyServedEndpoints(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		resp, err := http.Get(f.issuer + path)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, decode error %v", path, resp.StatusCode, err)
		}
		for name, want := range map[string]any{
			"issuer":                                         doc["issuer"], // checked below
			"id_token_signing_alg_values_supported":          []any{"ES384"},
			"grant_types_supported":                          []any{"authorization_code", "refresh_token", "client_credentials"},
			"response_types_supported":                       []any{"code"},
			"response_modes_supported":                       []any{"form_post", "fragment", "query"},
			"code_challenge_methods_supported":               []any{"S256"},
			"token_endpoint_auth_methods_supported":          []any{"client_secret_basic", "client_secret_post", "none"},
			"subject_types_supported":                        []any{"public"},
			"authorization_response_iss_parameter_supported": true,
			"claims_parameter_supported":                     false,
			"request_uri_parameter_supported":                false,
		} {
			if got := doc[name]; !equalJSON(got, want) {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		if doc["issuer"] != f.issuer {
			t.Errorf("issuer = %v, want %s", doc["issuer"], f.issuer)
		}
		// What LobeChat, Auth.js, LibreChat and Open WebUI ask for must be advertised.
		for _, scope := range []string{"openid", "offline_access", "profile", "email", "phone", "roles", "custom_data", "identities"} {
			if !containsJSON(doc["scopes_supported"], scope) {
				t.Errorf("scopes_supported lacks %s: %v", scope, doc["scopes_supported"])
			}
		}
		for _, claim := range []string{"sub", "name", "username", "picture", "email", "email_verified", "roles", "created_at", "updated_at", "sid", "auth_time"} {
			if !containsJSON(doc["claims_supported"], claim) {
				t.Errorf("claims_supported lacks %s: %v", claim, doc["claims_supported"])
			}
		}
		// Every advertised endpoint answers something other than 404 or 5xx to a bare request.
		endpoints := 0
		for name, v := range doc {
			if !strings.HasSuffix(name, "_endpoint") && name != "jwks_uri" {
				continue
			}
			endpoints++
			method := http.MethodGet
			switch name {
			case "token_endpoint", "introspection_endpoint", "revocation_endpoint":
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, v.(string), strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode == http.StatusNotFound || r.StatusCode >= 500 {
				t.Errorf("%s %s (%s) answered %d", method, v, name, r.StatusCode)
			}
		}
		if endpoints != 7 {
			t.Errorf("advertised %d endpoints, want authorization, token, userinfo, jwks, end_session, introspection, revocation", endpoints)
		}
	}
}

func containsJSON(list any, want string) bool {
	items, _ := list.([]any)
	for _, item := range items {
		if item == want {
			return true
		}
	}
	return false
}

func TestJWKSHeaders(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.issuer + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Cache-Control"); got != "no-cache, max-age=0, must-revalidate" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/jwk-set+json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
}

func equalJSON(a any, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// tokenCase is one request to the token endpoint and what a client must see.
type tokenCase struct {
	name        string
	method      string // default POST
	path        string // default /token
	contentType string // default form
	body        string
	auth        string // Authorization header

	status      int
	err         string // expected `error`; "" for success
	description string // expected error_description, when it matters
	scope       *string
	wwwAuth     bool
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func strptr(s string) *string { return &s }

// TestTokenEndpointAnswers checks each token request observed against Logto (logto-observed.md)
// and the hostile variants around client authentication, resources and scopes.
func TestTokenEndpointAnswers(t *testing.T) {
	f := newFixture(t)
	cc := "client_credentials"
	post := func(extra ...string) string {
		return form(append([]string{"grant_type", cc, "client_id", f.m2m.ID, "client_secret", f.m2mSecret}, extra...)...)
	}
	cases := []tokenCase{
		{name: "basic auth succeeds", auth: basic(f.m2m.ID, f.m2mSecret), body: form("grant_type", cc, "resource", apiIndicator, "scope", "read write"), status: 200, scope: strptr("read write")},
		{name: "post auth succeeds", body: post("resource", apiIndicator, "scope", "write"), status: 200, scope: strptr("write")},
		{name: "no scope gives empty scope", body: post("resource", apiIndicator), status: 200, scope: strptr("")},
		{name: "ungranted and unknown scopes dropped", body: post("resource", apiIndicator, "scope", "admin read read nope"), status: 200, scope: strptr("read")},
		{name: "scope of another resource dropped", body: post("resource", billingIndicator, "scope", "read pay"), status: 200, scope: strptr("")},
		{name: "second valid named secret works", auth: basic(f.m2m.ID, f.m2mSecond), body: form("grant_type", cc, "resource", apiIndicator, "scope", "read"), status: 200, scope: strptr("read")},
		{name: "JSON body accepted like a form", contentType: "application/json", body: `{"grant_type":"client_credentials","client_id":"` + f.m2m.ID + `","client_secret":"` + f.m2mSecret + `","resource":"` + apiIndicator + `","scope":"read"}`, status: 200, scope: strptr("read")},
		{name: "JSON resource array of one", contentType: "application/json; charset=utf-8", auth: basic(f.m2m.ID, f.m2mSecret), body: `{"grant_type":"client_credentials","resource":["` + apiIndicator + `"]}`, status: 200, scope: strptr("")},
		{name: "same resource twice counts once", body: post("resource", apiIndicator, "resource", apiIndicator, "scope", "read"), status: 200, scope: strptr("read")},
		{name: "latin1 body", contentType: "application/x-www-form-urlencoded; charset=latin1", body: post("resource", apiIndicator), status: 200, scope: strptr("")},

		// Observed Logto answers (logto-observed.md, "OIDC error answers observed").
		{name: "malformed Basic !!!", auth: "Basic !!!", body: form("grant_type", cc, "resource", apiIndicator), status: 400, err: "invalid_request", description: "invalid authorization header value format"},
		{name: "Basic without colon", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(f.m2m.ID+f.m2mSecret)), body: form("grant_type", cc), status: 400, err: "invalid_request"},
		{name: "bare Basic", auth: "Basic", body: form("grant_type", cc), status: 400, err: "invalid_request"},
		{name: "Basic and client_secret", auth: basic(f.m2m.ID, f.m2mSecret), body: post("resource", apiIndicator), status: 400, err: "invalid_request", description: "client authentication must only be provided using one mechanism"},
		{name: "no client authentication", body: form("grant_type", cc, "resource", apiIndicator), status: 400, err: "invalid_request", description: "no client authentication mechanism provided"},
		{name: "grant_type password", body: form("grant_type", "password", "client_id", f.m2m.ID, "client_secret", f.m2mSecret, "username", "u", "password", "p"), status: 400, err: "unsupported_grant_type"},
		{name: "no grant_type", body: form("client_id", f.m2m.ID, "client_secret", f.m2mSecret), status: 400, err: "invalid_request"},
		{name: "Traditional app doing client_credentials", auth: basic(f.web.ID, f.webSecret), body: form("grant_type", cc, "resource", apiIndicator), status: 400, err: "invalid_request", description: "requested grant type is not allowed for this client"},
		{name: "GET /oidc/token", method: http.MethodGet, status: 404, err: "invalid_request", description: "unrecognized route or not allowed method (GET on /token)"},
		{name: "NUL in grant_type", body: "grant_type=client_credentials%00&client_id=" + f.m2m.ID + "&client_secret=" + f.m2mSecret, status: 400, err: "invalid_request"},
		{name: "raw NUL byte in body", body: "grant_type=client_credentials\x00&client_id=" + f.m2m.ID, status: 400, err: "invalid_request"},
		{name: "200 kB body", body: post("resource", apiIndicator, "padding", strings.Repeat("a", 200<<10)), status: 413, err: "invalid_request"},
		{name: "unknown client_id", body: form("grant_type", cc, "client_id", "not-found", "client_secret", "not-found"), status: 401, err: "invalid_client", description: "client authentication failed"},
		{name: "unknown client_id with Basic", auth: basic("not-found", "x"), body: form("grant_type", cc), status: 401, err: "invalid_client", description: "client authentication failed", wwwAuth: true},
		{name: "wrong secret with Basic", auth: basic(f.m2m.ID, "wrong"), body: form("grant_type", cc, "resource", apiIndicator), status: 401, err: "invalid_client", wwwAuth: true},
		{name: "wrong secret in body", body: form("grant_type", cc, "client_id", f.m2m.ID, "client_secret", "wrong", "resource", apiIndicator), status: 401, err: "invalid_client"},
		{name: "client_credentials without resource", body: post(), status: 400, err: "invalid_target", description: "both `resource` and `organization_id` are not provided"},
		{name: "unknown resource", body: post("resource", "https://not-found"), status: 400, err: "invalid_target", description: "resource indicator is missing, or unknown"},

		// Hostile variants.
		{name: "secret of another app", auth: basic(f.m2m.ID, f.otherSecret), body: form("grant_type", cc, "resource", apiIndicator), status: 401, err: "invalid_client", wwwAuth: true},
		{name: "expired secret", auth: basic(f.m2m.ID, f.m2mExpired), body: form("grant_type", cc, "resource", apiIndicator), status: 400, err: "invalid_request", description: "client secret has expired"},
		{name: "resource of another tenant", body: post("resource", otherIndicator), status: 400, err: "invalid_target"},
		{name: "two resources", body: post("resource", apiIndicator, "resource", billingIndicator), status: 400, err: "invalid_target", description: "only a single resource indicator value is supported for this grant type"},
		{name: "two resources comma separated", body: post("resource", apiIndicator+","+billingIndicator), status: 400, err: "invalid_target"},
		{name: "repeated grant_type", body: post("grant_type", cc, "resource", apiIndicator), status: 400, err: "invalid_request", description: "'grant_type' parameter must not be provided twice"},
		{name: "repeated client_secret", body: post("client_secret", "x", "resource", apiIndicator), status: 400, err: "invalid_request"},
		{name: "JSON nested object", contentType: "application/json", body: `{"grant_type":{"nested":"client_credentials"},"client_id":"` + f.m2m.ID + `","client_secret":"` + f.m2mSecret + `"}`, status: 400, err: "invalid_request"},
		{name: "JSON nested array", contentType: "application/json", body: `{"grant_type":"client_credentials","client_id":"` + f.m2m.ID + `","client_secret":"` + f.m2mSecret + `","resource":[["` + apiIndicator + `"]]}`, status: 400, err: "invalid_request"},
		{name: "JSON repeated key", contentType: "application/json", body: `{"grant_type":"client_credentials","grant_type":"client_credentials","client_id":"` + f.m2m.ID + `","client_secret":"` + f.m2mSecret + `","resource":"` + apiIndicator + `"}`, status: 400, err: "invalid_request"},
		{name: "JSON not an object", contentType: "application/json", body: `["grant_type"]`, status: 400, err: "invalid_request"},
		{name: "JSON trailing garbage", contentType: "application/json", body: `{"grant_type":"client_credentials"} {}`, status: 400, err: "invalid_request"},
		{name: "JSON escaped NUL", contentType: "application/json", body: `{"grant_type":"client_credentials\u0000","client_id":"` + f.m2m.ID + `","client_secret":"` + f.m2mSecret + `"}`, status: 400, err: "invalid_request"},
		{name: "invalid UTF-8 client_id", body: form("grant_type", cc, "client_id", "\xff\xfe", "client_secret", "x"), status: 400, err: "invalid_request"},
		{name: "client_id mismatch", auth: basic(f.m2m.ID, f.m2mSecret), body: form("grant_type", cc, "client_id", f.m2mOther.ID), status: 400, err: "invalid_request", description: "client_id mismatch"},
		{name: "Bearer authorization", auth: "Bearer abc", body: form("grant_type", cc), status: 400, err: "invalid_request"},
		{name: "Basic with non-ASCII secret", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(f.m2m.ID+":%C3%A9")), body: form("grant_type", cc), status: 400, err: "invalid_request"},
		{name: "Basic with empty secret", auth: basic(f.m2m.ID, ""), body: form("grant_type", cc), status: 400, err: "invalid_request"},
		{name: "confidential client without secret", body: form("grant_type", cc, "client_id", f.m2m.ID, "resource", apiIndicator), status: 401, err: "invalid_client"},
		{name: "public client sending a secret", body: form("grant_type", cc, "client_id", f.spa.ID, "client_secret", "anything"), status: 401, err: "invalid_client"},
		{name: "public client asking client_credentials", body: form("grant_type", cc, "client_id", f.spa.ID, "resource", apiIndicator), status: 400, err: "invalid_request", description: "requested grant type is not allowed for this client"},
		{name: "client_assertion is not a registered method", body: form("grant_type", cc, "client_id", f.m2m.ID, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", "a.b.c"), status: 401, err: "invalid_client"},
		{name: "organization_id without organizations", body: post("organization_id", "org"), status: 403, err: "access_denied"},
		{name: "text/plain body", contentType: "text/plain", body: post("resource", apiIndicator), status: 400, err: "invalid_request"},
		{name: "unknown charset", contentType: "application/x-www-form-urlencoded; charset=ebcdic", body: post("resource", apiIndicator), status: 415, err: "invalid_request"},
		{name: "semicolon separated form", body: "grant_type=client_credentials;client_id=" + f.m2m.ID, status: 400, err: "invalid_request"},
		{name: "unknown path", path: "/nope", method: http.MethodPost, status: 404, err: "invalid_request"},
		{name: "DELETE jwks", path: "/jwks", method: http.MethodDelete, status: 404, err: "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, f, tc)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.status, body)
			}
			checkAnswer(t, resp, body, tc)
		})
	}
}

// TestTokenClientAuthFailuresAreIndistinguishable: an unknown client id and a known client with
// a wrong secret get the same answer, byte for byte (RFC 6749 §5.2: 401 invalid_client, with
// WWW-Authenticate when the client used Basic), and the answer never echoes the client id, so a
// prober cannot list which client ids exist. Logto answers an unknown id 400 "invalid client <id>".
func TestTokenClientAuthFailuresAreIndistinguishable(t *testing.T) {
	f := newFixture(t)
	const unknown = "no-such-client-4711"
	for _, via := range []string{"Basic", "client_secret_post"} {
		t.Run(via, func(t *testing.T) {
			answer := func(id string) (int, string, string) {
				tc := tokenCase{body: form("grant_type", "client_credentials", "resource", apiIndicator)}
				if via == "Basic" {
					tc.auth = basic(id, "wrong-secret")
				} else {
					tc.body = form("grant_type", "client_credentials", "resource", apiIndicator, "client_id", id, "client_secret", "wrong-secret")
				}
				resp, body := do(t, f, tc)
				return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
			}
			knownStatus, knownChallenge, knownBody := answer(f.m2m.ID)
			unknownStatus, unknownChallenge, unknownBody := answer(unknown)
			if knownStatus != http.StatusUnauthorized || unknownStatus != http.StatusUnauthorized {
				t.Fatalf("statuses: wrong secret %d, unknown client %d; want 401 for both", knownStatus, unknownStatus)
			}
			if knownBody != unknownBody || knownChallenge != unknownChallenge {
				t.Fatalf("the answers differ:\n wrong secret:   %s %q\n unknown client: %s %q", knownBody, knownChallenge, unknownBody, unknownChallenge)
			}
			if strings.Contains(unknownBody, unknown) || strings.Contains(unknownChallenge, unknown) {
				t.Fatalf("the answer echoes the client id: %s %q", unknownBody, unknownChallenge)
			}
			if (via == "Basic") != (unknownChallenge != "") {
				t.Fatalf("WWW-Authenticate %q after %s authentication", unknownChallenge, via)
			}
		})
	}
}

func TestTokenEndpointUTF16Body(t *testing.T) {
	f := newFixture(t)
	text := form("grant_type", "client_credentials", "client_id", f.m2m.ID, "client_secret", f.m2mSecret, "resource", apiIndicator)
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(text)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	tc := tokenCase{contentType: "application/x-www-form-urlencoded; charset=utf16le", body: b.String(), status: 200, scope: strptr("")}
	resp, body := do(t, f, tc)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	checkAnswer(t, resp, body, tc)
}

func TestParseErrorFalseGivesPlainOAuthBody(t *testing.T) {
	f := newFixture(t)
	tc := tokenCase{path: "/token?parse_error=false", body: form("grant_type", "client_credentials")}
	_, body := do(t, f, tc)
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["code"]; ok || got["error"] != "invalid_request" {
		t.Errorf("body = %s, want only error and error_description", body)
	}
}

func do(t *testing.T, f *fixture, tc tokenCase) (*http.Response, []byte) {
	t.Helper()
	method, path, ct := tc.method, tc.path, tc.contentType
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/token"
	}
	if ct == "" {
		ct = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, f.issuer+path, strings.NewReader(tc.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	if tc.auth != "" {
		req.Header.Set("Authorization", tc.auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// checkAnswer checks a token endpoint answer: never a 500; an error is Logto's JSON body with the
// expected `error`; a success is a complete, uncacheable token response.
func checkAnswer(t *testing.T, resp *http.Response, body []byte, tc tokenCase) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d for bad input: %s", resp.StatusCode, body)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
	}
	if tc.err != "" {
		var e struct {
			Code, Message, Error, ErrorDescription string `json:",omitempty"`
		}
		var raw map[string]string
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("error body %s: %v", body, err)
		}
		e.Code, e.Message, e.Error, e.ErrorDescription = raw["code"], raw["message"], raw["error"], raw["error_description"]
		if e.Error != tc.err || e.Code != "oidc."+tc.err || e.Message == "" {
			t.Errorf("body = %s, want error %s with code oidc.%s and a message", body, tc.err, tc.err)
		}
		if tc.description != "" && e.ErrorDescription != tc.description {
			t.Errorf("error_description = %q, want %q", e.ErrorDescription, tc.description)
		}
		if _, ok := raw["access_token"]; ok {
			t.Error("an error answer carries an access token")
		}
		hasWWW := resp.Header.Get("WWW-Authenticate") != ""
		if hasWWW != tc.wwwAuth {
			t.Errorf("WWW-Authenticate = %q, want present=%v", resp.Header.Get("WWW-Authenticate"), tc.wwwAuth)
		}
		if tc.wwwAuth && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Basic realm="`) {
			t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
		}
		return
	}
	var ok map[string]any
	if err := json.Unmarshal(body, &ok); err != nil {
		t.Fatalf("token body %s: %v", body, err)
	}
	if ok["token_type"] != "Bearer" || ok["access_token"] == "" || ok["expires_in"] == nil {
		t.Errorf("token body = %s", body)
	}
	scope, present := ok["scope"]
	if !present {
		t.Errorf("scope missing from %s; Logto always sends it", body)
	}
	if tc.scope != nil && scope != *tc.scope {
		t.Errorf("scope = %v, want %q", scope, *tc.scope)
	}
	if _, ok := ok["refresh_token"]; ok {
		t.Error("client_credentials issued a refresh token")
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Pragma") != "no-cache" {
		t.Errorf("Cache-Control %q, Pragma %q", resp.Header.Get("Cache-Control"), resp.Header.Get("Pragma"))
	}
}

// TestClientCredentialsDefaultResource: without `resource`, the tenant's default resource is the
// audience, as in Logto ("should fall back to the default resource server").
func TestClientCredentialsDefaultResource(t *testing.T) {
	f := newFixture(t)
	must(t, f.st.Tenant("default").Resources().SetDefault(context.Background(), f.api.ID, true))
	tc := tokenCase{body: form("grant_type", "client_credentials", "scope", "write"), auth: basic(f.m2m.ID, f.m2mSecret), status: 200, scope: strptr("write")}
	resp, body := do(t, f, tc)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	checkAnswer(t, resp, body, tc)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	must(t, json.Unmarshal(body, &tok))
	claims, _ := verifyWithJWKS(t, f, tok.AccessToken)
	if len(claims.Audience) != 1 || claims.Audience[0] != apiIndicator {
		t.Errorf("aud = %v, want the default resource %s", claims.Audience, apiIndicator)
	}
}
