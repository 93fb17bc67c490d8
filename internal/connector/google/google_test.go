package google

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

func TestGoogleAuthorizationRequest(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/o/oauth2/v2/auth",
			"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/certs"})
	}))
	defer srv.Close()
	s, err := Factory{Issuer: srv.URL}.Social(json.RawMessage(`{"clientId":"g-1","clientSecret":"s","prompts":["consent","select_account"],"offlineAccess":true}`),
		connector.NewClient(connector.ClientOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	raw, sess, err := s.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://a/cb", State: "st"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if u.Path != "/o/oauth2/v2/auth" || q.Get("prompt") != "consent select_account" || q.Get("access_type") != "offline" ||
		q.Get("scope") != "openid profile email" || q.Get("nonce") != sess.Nonce || q.Get("client_id") != "g-1" {
		t.Errorf("authorization URL = %s", raw)
	}
}

func TestGoogleConfig(t *testing.T) {
	var ce *connector.ConfigError
	for raw, field := range map[string]string{
		`{"clientSecret":"s"}`: "clientId",
		`{"clientId":"a","clientSecret":"s","prompts":["login"]}`: "prompts",
	} {
		if err := (Factory{}).CheckConfig(json.RawMessage(raw)); !errors.As(err, &ce) || ce.Field != field {
			t.Errorf("%s: %v; want field %s", raw, err, field)
		}
	}
	if m := (Factory{}).Metadata(); m.ID != "google-universal" || m.Target != "google" || m.IsStandard {
		t.Errorf("metadata = %+v", m)
	}
}
