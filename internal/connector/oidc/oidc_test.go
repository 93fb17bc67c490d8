package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// provider is a fake OpenID provider: discovery, JWKS and a token endpoint that answers an ID
// token built by claims (given the nonce the authorization request carried).
type provider struct {
	t      *testing.T
	srv    *httptest.Server
	key    *ecdsa.PrivateKey
	nonce  string
	claims func(p *provider) map[string]any
	form   url.Values
	issuer string // what discovery says
}

func newProvider(t *testing.T) *provider {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p := &provider{t: t, key: key}
	p.claims = func(p *provider) map[string]any {
		return map[string]any{"iss": p.srv.URL, "aud": "rp-1", "sub": "u-42", "exp": time.Now().Add(time.Hour).Unix(),
			"iat": time.Now().Unix(), "nonce": p.nonce, "name": "Ada", "picture": "https://img/ada.png",
			"email": "ada@example.com", "email_verified": true}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		iss := p.srv.URL
		if p.issuer != "" {
			iss = p.issuer
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "authorization_endpoint": p.srv.URL + "/auth",
			"token_endpoint": p.srv.URL + "/token", "jwks_uri": p.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		p.form = r.PostForm
		io.WriteString(w, `{"access_token":"at","token_type":"Bearer","id_token":"`+p.sign(p.claims(p), p.key)+`"}`)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) sign(claims map[string]any, key *ecdsa.PrivateKey) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		p.t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		p.t.Fatal(err)
	}
	return tok
}

func (p *provider) connector(extra string) connector.Social {
	p.t.Helper()
	raw := `{"issuer":"` + p.srv.URL + `","clientId":"rp-1","clientSecret":"rp-secret","scope":"profile email"` + extra + `}`
	s, err := Factory{}.Social(json.RawMessage(raw), connector.NewClient(connector.ClientOptions{Timeout: time.Second}))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *provider) signIn(c connector.Social) (connector.UserInfo, error) {
	p.t.Helper()
	raw, sess, err := c.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://auth.example.com/callback/o", State: "st"})
	if err != nil {
		return connector.UserInfo{}, err
	}
	u, _ := url.Parse(raw)
	p.nonce = u.Query().Get("nonce")
	if !strings.HasPrefix(raw, p.srv.URL+"/auth?") || u.Query().Get("scope") != "openid profile email" || p.nonce == "" || p.nonce != sess.Nonce {
		p.t.Fatalf("authorization URL = %s", raw)
	}
	return c.UserInfo(context.Background(), sess, url.Values{"code": {"c"}, "state": {"st"}})
}

func TestOIDCWithDiscovery(t *testing.T) {
	p := newProvider(t)
	info, err := p.signIn(p.connector(`,"enablePkce":true`))
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "u-42" || info.Name != "Ada" || info.Avatar != "https://img/ada.png" || info.Email != "ada@example.com" {
		t.Errorf("user = %+v", info)
	}
	if p.form.Get("client_secret") != "rp-secret" || p.form.Get("code_verifier") == "" {
		t.Errorf("token request = %v", p.form)
	}
}

func TestOIDCEmailVerification(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		verified    any
		want        string
	}{
		{"unverified email dropped", "", false, ""},
		{"missing email_verified dropped", "", nil, ""},
		{"string true needs the option", "", "true", ""},
		{"string true accepted with the option", `,"acceptStringTypedBooleanClaims":true`, "true", "ada@example.com"},
		{"trusted unverified", `,"trustUnverifiedEmail":true`, false, "ada@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t)
			base := p.claims
			p.claims = func(p *provider) map[string]any {
				c := base(p)
				c["email_verified"] = tc.verified
				return c
			}
			info, err := p.signIn(p.connector(tc.extra))
			if err != nil || info.Email != tc.want {
				t.Fatalf("email = %q, %v; want %q", info.Email, err, tc.want)
			}
		})
	}
}

func TestOIDCRefusesBadIDTokens(t *testing.T) {
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name  string
		edit  func(p *provider, c map[string]any)
		token func(p *provider, c map[string]any) string
		code  string
	}{
		{name: "wrong nonce", edit: func(_ *provider, c map[string]any) { c["nonce"] = "replayed" }, code: connector.CodeIDTokenInvalid},
		{name: "no nonce", edit: func(_ *provider, c map[string]any) { delete(c, "nonce") }, code: connector.CodeIDTokenInvalid},
		{name: "another audience", edit: func(_ *provider, c map[string]any) { c["aud"] = "someone-else" }, code: connector.CodeIDTokenInvalid},
		{name: "another issuer", edit: func(_ *provider, c map[string]any) { c["iss"] = "https://evil.example" }, code: connector.CodeIDTokenInvalid},
		{name: "expired", edit: func(_ *provider, c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, code: connector.CodeIDTokenInvalid},
		{name: "no subject", edit: func(_ *provider, c map[string]any) { delete(c, "sub") }, code: connector.CodeIDTokenInvalid},
		{name: "foreign key", token: func(p *provider, c map[string]any) string { return p.sign(c, other) }, code: connector.CodeIDTokenInvalid},
		{name: "alg none", token: func(_ *provider, _ map[string]any) string {
			return "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1LTQyIn0."
		}, code: connector.CodeIDTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t)
			base := p.claims
			p.claims = func(p *provider) map[string]any {
				c := base(p)
				if tc.edit != nil {
					tc.edit(p, c)
				}
				return c
			}
			c := p.connector("")
			raw, sess, _ := c.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://x/cb", State: "st"})
			u, _ := url.Parse(raw)
			p.nonce = u.Query().Get("nonce")
			if tc.token != nil {
				tok := tc.token(p, base(p))
				p.srv.Config.Handler.(*http.ServeMux).HandleFunc("POST /token2", func(w http.ResponseWriter, _ *http.Request) {
					io.WriteString(w, `{"id_token":"`+tok+`"}`)
				})
				c, _ = Factory{}.Social(json.RawMessage(`{"issuer":"`+p.srv.URL+`","tokenEndpoint":"`+p.srv.URL+`/token2","clientId":"rp-1","clientSecret":"s"}`),
					connector.NewClient(connector.ClientOptions{}))
			}
			_, err := c.UserInfo(context.Background(), sess, url.Values{"code": {"c"}, "state": {"st"}})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != tc.code {
				t.Fatalf("err = %v; want connector.%s", err, tc.code)
			}
		})
	}
}

func TestOIDCDiscoveryIssuerMustMatch(t *testing.T) {
	p := newProvider(t)
	p.issuer = "https://impostor.example"
	_, _, err := p.connector("").AuthorizationURI(context.Background(), connector.AuthRequest{State: "s"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != connector.CodeInvalidResponse {
		t.Fatalf("err = %v; want invalid_response", err)
	}
}

func TestOIDCConfig(t *testing.T) {
	var ce *connector.ConfigError
	for _, tc := range []struct{ raw, field string }{
		{`{"clientId":"a","clientSecret":"b"}`, "authorizationEndpoint"},
		{`{"authorizationEndpoint":"https://a/x","tokenEndpoint":"https://a/t","clientId":"a","clientSecret":"b"}`, "idTokenVerificationConfig.jwksUri"},
		{`{"issuer":"https://a","clientId":"a"}`, "clientSecret"},
		{`{"issuer":"https://a","clientId":"a","clientSecret":"b","idTokenVerificationConfig":{"algorithms":["HS256"]}}`, "idTokenVerificationConfig.algorithms"},
	} {
		if err := (Factory{}).CheckConfig(json.RawMessage(tc.raw)); !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: %v; want field %s", tc.raw, err, tc.field)
		}
	}
	c, err := ParseConfig(json.RawMessage(`{"issuer":"https://a","clientId":"a","clientSecret":"b","scope":"email+profile"}`))
	if err != nil || c.Scope != "openid email+profile" {
		t.Errorf("scope = %q, %v", c.Scope, err)
	}
}
