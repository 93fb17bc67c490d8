package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// FactoryID and Target are Logto's.
const (
	FactoryID = "github-universal"
	Target    = "github"
)

// Endpoints are GitHub's; tests point them at a fake.
type Endpoints struct {
	Authorize, Token, User, Emails string
}

// GitHubEndpoints are github.com's.
var GitHubEndpoints = Endpoints{
	Authorize: "https://github.com/login/oauth/authorize",
	Token:     "https://github.com/login/oauth/access_token",
	User:      "https://api.github.com/user",
	Emails:    "https://api.github.com/user/emails",
}

// Config is Logto's GitHub config.
type Config struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	Scope        string `json:"scope,omitempty"` // default "read:user user:email"
}

// Factory is the GitHub factory; a zero Endpoints means github.com.
type Factory struct{ Endpoints Endpoints }

// Type is social.
func (Factory) Type() connector.Type { return connector.TypeSocial }

// Metadata is Logto's connector-github metadata: not standard (one instance, fixed target).
func (Factory) Metadata() connector.Metadata {
	universal := "Universal"
	return connector.Metadata{
		ID: FactoryID, Target: Target, Platform: &universal, Name: map[string]string{"en": "GitHub"},
		Description: map[string]string{"en": "Sign in with a GitHub account (a GitHub OAuth app)."},
		FormItems: []connector.FormItem{
			{Key: "clientId", Label: "Client ID", Type: "Text", Required: true},
			{Key: "clientSecret", Label: "Client secret", Type: "Text", Required: true, IsConfidential: true},
			{Key: "scope", Label: "Scope", Type: "Text", Placeholder: "read:user user:email"},
		},
	}
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var c Config
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&c); err != nil {
		return c, &connector.ConfigError{Field: "", Message: "must be a JSON object with clientId and clientSecret strings"}
	}
	switch {
	case strings.TrimSpace(c.ClientID) == "":
		return c, &connector.ConfigError{Field: "clientId", Message: "is required"}
	case c.ClientSecret == "":
		return c, &connector.ConfigError{Field: "clientSecret", Message: "is required"}
	}
	if c.Scope == "" {
		c.Scope = "read:user user:email"
	}
	return c, nil
}

// CheckConfig validates a config.
func (Factory) CheckConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

// Social returns the connector of a config.
func (f Factory) Social(raw json.RawMessage, client *connector.Client) (connector.Social, error) {
	c, err := parseConfig(raw)
	if err != nil {
		return nil, err
	}
	ep := f.Endpoints
	if ep == (Endpoints{}) {
		ep = GitHubEndpoints
	}
	return &Connector{cfg: c, ep: ep, client: client}, nil
}

// Connector signs users in with GitHub.
type Connector struct {
	cfg    Config
	ep     Endpoints
	client *connector.Client
}

// AuthorizationURI is GitHub's authorize URL (client_id, redirect_uri, state, scope).
func (c *Connector) AuthorizationURI(_ context.Context, req connector.AuthRequest) (string, connector.Session, error) {
	scope := c.cfg.Scope
	if req.Scope != "" {
		scope = req.Scope
	}
	q := url.Values{"client_id": {c.cfg.ClientID}, "redirect_uri": {req.RedirectURI}, "state": {req.State}, "scope": {scope}}
	return c.ep.Authorize + "?" + q.Encode(), connector.Session{State: req.State, RedirectURI: req.RedirectURI}, nil
}

// UserInfo checks the state, exchanges the code and reads the user and, without a public email,
// their primary verified one.
func (c *Connector) UserInfo(ctx context.Context, sess connector.Session, callback url.Values) (connector.UserInfo, error) {
	if e := callback.Get("error"); e != "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeAuthorizationFail, "GitHub refused the sign-in (%s)", clip(e))
	}
	if err := sess.CheckState(callback.Get("state")); err != nil {
		return connector.UserInfo{}, err
	}
	code := callback.Get("code")
	if code == "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeAuthCodeInvalid, "GitHub sent no authorization code")
	}
	token, err := c.exchange(ctx, code)
	if err != nil {
		return connector.UserInfo{}, err
	}
	return c.user(ctx, token)
}

// exchange redeems the code. GitHub answers 200 with {"error": "bad_verification_code"} for a
// bad or replayed code.
func (c *Connector) exchange(ctx context.Context, code string) (string, error) {
	form := url.Values{"client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret}, "code": {code}}
	req, err := http.NewRequest(http.MethodPost, c.ep.Token, strings.NewReader(form.Encode()))
	if err != nil {
		return "", connector.Errorf(connector.CodeGeneral, "bad token endpoint")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(ctx, req)
	if err != nil {
		return "", err
	}
	if resp.Status < 200 || resp.Status > 299 {
		return "", connector.StatusError("GitHub's token endpoint", resp)
	}
	var t struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if json.Unmarshal(resp.Body, &t) != nil {
		return "", connector.Errorf(connector.CodeInvalidResponse, "GitHub's token endpoint did not answer JSON")
	}
	if t.Error != "" {
		return "", connector.Errorf(connector.CodeAuthCodeInvalid, "GitHub refused the code (%s)", clip(t.Error))
	}
	if t.AccessToken == "" {
		return "", connector.Errorf(connector.CodeInvalidResponse, "GitHub's token answer has no access_token")
	}
	return t.AccessToken, nil
}

func (c *Connector) get(ctx context.Context, u, token string, into any) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return connector.Errorf(connector.CodeGeneral, "bad GitHub endpoint")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := c.client.Do(ctx, req)
	if err != nil {
		return err
	}
	if resp.Status == http.StatusUnauthorized {
		return connector.Errorf(connector.CodeAccessTokenBad, "GitHub refused the access token")
	}
	if resp.Status < 200 || resp.Status > 299 {
		return connector.StatusError("GitHub's API", resp)
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if dec.Decode(into) != nil {
		return connector.Errorf(connector.CodeInvalidResponse, "GitHub's API did not answer the expected JSON")
	}
	return nil
}

// githubUser is what Gatehouse reads of GET /user.
type githubUser struct {
	ID        json.Number `json:"id"`
	Login     string      `json:"login"`
	Name      *string     `json:"name"`
	Email     *string     `json:"email"`
	AvatarURL *string     `json:"avatar_url"`
}

type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

func (c *Connector) user(ctx context.Context, token string) (connector.UserInfo, error) {
	var u githubUser
	var raw json.RawMessage
	if err := c.get(ctx, c.ep.User, token, &raw); err != nil {
		return connector.UserInfo{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&u) != nil || u.ID.String() == "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeInvalidResponse, "GitHub's user has no id")
	}
	info := connector.UserInfo{ID: u.ID.String(), Name: deref(u.Name), Avatar: deref(u.AvatarURL), Email: deref(u.Email)}
	var emails []githubEmail
	if info.Email == "" {
		// Logto wraps this call in trySafe: without the user:email scope the sign-in still works,
		// only without an email.
		if err := c.get(ctx, c.ep.Emails, token, &emails); err == nil {
			for _, e := range emails {
				if e.Primary && e.Verified {
					info.Email = e.Email
				}
			}
		} else if ce := (*connector.Error)(nil); errors.As(err, &ce) && ce.Code == connector.CodeAccessTokenBad {
			return connector.UserInfo{}, err
		}
	}
	info.Raw, _ = json.Marshal(map[string]any{"userInfo": raw, "userEmails": emails})
	return info, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}

func clip(s string) string {
	if len(s) > 100 {
		s = s[:100]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return -1
		}
		return r
	}, s)
}
