package oauth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func TestParseRequestCredentials(t *testing.T) {
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, body, auth string
		wantID, wantSec  string
		wantMethod       AuthMethod
		wantErr          string // error_description; "" = no error
	}{
		{name: "basic", body: "grant_type=x", auth: b64("app:s3cret"), wantID: "app", wantSec: "s3cret", wantMethod: AuthSecretBasic},
		// RFC 6749 §2.3.1: id and secret are form-url-encoded inside Basic.
		{name: "basic form-encoded", auth: b64("my%3Aapp:a+b%2Bc%25"), wantID: "my:app", wantSec: "a b+c%", wantMethod: AuthSecretBasic},
		{name: "basic unpadded base64", auth: "Basic " + strings.TrimRight(base64.StdEncoding.EncodeToString([]byte("ab:c")), "="), wantID: "ab", wantSec: "c", wantMethod: AuthSecretBasic},
		{name: "basic scheme case-insensitive", auth: "bAsIc " + base64.StdEncoding.EncodeToString([]byte("a:b")), wantID: "a", wantSec: "b", wantMethod: AuthSecretBasic},
		{name: "basic secret with colon", auth: b64("a:b:c"), wantID: "a", wantSec: "b:c", wantMethod: AuthSecretBasic},
		{name: "basic and matching client_id", body: "client_id=a", auth: b64("a:b"), wantID: "a", wantSec: "b", wantMethod: AuthSecretBasic},
		{name: "post", body: "client_id=a&client_secret=b", wantID: "a", wantSec: "b", wantMethod: AuthSecretPost},
		{name: "none", body: "client_id=a", wantID: "a", wantMethod: AuthNone},
		{name: "assertion", body: "client_id=a&client_assertion=x.y.z", wantID: "a", wantMethod: AuthAssertion},
		{name: "nothing", body: "grant_type=x", wantErr: "no client authentication mechanism provided"},
		{name: "empty client_secret is absent", body: "client_id=a&client_secret=", wantID: "a", wantMethod: AuthNone},
		{name: "two mechanisms", body: "client_secret=b", auth: b64("a:b"), wantErr: "client authentication must only be provided using one mechanism"},
		{name: "secret and assertion", body: "client_id=a&client_secret=b&client_assertion=x", wantErr: "client authentication must only be provided using one mechanism"},
		{name: "mismatch", body: "client_id=z", auth: b64("a:b"), wantErr: "client_id mismatch"},
		{name: "bad padding", auth: "Basic YWI6Yw=", wantErr: "invalid authorization header value format"},
		{name: "too much padding", auth: "Basic YQ===", wantErr: "invalid authorization header value format"},
		{name: "url-safe alphabet", auth: "Basic ab-_", wantErr: "invalid authorization header value format"},
		{name: "two spaces", auth: "Basic  " + base64.StdEncoding.EncodeToString([]byte("a:b")), wantErr: "invalid authorization header value format"},
		{name: "empty header", auth: "", wantErr: "invalid authorization header value format"},
		{name: "bad escape", auth: b64("a%zz:b"), wantErr: "client_id and client_secret in the authorization header are not properly encoded"},
		{name: "control character", auth: b64("a:b%0A"), wantErr: "client_id and client_secret in the authorization header are not properly encoded"},
		{name: "empty secret", auth: b64("a:"), wantErr: "client_secret must be provided in the Authorization header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/oidc/token", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.auth != "" || tc.name == "empty header" {
				r.Header["Authorization"] = []string{tc.auth}
			}
			req, oerr := ParseRequest(r)
			if tc.wantErr != "" {
				if oerr == nil || oerr.Code != "invalid_request" || oerr.Status != 400 || oerr.Description != tc.wantErr {
					t.Fatalf("err = %v, want invalid_request %q", oerr, tc.wantErr)
				}
				return
			}
			if oerr != nil {
				t.Fatalf("unexpected error %v", oerr)
			}
			if req.ClientID != tc.wantID || req.ClientSecret != tc.wantSec || req.AuthMethod != tc.wantMethod {
				t.Errorf("got id %q secret %q method %v", req.ClientID, req.ClientSecret, req.AuthMethod)
			}
		})
	}
}

func TestParseRequestResources(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/oidc/token",
		strings.NewReader("client_id=a&resource=https://a,https://b&resource=https://c&resource="))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req, oerr := ParseRequest(r)
	if oerr != nil {
		t.Fatal(oerr)
	}
	if want := []string{"https://a", "https://b", "https://c"}; !slices.Equal(req.Resources, want) {
		t.Errorf("resources = %q, want %q", req.Resources, want)
	}
}

func TestGrantAllowed(t *testing.T) {
	yes := true
	deviceNative := model.Application{Type: model.AppNative, CustomClientMetadata: model.CustomClientMetadata{IsDeviceFlow: &yes}}
	exchangeM2M := model.Application{Type: model.AppMachineToMachine, CustomClientMetadata: model.CustomClientMetadata{AllowTokenExchange: &yes}}
	for _, tc := range []struct {
		app   model.Application
		grant string
		want  bool
	}{
		{model.Application{Type: model.AppMachineToMachine}, GrantClientCredentials, true},
		{model.Application{Type: model.AppMachineToMachine}, GrantAuthorizationCode, false},
		{model.Application{Type: model.AppMachineToMachine}, GrantRefreshToken, false},
		{model.Application{Type: model.AppMachineToMachine}, GrantTokenExchange, false},
		{exchangeM2M, GrantTokenExchange, true},
		{model.Application{Type: model.AppTraditional}, GrantClientCredentials, false},
		{model.Application{Type: model.AppTraditional}, GrantAuthorizationCode, true},
		{model.Application{Type: model.AppSPA}, GrantRefreshToken, true},
		{model.Application{Type: model.AppProtected}, GrantTokenExchange, false},
		{model.Application{Type: model.AppNative}, GrantDeviceCode, false},
		{deviceNative, GrantDeviceCode, true},
		{deviceNative, GrantAuthorizationCode, false},
		{model.Application{Type: model.AppSAML}, "password", false},
	} {
		if got := GrantAllowed(&tc.app, tc.grant); got != tc.want {
			t.Errorf("GrantAllowed(%s, %s) = %v, want %v", tc.app.Type, tc.grant, got, tc.want)
		}
	}
}

func TestParseRequestBodyLimit(t *testing.T) {
	prefix := "client_id=a&pad="
	for _, tc := range []struct {
		size   int
		status int // 0 = accepted
	}{
		{MaxBodyBytes, 0},
		{MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
	} {
		body := prefix + strings.Repeat("x", tc.size-len(prefix))
		for _, chunked := range []bool{false, true} {
			r := httptest.NewRequest(http.MethodPost, "/oidc/token", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if chunked {
				r.ContentLength = -1 // length unknown: the limit must hold while reading
			}
			_, oerr := ParseRequest(r)
			switch {
			case tc.status == 0 && oerr != nil:
				t.Errorf("%d bytes (chunked %v): %v", tc.size, chunked, oerr)
			case tc.status != 0 && (oerr == nil || oerr.Status != tc.status):
				t.Errorf("%d bytes (chunked %v): %v, want status %d", tc.size, chunked, oerr, tc.status)
			}
		}
	}
}
