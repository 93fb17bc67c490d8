package oauth2

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// Config is the connector's config, Logto's oauth2ConfigGuard (connector-oauth2/src/types.ts)
// plus Gatehouse's enablePkce.
type Config struct {
	ResponseType                    string            `json:"responseType,omitempty"`
	GrantType                       string            `json:"grantType,omitempty"`
	AuthorizationEndpoint           string            `json:"authorizationEndpoint"`
	TokenEndpoint                   string            `json:"tokenEndpoint"`
	UserInfoEndpoint                string            `json:"userInfoEndpoint"`
	ClientID                        string            `json:"clientId"`
	ClientSecret                    string            `json:"clientSecret"`
	TokenEndpointAuthMethod         string            `json:"tokenEndpointAuthMethod,omitempty"`
	ClientSecretJWTSigningAlgorithm string            `json:"clientSecretJwtSigningAlgorithm,omitempty"`
	Scope                           string            `json:"scope,omitempty"`
	TokenEndpointResponseType       string            `json:"tokenEndpointResponseType,omitempty"`
	ProfileMap                      ProfileMap        `json:"profileMap"`
	CustomConfig                    map[string]string `json:"customConfig,omitempty"`
	// EnablePkce sends an S256 code challenge and its verifier (RFC 7636). Logto's connector
	// sends none; providers without PKCE ignore the parameters (§4.4.1 makes them optional).
	EnablePkce bool `json:"enablePkce,omitempty"`
}

// ProfileMap says where each user member is in the provider's user info: a key or a dotted
// path ("details.avatar.url").
type ProfileMap struct {
	ID     string `json:"id,omitempty"`
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Name   string `json:"name,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

// Token endpoint authentication methods and answer formats (Logto's enums).
const (
	authPost  = "client_secret_post"
	authBasic = "client_secret_basic"
	authJWT   = "client_secret_jwt"
	bodyQuery = "query-string"
	bodyJSON  = "json"
)

func bad(field, msg string) error { return &connector.ConfigError{Field: field, Message: msg} }

// ParseConfig decodes and checks raw, filling Logto's defaults: response type code, grant
// authorization_code, client_secret_post, HS256, a query-string token answer (Logto's default,
// a GitHub legacy), and each profile member read from the key of its own name.
func ParseConfig(raw json.RawMessage) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&c); err != nil {
		return Config{}, bad("", "must be a JSON object with the connector's fields ("+typeProblem(err)+")")
	}
	c.defaults()
	return c, c.check()
}

// typeProblem words a decoding error without quoting the submitted values (they may be secrets).
func typeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field + " must be a " + te.Type.String()
	}
	return "malformed JSON"
}

func (c *Config) defaults() {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.ResponseType, "code")
	def(&c.GrantType, "authorization_code")
	def(&c.TokenEndpointAuthMethod, authPost)
	def(&c.ClientSecretJWTSigningAlgorithm, "HS256")
	def(&c.TokenEndpointResponseType, bodyQuery)
	def(&c.ProfileMap.ID, "id")
	def(&c.ProfileMap.Email, "email")
	def(&c.ProfileMap.Phone, "phone")
	def(&c.ProfileMap.Name, "name")
	def(&c.ProfileMap.Avatar, "avatar")
}

func (c *Config) check() error {
	for _, f := range []struct{ name, v string }{
		{"authorizationEndpoint", c.AuthorizationEndpoint}, {"tokenEndpoint", c.TokenEndpoint}, {"userInfoEndpoint", c.UserInfoEndpoint},
	} {
		if err := connector.CheckEndpoint(f.name, f.v); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(c.ClientID) == "":
		return bad("clientId", "is required")
	case c.ClientSecret == "":
		return bad("clientSecret", "is required")
	case c.ResponseType != "code":
		return bad("responseType", `must be "code" (only the authorization code flow is supported)`)
	case c.GrantType != "authorization_code":
		return bad("grantType", `must be "authorization_code"`)
	}
	if !oneOf(c.TokenEndpointAuthMethod, authPost, authBasic, authJWT) {
		return bad("tokenEndpointAuthMethod", "must be client_secret_post, client_secret_basic or client_secret_jwt")
	}
	if !oneOf(c.ClientSecretJWTSigningAlgorithm, "HS256", "HS384", "HS512") {
		return bad("clientSecretJwtSigningAlgorithm", "must be HS256, HS384 or HS512")
	}
	if !oneOf(c.TokenEndpointResponseType, bodyQuery, bodyJSON) {
		return bad("tokenEndpointResponseType", "must be query-string or json")
	}
	for k := range c.CustomConfig {
		if oneOf(k, "client_secret", "code_verifier", "client_assertion") {
			return bad("customConfig."+k, "cannot be set: it is the connector's own")
		}
	}
	return nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
