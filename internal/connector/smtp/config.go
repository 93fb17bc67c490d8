package smtp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"reflect"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// Config is a checked SMTP connector config: the members of Logto's smtpConfigGuard
// (connector-smtp/src/types.ts) that change what Gatehouse sends or how it connects.
type Config struct {
	Host      string
	Port      int
	Auth      Auth
	FromEmail string // an address, or "Display Name <address>" as nodemailer accepts
	ReplyTo   string
	// Name is the sender's display name in From (Gatehouse's reading; nodemailer takes it as
	// the EHLO host name).
	Name      string
	Templates []Template
	// Secure is implicit TLS from the first byte (SMTPS, usually port 465).
	Secure bool
	// RequireTLS refuses a server that does not offer STARTTLS.
	RequireTLS bool
	// IgnoreTLS never upgrades with STARTTLS (nodemailer's ignoreTLS).
	IgnoreTLS bool
	// ServerName is the TLS server name to verify when Host is an address.
	ServerName string
	// InsecureSkipVerify is nodemailer's tls.rejectUnauthorized false: any certificate is
	// accepted (a relay with a self-signed certificate).
	InsecureSkipVerify bool
	// CustomHeaders are added to every message (Logto's customHeaders).
	CustomHeaders map[string]string
	// ConnectTimeout and IOTimeout are Gatehouse's bounds, shortened when Logto's
	// connectionTimeout, greetingTimeout or socketTimeout ask for less.
	ConnectTimeout time.Duration
	IOTimeout      time.Duration
}

// Auth is Logto's login auth variant: user and pass, both optional for a relay that needs no
// login (Logto still requires the auth member itself).
type Auth struct {
	User string
	Pass string
}

// Template is one message template (Logto's templateGuard).
type Template struct {
	UsageType   string
	ContentType string // text/plain or text/html
	Subject     string
	Content     string
}

// Content types of a template (Logto's ContextType).
const (
	contentText = "text/plain"
	contentHTML = "text/html"
)

// wireConfig is the config as JSON, member by member of smtpConfigGuard, so that a member of
// the wrong type is refused by name even when Gatehouse ignores its value (logger, debug,
// dnsTimeout…). Members Logto does not know are ignored, as zod's object() strips them.
type wireConfig struct {
	Host              string            `json:"host"`
	Port              int               `json:"port"`
	Auth              *wireAuth         `json:"auth"`
	FromEmail         string            `json:"fromEmail"`
	ReplyTo           string            `json:"replyTo"`
	Name              string            `json:"name"`
	Templates         []wireTemplate    `json:"templates"`
	Secure            bool              `json:"secure"`
	RequireTLS        bool              `json:"requireTLS"`
	IgnoreTLS         bool              `json:"ignoreTLS"`
	ServerName        string            `json:"servername"`
	TLS               *wireTLS          `json:"tls"`
	CustomHeaders     map[string]string `json:"customHeaders"`
	ConnectionTimeout float64           `json:"connectionTimeout"`
	GreetingTimeout   float64           `json:"greetingTimeout"`
	SocketTimeout     float64           `json:"socketTimeout"`
	DNSTimeout        float64           `json:"dnsTimeout"`
	Logger            bool              `json:"logger"`
	Debug             bool              `json:"debug"`
	DisableFileAccess bool              `json:"disableFileAccess"`
	DisableURLAccess  bool              `json:"disableUrlAccess"`
	LocalAddress      string            `json:"localAddress"`
}

// wireAuth holds the login variant and, only to refuse them by name, the members of Logto's
// two OAuth 2.0 variants (oauth2AuthWithKeyGuard, oauth2AuthWithTokenGuard).
type wireAuth struct {
	User          string          `json:"user"`
	Pass          string          `json:"pass"`
	Type          string          `json:"type"`
	PrivateKey    json.RawMessage `json:"privateKey"`
	ServiceClient json.RawMessage `json:"serviceClient"`
	ClientID      json.RawMessage `json:"clientId"`
	ClientSecret  json.RawMessage `json:"clientSecret"`
	RefreshToken  json.RawMessage `json:"refreshToken"`
	AccessToken   json.RawMessage `json:"accessToken"`
	Expires       json.RawMessage `json:"expires"`
	AccessURL     json.RawMessage `json:"accessUrl"`
}

// wireTLS is the one member of Node's TLS options Gatehouse honours; the others are ignored.
type wireTLS struct {
	RejectUnauthorized *bool `json:"rejectUnauthorized"`
}

// wireTemplate has pointers so that a missing subject or content is told from an empty one
// (Logto requires both members; either may be empty).
type wireTemplate struct {
	UsageType   string  `json:"usageType"`
	ContentType string  `json:"contentType"`
	Subject     *string `json:"subject"`
	Content     *string `json:"content"`
}

// Bounds Gatehouse keeps whatever the config says: nodemailer's defaults (2 min to connect,
// 10 min per socket read) would hold a sign-in page far too long.
const (
	maxConnectTimeout = 10 * time.Second
	maxIOTimeout      = 10 * time.Second
)

func bad(field, format string, args ...any) error {
	return &connector.ConfigError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ParseConfig decodes and checks a config. A *connector.ConfigError names the first bad member;
// no error quotes a submitted value, so the password never appears in one.
func ParseConfig(raw json.RawMessage) (Config, error) {
	var w wireConfig
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&w); err != nil {
		return Config{}, decodeError(err)
	}
	if err := w.checkConnection(); err != nil {
		return Config{}, err
	}
	if err := w.checkAuth(); err != nil {
		return Config{}, err
	}
	if err := w.checkAddresses(); err != nil {
		return Config{}, err
	}
	if err := checkHeaders(w.CustomHeaders); err != nil {
		return Config{}, err
	}
	templates, err := checkTemplates(w.Templates)
	if err != nil {
		return Config{}, err
	}
	return w.config(templates), nil
}

// decodeError names the member of the wrong type, in JSON's words, without its value.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return bad(te.Field, "must be %s", jsonKind(te.Type))
	}
	return bad("config", "must be a JSON object")
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	default:
		return "an object"
	}
}

func (w *wireConfig) checkConnection() error {
	switch {
	case strings.TrimSpace(w.Host) == "":
		return bad("host", "is required")
	case strings.ContainsAny(w.Host, " /\r\n"):
		return bad("host", "must be a host name or an IP address")
	case w.Port < 1 || w.Port > 65535:
		return bad("port", "must be between 1 and 65535")
	case w.RequireTLS && w.IgnoreTLS:
		// nodemailer lets ignoreTLS win and sends in clear; an admin who asked for both
		// cannot have meant that.
		return bad("ignoreTLS", "cannot be set together with requireTLS")
	}
	return nil
}

func (w *wireConfig) checkAuth() error {
	a := w.Auth
	if a == nil {
		return bad("auth", "is required (give {} for a server that needs no login)")
	}
	if strings.EqualFold(a.Type, "oauth2") {
		return bad("auth.type", "OAuth 2.0 login is not supported; give user and pass")
	}
	if a.Type != "" && !strings.EqualFold(a.Type, "login") {
		return bad("auth.type", "must be login (user and pass)")
	}
	oauth2Members := []struct {
		name  string
		value json.RawMessage
	}{{"privateKey", a.PrivateKey}, {"serviceClient", a.ServiceClient}, {"clientId", a.ClientID},
		{"clientSecret", a.ClientSecret}, {"refreshToken", a.RefreshToken}, {"accessToken", a.AccessToken},
		{"expires", a.Expires}, {"accessUrl", a.AccessURL}}
	for _, m := range oauth2Members {
		if len(m.value) > 0 {
			return bad("auth."+m.name, "belongs to OAuth 2.0 login, which is not supported; give user and pass")
		}
	}
	return nil
}

func (w *wireConfig) checkAddresses() error {
	if a, err := mail.ParseAddress(w.FromEmail); err != nil || !strings.Contains(a.Address, "@") {
		return bad("fromEmail", "must be an email address")
	}
	if w.ReplyTo != "" {
		if _, err := mail.ParseAddress(w.ReplyTo); err != nil {
			return bad("replyTo", "must be an email address")
		}
	}
	if strings.ContainsAny(w.Name, "\r\n") {
		return bad("name", "must be one line")
	}
	return nil
}

// reservedHeader reports whether each message sets name itself: a custom one would duplicate it.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
		"content-type", "content-transfer-encoding":
		return true
	}
	return false
}

// checkHeaders refuses names and values that would break the header block (RFC 5322 §2.2).
func checkHeaders(h map[string]string) error {
	for name, value := range h {
		if name == "" || strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r > '~' || r == ':' }) >= 0 {
			return bad("customHeaders", "a header name must be printable ASCII without spaces or colons")
		}
		if reservedHeader(name) {
			return bad("customHeaders", "%s is set by the connector itself", name)
		}
		if strings.ContainsAny(value, "\r\n") {
			return bad("customHeaders", "the value of %s must be one line", name)
		}
	}
	return nil
}

// checkTemplates applies templateGuard to each template and the refine that requires
// Register, SignIn, ForgotPassword and Generic.
func checkTemplates(ws []wireTemplate) ([]Template, error) {
	out := make([]Template, 0, len(ws))
	have := map[string]bool{}
	for i, t := range ws {
		field := fmt.Sprintf("templates[%d]", i)
		switch {
		case t.UsageType == "":
			return nil, bad(field+".usageType", "is required")
		case t.ContentType != contentText && t.ContentType != contentHTML:
			return nil, bad(field+".contentType", "must be text/plain or text/html")
		case t.Subject == nil:
			return nil, bad(field+".subject", "is required")
		case strings.ContainsAny(*t.Subject, "\r\n"):
			return nil, bad(field+".subject", "must be one line")
		case t.Content == nil:
			return nil, bad(field+".content", "is required")
		}
		have[t.UsageType] = true
		out = append(out, Template{UsageType: t.UsageType, ContentType: t.ContentType, Subject: *t.Subject, Content: *t.Content})
	}
	for _, u := range []string{connector.UsageRegister, connector.UsageSignIn, connector.UsageForgotPassword, connector.UsageGeneric} {
		if !have[u] {
			return nil, bad("templates", "must include a %s template", u)
		}
	}
	return out, nil
}

func (w *wireConfig) config(templates []Template) Config {
	c := Config{
		Host: strings.TrimSpace(w.Host), Port: w.Port, FromEmail: w.FromEmail, ReplyTo: w.ReplyTo,
		Name: w.Name, Templates: templates, Secure: w.Secure, RequireTLS: w.RequireTLS,
		IgnoreTLS: w.IgnoreTLS, ServerName: w.ServerName, CustomHeaders: w.CustomHeaders,
		Auth:           Auth{User: w.Auth.User, Pass: w.Auth.Pass},
		ConnectTimeout: shorter(maxConnectTimeout, w.ConnectionTimeout),
		IOTimeout:      shorter(maxIOTimeout, w.GreetingTimeout, w.SocketTimeout),
	}
	if w.TLS != nil && w.TLS.RejectUnauthorized != nil && !*w.TLS.RejectUnauthorized {
		c.InsecureSkipVerify = true
	}
	return c
}

// shorter is the least of bound and the positive millisecond values given.
func shorter(bound time.Duration, millis ...float64) time.Duration {
	d := bound
	for _, ms := range millis {
		if ms > 0 && ms < float64(d/time.Millisecond) {
			d = time.Duration(ms * float64(time.Millisecond))
		}
	}
	return max(d, time.Millisecond)
}

// template picks the template of usage, else Generic, as Logto's getConfigTemplateByType
// does; the Management API's test send (UsageTest) uses Generic.
func (c Config) template(usage string) (Template, bool) {
	if usage == connector.UsageTest {
		usage = connector.UsageGeneric
	}
	var generic *Template
	for i, t := range c.Templates {
		if t.UsageType == usage {
			return t, true
		}
		if t.UsageType == connector.UsageGeneric && generic == nil {
			generic = &c.Templates[i]
		}
	}
	if generic != nil {
		return *generic, true
	}
	return Template{}, false
}
