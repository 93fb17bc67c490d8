package smtp

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// Config is Logto's smtpConfigGuard, the members Gatehouse uses; the others Logto accepts
// (timeouts, logger, debug, customHeaders…) are accepted and ignored.
type Config struct {
	Host       string     `json:"host"`
	Port       int        `json:"port"`
	Auth       *Auth      `json:"auth"`
	FromEmail  string     `json:"fromEmail"`
	ReplyTo    string     `json:"replyTo,omitempty"`
	Name       string     `json:"name,omitempty"`
	Templates  []Template `json:"templates"`
	Secure     bool       `json:"secure,omitempty"`     // implicit TLS (SMTPS, usually port 465)
	RequireTLS bool       `json:"requireTLS,omitempty"` // refuse a server without STARTTLS
	IgnoreTLS  bool       `json:"ignoreTLS,omitempty"`  // never STARTTLS
	ServerName string     `json:"servername,omitempty"` // TLS server name, when host is an address
	TLS        *TLS       `json:"tls,omitempty"`
}

// Auth is Logto's login auth: user and pass, both optional for a relay that needs none.
type Auth struct {
	User string `json:"user,omitempty"`
	Pass string `json:"pass,omitempty"`
	Type string `json:"type,omitempty"`
}

// TLS is the one member of nodemailer's tls options Gatehouse honours.
type TLS struct {
	// RejectUnauthorized false accepts any certificate (a self-signed relay); default true.
	RejectUnauthorized *bool `json:"rejectUnauthorized,omitempty"`
}

// Template is one message template (Logto's EmailTemplate).
type Template struct {
	UsageType   string `json:"usageType"`
	ContentType string `json:"contentType"`
	Subject     string `json:"subject"`
	Content     string `json:"content"`
}

// requiredUsages are the templates Logto's guard requires.
var requiredUsages = []string{connector.UsageRegister, connector.UsageSignIn, connector.UsageForgotPassword, connector.UsageGeneric}

func bad(field, format string, args ...any) error {
	return &connector.ConfigError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// parseConfig reads and checks a config; the error names the first bad field and never holds
// the password.
func parseConfig(raw json.RawMessage) (Config, error) {
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		var te *json.UnmarshalTypeError
		if ok := asTypeError(err, &te); ok && te.Field != "" {
			return c, bad(te.Field, "must be a %s", te.Type.Kind())
		}
		return c, bad("config", "must be a JSON object")
	}
	return c, c.check()
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

func (c Config) check() error {
	switch {
	case strings.TrimSpace(c.Host) == "":
		return bad("host", "is required")
	case c.Port < 1 || c.Port > 65535:
		return bad("port", "must be between 1 and 65535")
	case c.Auth == nil:
		return bad("auth", "is required (give {} for a server that needs no login)")
	case c.Auth.Type != "" && c.Auth.Type != "login":
		return bad("auth.type", "only login (user and pass) is supported, not %q", clip(c.Auth.Type))
	case c.Secure && c.IgnoreTLS:
		return bad("ignoreTLS", "cannot be set with secure")
	}
	if _, err := mail.ParseAddress(c.FromEmail); err != nil || !strings.Contains(c.FromEmail, "@") {
		return bad("fromEmail", "must be an email address")
	}
	if c.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.ReplyTo); err != nil {
			return bad("replyTo", "must be an email address")
		}
	}
	return checkTemplates(c.Templates)
}

func checkTemplates(ts []Template) error {
	have := map[string]bool{}
	for i, t := range ts {
		field := fmt.Sprintf("templates[%d]", i)
		if t.UsageType == "" {
			return bad(field+".usageType", "is required")
		}
		if t.ContentType != "text/plain" && t.ContentType != "text/html" {
			return bad(field+".contentType", "must be text/plain or text/html")
		}
		if strings.TrimSpace(t.Subject) == "" {
			return bad(field+".subject", "is required")
		}
		if strings.ContainsAny(t.Subject, "\r\n") {
			return bad(field+".subject", "must be one line")
		}
		have[t.UsageType] = true
	}
	for _, u := range requiredUsages {
		if !have[u] {
			return bad("templates", "must include a %s template", u)
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// template picks the template of usage, falling back to Generic as Logto does.
func (c Config) template(usage string) (Template, bool) {
	if usage == connector.UsageTest {
		usage = connector.UsageGeneric
	}
	var generic *Template
	for i, t := range c.Templates {
		if t.UsageType == usage {
			return t, true
		}
		if t.UsageType == connector.UsageGeneric {
			generic = &c.Templates[i]
		}
	}
	if generic != nil {
		return *generic, true
	}
	return Template{}, false
}
