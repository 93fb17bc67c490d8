package oautherr

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriteLogtoShape(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    *Error
		target string
		want   map[string]string
	}{
		{"invalid_request", BadRequest("missing required parameter 'grant_type'"), "/oidc/token",
			map[string]string{"code": "oidc.invalid_request", "message": "Request is invalid.", "error": "invalid_request", "error_description": "missing required parameter 'grant_type'"}},
		{"fallback message", ClientAuthFailed(), "/oidc/token",
			map[string]string{"code": "oidc.invalid_client", "message": "An OIDC error occurred: oidc.invalid_client.", "error": "invalid_client", "error_description": "client authentication failed"}},
		{"invalid_grant has an error_uri", New(400, InvalidGrant, "grant request is invalid"), "/oidc/token",
			map[string]string{"code": "oidc.invalid_grant", "message": "Grant request is invalid.", "error_uri": "https://openid.sh/debug/invalid_grant", "error": "invalid_grant", "error_description": "grant request is invalid"}},
		{"parse_error=false gives the RFC body", BadRequest("x"), "/oidc/token?parse_error=false",
			map[string]string{"error": "invalid_request", "error_description": "x"}},
		{"internal", Internal(), "/oidc/token",
			map[string]string{"code": "oidc.server_error", "message": "An unknown OIDC error occurred. Please try again later.", "error": "server_error", "error_description": "oops! something went wrong"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Write(rec, httptest.NewRequest(http.MethodPost, tc.target, nil), tc.err)
			if rec.Code != tc.err.Status {
				t.Errorf("status = %d, want %d", rec.Code, tc.err.Status)
			}
			var got map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("body = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
