package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/connector/oauth2"
)

// FactoryID is Logto's factory id of the generic OIDC connector.
const FactoryID = "oidc"

// Factory is the generic OIDC connector factory.
type Factory struct{}

// Type is social.
func (Factory) Type() connector.Type { return connector.TypeSocial }

// Metadata is Logto's connector-oidc metadata: a standard connector.
func (Factory) Metadata() connector.Metadata {
	universal := "Universal"
	return connector.Metadata{
		ID: FactoryID, Target: "oidc", Platform: &universal, IsStandard: true,
		Name:        map[string]string{"en": "OIDC"},
		Description: map[string]string{"en": "Any OpenID Connect provider; give its issuer to discover the rest."},
		FormItems: []connector.FormItem{
			{Key: "issuer", Label: "Issuer (discovery)", Type: "Text", Description: "Gatehouse reads the endpoints from <issuer>/.well-known/openid-configuration."},
			{Key: "authorizationEndpoint", Label: "Authorization endpoint", Type: "Text"},
			{Key: "tokenEndpoint", Label: "Token endpoint", Type: "Text"},
			{Key: "clientId", Label: "Client ID", Type: "Text", Required: true},
			{Key: "clientSecret", Label: "Client secret", Type: "Text", Required: true, IsConfidential: true},
			{Key: "scope", Label: "Scope", Type: "Text", DefaultValue: "openid profile email"},
			{Key: "idTokenVerificationConfig", Label: "ID token verification", Type: "Json", DefaultValue: map[string]string{"jwksUri": ""}},
			{Key: "trustUnverifiedEmail", Label: "Trust unverified email", Type: "Switch", DefaultValue: false},
			{Key: "enablePkce", Label: "Send PKCE (S256)", Type: "Switch", DefaultValue: false},
		},
	}
}

// CheckConfig validates a config.
func (Factory) CheckConfig(raw json.RawMessage) error {
	_, err := ParseConfig(raw)
	return err
}

// Social returns the connector of a config.
func (Factory) Social(raw json.RawMessage, client *connector.Client) (connector.Social, error) {
	c, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &Connector{cfg: c, client: client, now: time.Now}, nil
}

// Connector signs users in through one OpenID provider.
type Connector struct {
	cfg    Config
	client *connector.Client
	now    func() time.Time
}

// endpoints are where the provider is, configured or discovered.
type endpoints struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JwksURI               string `json:"jwks_uri"`
}

// resolve fills what the config leaves out from the issuer's discovery document, whose issuer
// must be the configured one (OpenID Connect Discovery 1.0 §4.3).
func (c *Connector) resolve(ctx context.Context) (endpoints, error) {
	ep := endpoints{Issuer: c.cfg.IDTokenVerificationConfig.Issuer, AuthorizationEndpoint: c.cfg.AuthorizationEndpoint,
		TokenEndpoint: c.cfg.TokenEndpoint, JwksURI: c.cfg.IDTokenVerificationConfig.JwksURI}
	if c.cfg.Issuer == "" {
		return ep, nil
	}
	var doc endpoints
	u := strings.TrimSuffix(c.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	if err := c.getJSON(ctx, u, &doc); err != nil {
		return ep, err
	}
	if doc.Issuer != c.cfg.Issuer {
		return ep, connector.Errorf(connector.CodeInvalidResponse, "the discovery document names issuer %q, not the configured one", clip(doc.Issuer))
	}
	fill := func(dst *string, v, field string) error {
		if *dst == "" {
			if err := connector.CheckEndpoint(field, v); err != nil {
				return connector.Errorf(connector.CodeInvalidResponse, "the discovery document's %s is not an http(s) URL", field)
			}
			*dst = v
		}
		return nil
	}
	if ep.Issuer == "" {
		ep.Issuer = doc.Issuer
	}
	for _, f := range []struct {
		dst      *string
		v, field string
	}{{&ep.AuthorizationEndpoint, doc.AuthorizationEndpoint, "authorization_endpoint"}, {&ep.TokenEndpoint, doc.TokenEndpoint, "token_endpoint"}, {&ep.JwksURI, doc.JwksURI, "jwks_uri"}} {
		if err := fill(f.dst, f.v, f.field); err != nil {
			return ep, err
		}
	}
	return ep, nil
}

func (c *Connector) getJSON(ctx context.Context, u string, into any) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return connector.Errorf(connector.CodeInvalidConfig, "bad provider URL")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusOK {
		return connector.StatusError("the provider", resp)
	}
	if json.Unmarshal(resp.Body, into) != nil {
		return connector.Errorf(connector.CodeInvalidResponse, "the provider did not answer JSON (%s)", req.URL.Host)
	}
	return nil
}

// AuthorizationURI is the authorization endpoint with response_type, client_id, scope,
// redirect_uri, state, a fresh nonce (kept in the session), Logto's optional request parameters
// snake-cased, customConfig, and with enablePkce an S256 challenge.
func (c *Connector) AuthorizationURI(ctx context.Context, req connector.AuthRequest) (string, connector.Session, error) {
	ep, err := c.resolve(ctx)
	if err != nil {
		return "", connector.Session{}, err
	}
	u, err := url.Parse(ep.AuthorizationEndpoint)
	if err != nil {
		return "", connector.Session{}, connector.Errorf(connector.CodeInvalidConfig, "authorizationEndpoint is not a URL")
	}
	sess := connector.Session{State: req.State, RedirectURI: req.RedirectURI, Nonce: connector.NewNonce()}
	q := u.Query()
	scope := c.cfg.Scope
	if req.Scope != "" {
		scope = req.Scope
	}
	for k, v := range map[string]string{"response_type": "code", "client_id": c.cfg.ClientID, "scope": scope,
		"redirect_uri": req.RedirectURI, "state": req.State, "nonce": sess.Nonce} {
		q.Set(k, v)
	}
	for k, v := range c.cfg.AuthRequestOptionalConfig {
		q.Set(snake(k), fmt.Sprint(v))
	}
	for k, v := range c.cfg.CustomConfig {
		q.Set(k, v)
	}
	if c.cfg.EnablePkce {
		sess.CodeVerifier = connector.NewNonce()
		q.Set("code_challenge", connector.PKCEChallenge(sess.CodeVerifier))
		q.Set("code_challenge_method", "S256")
	}
	u.RawQuery = q.Encode()
	return u.String(), sess, nil
}

// snake is Logto's snakecase of a camelCase key (maxAge → max_age).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// UserInfo checks the callback, redeems the code and reads the user from the verified ID token.
func (c *Connector) UserInfo(ctx context.Context, sess connector.Session, callback url.Values) (connector.UserInfo, error) {
	if e := callback.Get("error"); e != "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeGeneral, "the provider refused the sign-in: %s", clip(e))
	}
	if err := sess.CheckState(callback.Get("state")); err != nil {
		return connector.UserInfo{}, err
	}
	code := callback.Get("code")
	if code == "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeAuthCodeInvalid, "the provider sent no authorization code")
	}
	ep, err := c.resolve(ctx)
	if err != nil {
		return connector.UserInfo{}, err
	}
	idToken, err := c.exchange(ctx, ep, sess, code)
	if err != nil {
		return connector.UserInfo{}, err
	}
	claims, raw, err := c.verify(ctx, ep, idToken, sess.Nonce)
	if err != nil {
		return connector.UserInfo{}, err
	}
	return c.mapClaims(claims, raw), nil
}

func (c *Connector) exchange(ctx context.Context, ep endpoints, sess connector.Session, code string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {sess.RedirectURI}}
	for k, v := range c.cfg.CustomConfig {
		form.Set(k, v)
	}
	if sess.CodeVerifier != "" {
		form.Set("code_verifier", sess.CodeVerifier)
	}
	body, err := oauth2.PostToken(ctx, c.client, oauth2.Credentials{TokenEndpoint: ep.TokenEndpoint, ClientID: c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret, AuthMethod: c.cfg.TokenEndpointAuthMethod, JWTAlgorithm: c.cfg.ClientSecretJWTSigningAlgorithm, Now: c.now}, form)
	if err != nil {
		return "", err
	}
	var t struct {
		IDToken string `json:"id_token"`
	}
	if json.Unmarshal(body, &t) != nil || t.IDToken == "" {
		return "", connector.Errorf(connector.CodeInvalidResponse, "the token endpoint's answer has no id_token")
	}
	return t.IDToken, nil
}

// nonceMatches compares in constant time.
func nonceMatches(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}
