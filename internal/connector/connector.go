package connector

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
)

// Type is Logto's ConnectorType.
type Type string

// The connector types.
const (
	TypeSocial Type = "Social"
	TypeEmail  Type = "Email"
	TypeSMS    Type = "Sms"
)

// Metadata describes a factory as GET /api/connector-factories shows it (Logto's
// ConnectorMetadata, the members Gatehouse fills).
type Metadata struct {
	ID                      string            `json:"id"`
	Target                  string            `json:"target"`
	Platform                *string           `json:"platform"`
	Name                    map[string]string `json:"name"`
	Description             map[string]string `json:"description"`
	Logo                    string            `json:"logo"`
	LogoDark                *string           `json:"logoDark"`
	Readme                  string            `json:"readme"`
	IsStandard              bool              `json:"isStandard"`
	IsTokenStorageSupported bool              `json:"isTokenStorageSupported"`
	FormItems               []FormItem        `json:"formItems"`
}

// FormItem is one field of a factory's config form (Logto's ConnectorConfigFormItem).
type FormItem struct {
	Key            string `json:"key"`
	Label          string `json:"label"`
	Type           string `json:"type"` // Text, Number, MultilineText, Switch, Select, Json
	Required       bool   `json:"required"`
	Placeholder    string `json:"placeholder,omitempty"`
	DefaultValue   any    `json:"defaultValue,omitempty"`
	IsConfidential bool   `json:"isConfidential,omitempty"`
	Description    string `json:"description,omitempty"`
}

// Factory makes connectors of one kind from their stored config.
type Factory interface {
	Metadata() Metadata
	Type() Type
	// CheckConfig validates a config as submitted to the Management API, with a *ConfigError
	// naming the first bad field.
	CheckConfig(raw json.RawMessage) error
	// Social returns the social connector of a config (TypeSocial factories only).
	Social(raw json.RawMessage, client *Client) (Social, error)
}

// AuthRequest is what a social sign-in starts with: where the provider sends the user back, and
// the state the callback must bring back, bound to the interaction on the server.
type AuthRequest struct {
	RedirectURI string
	State       string
	// Scope replaces the configured scope when set (Logto's account API).
	Scope string
}

// Session is what a connector keeps on the server between the authorization request and the
// callback (Logto's ConnectorSession, held in the interaction): the state, and where the
// provider supports them the nonce and the PKCE verifier.
type Session struct {
	State        string `json:"state"`
	RedirectURI  string `json:"redirectUri"`
	Nonce        string `json:"nonce,omitempty"`
	CodeVerifier string `json:"codeVerifier,omitempty"`
}

// CheckState compares the callback's state with the session's in constant time (Logto's
// generic OAuth 2.0 connector leaves this to the browser; Gatehouse checks it on the server).
func (s Session) CheckState(got string) error {
	if s.State == "" || subtle.ConstantTimeCompare([]byte(s.State), []byte(got)) != 1 {
		return Errorf(CodeGeneral, "the state returned by the provider does not match this sign-in")
	}
	return nil
}

// UserInfo is the user a provider vouches for (Logto's SocialUserInfo). Empty members are
// unknown. Email is set only when the provider says it is verified, or, for connectors whose
// provider has no such notion (generic OAuth 2.0, as Logto), when it is given.
type UserInfo struct {
	ID     string          `json:"id"`
	Email  string          `json:"email,omitempty"`
	Phone  string          `json:"phone,omitempty"`
	Name   string          `json:"name,omitempty"`
	Avatar string          `json:"avatar,omitempty"`
	Raw    json.RawMessage `json:"rawData,omitempty"`
}

// Social is a social sign-in connector (Logto's SocialConnector).
type Social interface {
	// AuthorizationURI is where to send the user, and the session to keep for the callback.
	AuthorizationURI(ctx context.Context, req AuthRequest) (string, Session, error)
	// UserInfo turns the provider's callback parameters into the user, checked against sess.
	UserInfo(ctx context.Context, sess Session, callback url.Values) (UserInfo, error)
}

// Email usage types (Logto's TemplateType, the ones Gatehouse sends).
const (
	UsageSignIn         = "SignIn"
	UsageRegister       = "Register"
	UsageForgotPassword = "ForgotPassword"
	UsageGeneric        = "Generic"
	// UsageTest is the test send of POST /api/connectors/:factoryId/test (Logto's deprecated
	// VerificationCodeType.Test): it uses the Generic template.
	UsageTest = "Test"
)

// EmailMessage is one message to send: the template of UsageType, filled from Payload
// ({{code}}, and whatever else the caller knows, such as {{locale}}).
type EmailMessage struct {
	To        string
	UsageType string
	Payload   map[string]string
}

// Email is an email connector (Logto's EmailConnector sendMessage).
type Email interface {
	// Send delivers msg. A failure is an *Error whose message says what the mail server
	// answered (never the credentials).
	Send(ctx context.Context, msg EmailMessage) error
}

// EmailFactory is a factory of TypeEmail connectors.
type EmailFactory interface {
	Factory
	// Email returns the email connector of a stored config.
	Email(raw json.RawMessage) (Email, error)
}

// Error codes (Logto's ConnectorErrorCodes, answered as connector.<code>).
const (
	CodeGeneral           = "general"
	CodeInvalidConfig     = "invalid_config"
	CodeInvalidResponse   = "invalid_response"
	CodeAuthCodeInvalid   = "social_auth_code_invalid"
	CodeAccessTokenBad    = "social_invalid_access_token"
	CodeIDTokenInvalid    = "social_invalid_id_token"
	CodeAuthorizationFail = "authorization_failed"
)

// Error is a connector failure: a Logto code and a message safe to show and log (never a secret,
// a token or a code).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "connector." + e.Code + ": " + e.Message }

// Errorf returns an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ConfigError names the config field that is wrong.
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("config.%s: %s", e.Field, e.Message) }

// Registry is the factories a Gatehouse build offers, in the order the console lists them.
type Registry struct{ factories []Factory }

// NewRegistry returns a registry of fs.
func NewRegistry(fs ...Factory) *Registry { return &Registry{factories: fs} }

// Factory returns the factory with id.
func (r *Registry) Factory(id string) (Factory, bool) {
	for _, f := range r.factories {
		if f.Metadata().ID == id {
			return f, true
		}
	}
	return nil, false
}

// Factories lists every factory.
func (r *Registry) Factories() []Factory { return append([]Factory(nil), r.factories...) }

// NewNonce is 256 random bits, base64url: a nonce or a PKCE code verifier (RFC 7636 §4.1).
func NewNonce() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms (Go 1.24+ panics instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PKCEChallenge is the S256 challenge of a verifier.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckEndpoint checks a provider endpoint of a config: an absolute http(s) URL without
// credentials or fragment (Logto takes any string; a wrong one would only fail at sign-in).
func CheckEndpoint(field, v string) error {
	if v == "" {
		return &ConfigError{Field: field, Message: "is required"}
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return &ConfigError{Field: field, Message: "must be an absolute http(s) URL without credentials or fragment"}
	}
	return nil
}
