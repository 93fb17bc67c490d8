package oauth2

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// Credentials authenticate a client at a token endpoint the way Logto's connectors do
// (tokenEndpointAuthMethod: client_secret_post, client_secret_basic or client_secret_jwt). The
// OIDC connector shares them.
type Credentials struct {
	TokenEndpoint, ClientID, ClientSecret string
	AuthMethod                            string // default client_secret_post
	JWTAlgorithm                          string // HS256, HS384 or HS512 for client_secret_jwt
	Now                                   func() time.Time
}

// PostToken sends form to the token endpoint, authenticated as c says, and returns the body of
// a 2xx answer.
func PostToken(ctx context.Context, client *connector.Client, c Credentials, form url.Values) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, c.TokenEndpoint, nil)
	if err != nil {
		return nil, connector.Errorf(connector.CodeInvalidConfig, "tokenEndpoint is not a URL")
	}
	c.authenticate(req, form)
	req.Body, req.ContentLength = formBody(form)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, connector.StatusError("the token endpoint", resp)
	}
	return resp.Body, nil
}

// authenticate adds the client's credentials as the method says.
func (c Credentials) authenticate(req *http.Request, form url.Values) {
	switch c.AuthMethod {
	case authBasic:
		// Logto does not URL-encode the id and secret here (RFC 6749 §2.3.1 says to); kept for
		// the providers configured against Logto.
		req.SetBasicAuth(c.ClientID, c.ClientSecret)
	case authJWT:
		form.Set("client_id", c.ClientID)
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", c.clientAssertion())
	default:
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret)
	}
}

// clientAssertion is RFC 7523's HMAC-signed JWT (iss = sub = client id, aud = token endpoint,
// ten minutes), as Logto's client_secret_jwt builds it.
func (c Credentials) clientAssertion() string {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now().Unix()
	alg := c.JWTAlgorithm
	h, ok := map[string]func() hash.Hash{"HS256": sha256.New, "HS384": sha512.New384, "HS512": sha512.New}[alg]
	if !ok {
		alg, h = "HS256", sha256.New
	}
	header, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{"iss": c.ClientID, "sub": c.ClientID, "aud": c.TokenEndpoint,
		"jti": connector.NewNonce(), "iat": t, "exp": t + 600})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	m := hmac.New(h, []byte(c.ClientSecret))
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}
