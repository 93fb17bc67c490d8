package google

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/connector/oidc"
)

// FactoryID, Target and Issuer are Logto's and Google's.
const (
	FactoryID = "google-universal"
	Target    = "google"
	Issuer    = "https://accounts.google.com"
)

// Config is Logto's Google config (connector-google/src/types.ts). oneTap is accepted and kept
// for compatibility; Google One Tap is not offered on Gatehouse's pages.
type Config struct {
	ClientID      string          `json:"clientId"`
	ClientSecret  string          `json:"clientSecret"`
	Scope         string          `json:"scope,omitempty"`
	Prompts       []string        `json:"prompts,omitempty"`
	OfflineAccess bool            `json:"offlineAccess,omitempty"`
	OneTap        json.RawMessage `json:"oneTap,omitempty"`
}

// Factory is the Google factory; Issuer "" means Google's (tests point it at a fake).
type Factory struct{ Issuer string }

// Type is social.
func (Factory) Type() connector.Type { return connector.TypeSocial }

// Metadata is Logto's connector-google metadata: not standard.
func (Factory) Metadata() connector.Metadata {
	universal := "Universal"
	return connector.Metadata{
		ID: FactoryID, Target: Target, Platform: &universal, Name: map[string]string{"en": "Google"},
		Description: map[string]string{"en": "Sign in with a Google account (an OAuth client of type Web application)."},
		FormItems: []connector.FormItem{
			{Key: "clientId", Label: "Client ID", Type: "Text", Required: true},
			{Key: "clientSecret", Label: "Client secret", Type: "Text", Required: true, IsConfidential: true},
			{Key: "scope", Label: "Scope", Type: "Text", Placeholder: "openid profile email"},
			{Key: "prompts", Label: "Prompts", Type: "MultiSelect", DefaultValue: []string{"select_account"}},
			{Key: "offlineAccess", Label: "Offline access", Type: "Switch", DefaultValue: false},
		},
	}
}

var validPrompts = map[string]bool{"none": true, "consent": true, "select_account": true}

func parse(raw json.RawMessage) (Config, error) {
	var c Config
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return c, &connector.ConfigError{Field: te.Field, Message: "must be a " + te.Type.String()}
		}
		return c, &connector.ConfigError{Message: "must be a JSON object with clientId and clientSecret"}
	}
	switch {
	case strings.TrimSpace(c.ClientID) == "":
		return c, &connector.ConfigError{Field: "clientId", Message: "is required"}
	case c.ClientSecret == "":
		return c, &connector.ConfigError{Field: "clientSecret", Message: "is required"}
	}
	if c.Prompts == nil {
		c.Prompts = []string{"select_account"}
	}
	for _, p := range c.Prompts {
		if !validPrompts[p] {
			return c, &connector.ConfigError{Field: "prompts", Message: "must hold none, consent or select_account"}
		}
	}
	return c, nil
}

// CheckConfig validates a config.
func (Factory) CheckConfig(raw json.RawMessage) error {
	_, err := parse(raw)
	return err
}

// Social returns an OIDC connector for Google: the prompts and offline access as Logto sends
// them (prompt, access_type=offline).
func (f Factory) Social(raw json.RawMessage, client *connector.Client) (connector.Social, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	issuer := f.Issuer
	if issuer == "" {
		issuer = Issuer
	}
	oc := map[string]any{"issuer": issuer, "clientId": c.ClientID, "clientSecret": c.ClientSecret, "scope": c.Scope}
	if len(c.Prompts) > 0 {
		oc["authRequestOptionalConfig"] = map[string]string{"prompt": strings.Join(c.Prompts, " ")}
	}
	if c.OfflineAccess {
		oc["customConfig"] = map[string]string{"access_type": "offline"}
	}
	b, _ := json.Marshal(oc) // strings, lists and maps of strings always encode
	return oidc.Factory{}.Social(b, client)
}
