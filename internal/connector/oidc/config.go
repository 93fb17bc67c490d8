package oidc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// Config is Logto's connector-oidc config (src/types.ts) plus Gatehouse's issuer (discovery)
// and enablePkce.
type Config struct {
	// Issuer, when set, is discovered (OpenID Connect Discovery 1.0): endpoints and jwksUri left
	// empty are read from <issuer>/.well-known/openid-configuration.
	Issuer                          string            `json:"issuer,omitempty"`
	AuthorizationEndpoint           string            `json:"authorizationEndpoint,omitempty"`
	TokenEndpoint                   string            `json:"tokenEndpoint,omitempty"`
	ClientID                        string            `json:"clientId"`
	ClientSecret                    string            `json:"clientSecret"`
	TokenEndpointAuthMethod         string            `json:"tokenEndpointAuthMethod,omitempty"`
	ClientSecretJWTSigningAlgorithm string            `json:"clientSecretJwtSigningAlgorithm,omitempty"`
	Scope                           string            `json:"scope"`
	IDTokenVerificationConfig       IDTokenConfig     `json:"idTokenVerificationConfig"`
	AuthRequestOptionalConfig       map[string]any    `json:"authRequestOptionalConfig,omitempty"`
	AcceptStringTypedBooleanClaims  bool              `json:"acceptStringTypedBooleanClaims,omitempty"`
	TrustUnverifiedEmail            bool              `json:"trustUnverifiedEmail,omitempty"`
	CustomConfig                    map[string]string `json:"customConfig,omitempty"`
	EnablePkce                      bool              `json:"enablePkce,omitempty"`
}

// IDTokenConfig is how ID tokens are checked (Logto's idTokenVerificationConfig, the members
// Gatehouse applies; the audience is always the client id, as in Logto).
type IDTokenConfig struct {
	JwksURI        string   `json:"jwksUri,omitempty"`
	Issuer         string   `json:"issuer,omitempty"`
	Algorithms     []string `json:"algorithms,omitempty"`
	ClockTolerance int      `json:"clockTolerance,omitempty"` // seconds
}

func bad(field, msg string) error { return &connector.ConfigError{Field: field, Message: msg} }

// ParseConfig decodes and checks a config: either an issuer to discover, or the authorization
// and token endpoints and the JWKS URI. `openid` is added to the scope, as Logto does.
func ParseConfig(raw json.RawMessage) (Config, error) {
	var c Config
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return c, bad(te.Field, "must be a "+te.Type.String())
		}
		return c, bad("", "must be a JSON object with the connector's fields")
	}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = "client_secret_post"
	}
	if strings.TrimSpace(c.Scope) == "" {
		c.Scope = "openid profile email"
	}
	if !containsScope(c.Scope, "openid") {
		c.Scope = "openid " + c.Scope
	}
	return c, c.check()
}

func (c Config) check() error {
	if c.Issuer != "" {
		if err := connector.CheckEndpoint("issuer", c.Issuer); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"authorizationEndpoint", c.AuthorizationEndpoint}, {"tokenEndpoint", c.TokenEndpoint},
		{"idTokenVerificationConfig.jwksUri", c.IDTokenVerificationConfig.JwksURI},
	} {
		if f.v == "" && c.Issuer != "" {
			continue // discovered
		}
		if err := connector.CheckEndpoint(f.name, f.v); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(c.ClientID) == "":
		return bad("clientId", "is required")
	case c.ClientSecret == "":
		return bad("clientSecret", "is required")
	}
	switch c.TokenEndpointAuthMethod {
	case "client_secret_post", "client_secret_basic", "client_secret_jwt":
	default:
		return bad("tokenEndpointAuthMethod", "must be client_secret_post, client_secret_basic or client_secret_jwt")
	}
	for _, a := range c.IDTokenVerificationConfig.Algorithms {
		if !supportedAlg(a) {
			return bad("idTokenVerificationConfig.algorithms", "lists an algorithm Gatehouse does not verify: "+clip(a))
		}
	}
	return nil
}

func containsScope(scope, want string) bool {
	for _, s := range strings.FieldsFunc(scope, func(r rune) bool { return r == ' ' || r == '+' }) {
		if s == want {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
