package oauth2

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// FactoryID is Logto's factory id of the generic OAuth 2.0 connector.
const FactoryID = "oauth2"

// Factory is the generic OAuth 2.0 connector factory.
type Factory struct{}

// Type is social.
func (Factory) Type() connector.Type { return connector.TypeSocial }

// Metadata is Logto's connector-oauth2 metadata (src/constant.ts): a standard connector, so the
// admin names its target and may add several.
func (Factory) Metadata() connector.Metadata {
	universal := "Universal"
	return connector.Metadata{
		ID: FactoryID, Target: "oauth2", Platform: &universal, IsStandard: true,
		Name:        map[string]string{"en": "OAuth 2.0"},
		Description: map[string]string{"en": "A generic OAuth 2.0 provider: authorization, token and user-info endpoints."},
		FormItems: []connector.FormItem{
			{Key: "authorizationEndpoint", Label: "Authorization endpoint", Type: "Text", Required: true},
			{Key: "tokenEndpoint", Label: "Token endpoint", Type: "Text", Required: true},
			{Key: "userInfoEndpoint", Label: "User info endpoint", Type: "Text", Required: true},
			{Key: "clientId", Label: "Client ID", Type: "Text", Required: true},
			{Key: "clientSecret", Label: "Client secret", Type: "Text", Required: true, IsConfidential: true},
			{Key: "tokenEndpointAuthMethod", Label: "Token endpoint auth method", Type: "Select", DefaultValue: authPost},
			{Key: "tokenEndpointResponseType", Label: "Token endpoint response type", Type: "Select", DefaultValue: bodyQuery},
			{Key: "scope", Label: "Scope", Type: "Text"},
			{Key: "profileMap", Label: "Profile map", Type: "Json",
				DefaultValue: map[string]string{"id": "id", "email": "email", "phone": "phone", "name": "name", "avatar": "avatar"}},
			{Key: "customConfig", Label: "Custom parameters", Type: "Json"},
			{Key: "enablePkce", Label: "Send PKCE (S256)", Type: "Switch", DefaultValue: false},
		},
	}
}

// CheckConfig validates a config, naming the first bad field.
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

// Connector signs users in through one OAuth 2.0 provider.
type Connector struct {
	cfg    Config
	client *connector.Client
	now    func() time.Time
}

// AuthorizationURI is the authorization endpoint with Logto's parameters (response_type,
// client_id, scope, redirect_uri, state, then customConfig), and with enablePkce an S256 code
// challenge whose verifier stays in the session.
func (c *Connector) AuthorizationURI(_ context.Context, req connector.AuthRequest) (string, connector.Session, error) {
	u, err := url.Parse(c.cfg.AuthorizationEndpoint)
	if err != nil {
		return "", connector.Session{}, connector.Errorf(connector.CodeInvalidConfig, "authorizationEndpoint is not a URL")
	}
	sess := connector.Session{State: req.State, RedirectURI: req.RedirectURI}
	q := u.Query()
	q.Set("response_type", c.cfg.ResponseType)
	q.Set("client_id", c.cfg.ClientID)
	scope := c.cfg.Scope
	if req.Scope != "" {
		scope = req.Scope
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	q.Set("redirect_uri", req.RedirectURI)
	q.Set("state", req.State)
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

// UserInfo checks the callback against the session, exchanges the code and reads the user.
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
	tokenType, accessToken, err := c.exchange(ctx, sess, code)
	if err != nil {
		return connector.UserInfo{}, err
	}
	return c.fetchUser(ctx, tokenType, accessToken)
}

// exchange redeems the code at the token endpoint (Logto's requestTokenEndpoint).
func (c *Connector) exchange(ctx context.Context, sess connector.Session, code string) (string, string, error) {
	form := url.Values{"grant_type": {c.cfg.GrantType}, "code": {code}, "redirect_uri": {sess.RedirectURI}}
	for k, v := range c.cfg.CustomConfig {
		form.Set(k, v)
	}
	if sess.CodeVerifier != "" {
		form.Set("code_verifier", sess.CodeVerifier)
	}
	body, err := PostToken(ctx, c.client, c.credentials(), form)
	if err != nil {
		return "", "", err
	}
	return c.parseToken(body)
}

func (c *Connector) credentials() Credentials {
	return Credentials{TokenEndpoint: c.cfg.TokenEndpoint, ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret,
		AuthMethod: c.cfg.TokenEndpointAuthMethod, JWTAlgorithm: c.cfg.ClientSecretJWTSigningAlgorithm, Now: c.now}
}

// parseToken reads access_token and token_type from the answer in the configured format. A JSON
// answer to a connector set to query-string has no access_token and is refused, as in Logto.
func (c *Connector) parseToken(body []byte) (string, string, error) {
	var tokenType, accessToken string
	if c.cfg.TokenEndpointResponseType == bodyJSON {
		var t struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		}
		if json.Unmarshal(body, &t) != nil {
			return "", "", connector.Errorf(connector.CodeInvalidResponse, "the token endpoint did not answer JSON")
		}
		tokenType, accessToken = t.TokenType, t.AccessToken
	} else {
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return "", "", connector.Errorf(connector.CodeInvalidResponse, "the token endpoint did not answer a query string")
		}
		tokenType, accessToken = q.Get("token_type"), q.Get("access_token")
	}
	if accessToken == "" {
		return "", "", connector.Errorf(connector.CodeInvalidResponse,
			"the token endpoint's answer has no access_token (is tokenEndpointResponseType %q right?)", c.cfg.TokenEndpointResponseType)
	}
	// RFC 6750: the scheme is case-insensitive; some providers answer "bearer" and some user-info
	// endpoints only accept "Bearer". Logto requires token_type; a missing one means Bearer here.
	if tokenType == "" || strings.EqualFold(tokenType, "bearer") {
		tokenType = "Bearer"
	}
	return tokenType, accessToken, nil
}

// fetchUser reads the user-info endpoint and maps the profile.
func (c *Connector) fetchUser(ctx context.Context, tokenType, accessToken string) (connector.UserInfo, error) {
	req, err := http.NewRequest(http.MethodGet, c.cfg.UserInfoEndpoint, nil)
	if err != nil {
		return connector.UserInfo{}, connector.Errorf(connector.CodeInvalidConfig, "userInfoEndpoint is not a URL")
	}
	req.Header.Set("Authorization", tokenType+" "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(ctx, req)
	if err != nil {
		return connector.UserInfo{}, err
	}
	if resp.Status == http.StatusUnauthorized {
		return connector.UserInfo{}, connector.Errorf(connector.CodeAccessTokenBad, "the user-info endpoint refused the access token")
	}
	if resp.Status < 200 || resp.Status > 299 {
		return connector.UserInfo{}, connector.StatusError("the user-info endpoint", resp)
	}
	return MapProfile(resp.Body, c.cfg.ProfileMap)
}
