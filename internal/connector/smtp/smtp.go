package smtp

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// FactoryID is Logto's factory id of the SMTP connector.
const FactoryID = "simple-mail-transfer-protocol"

// sendTimeout bounds a whole delivery when the caller's context does not.
const sendTimeout = 30 * time.Second

// Factory makes SMTP connectors.
type Factory struct{}

// Metadata is the factory as the Management API lists it.
func (Factory) Metadata() connector.Metadata {
	return connector.Metadata{
		ID: FactoryID, Target: "smtp", Name: map[string]string{"en": "SMTP"},
		Description: map[string]string{"en": "Send verification codes through your own mail server."},
		FormItems: []connector.FormItem{
			{Key: "host", Label: "Host", Type: "Text", Required: true, Placeholder: "smtp.example.com"},
			{Key: "port", Label: "Port", Type: "Number", Required: true, DefaultValue: 587},
			{Key: "auth", Label: "Auth", Type: "Json", Required: true, Placeholder: `{"user":"…","pass":"…"}`, IsConfidential: true},
			{Key: "fromEmail", Label: "From", Type: "Text", Required: true},
			{Key: "replyTo", Label: "Reply-To", Type: "Text"},
			{Key: "name", Label: "Sender name", Type: "Text"},
			{Key: "secure", Label: "Implicit TLS (port 465)", Type: "Switch"},
			{Key: "requireTLS", Label: "Require STARTTLS", Type: "Switch"},
			{Key: "templates", Label: "Templates", Type: "Json", Required: true,
				Description: "One per usage type: Register, SignIn, ForgotPassword and Generic; {{code}} is the code."},
		},
	}
}

// Type is Email.
func (Factory) Type() connector.Type { return connector.TypeEmail }

// CheckConfig validates a config as the Management API receives it.
func (Factory) CheckConfig(raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

// Social refuses: this is an email connector.
func (Factory) Social(json.RawMessage, *connector.Client) (connector.Social, error) {
	return nil, errors.New("smtp: not a social connector")
}

// Email returns the connector of a stored config.
func (Factory) Email(raw json.RawMessage) (connector.Email, error) {
	c, err := parseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &Sender{cfg: c}, nil
}

// Sender sends through one configured server.
type Sender struct{ cfg Config }

// Send renders msg's template and delivers it. The error says what the server answered.
func (s *Sender) Send(ctx context.Context, msg connector.EmailMessage) error {
	t, ok := s.cfg.template(msg.UsageType)
	if !ok {
		return connector.Errorf(connector.CodeInvalidConfig, "no %s or Generic template", msg.UsageType)
	}
	m, err := s.message(t, msg)
	if err != nil {
		return err
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sendTimeout)
		defer cancel()
	}
	client, err := mail.NewClient(s.cfg.Host, s.options(ctx)...)
	if err != nil {
		return connector.Errorf(connector.CodeInvalidConfig, "%s", err.Error())
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return connector.Errorf(connector.CodeGeneral, "%s", s.describe(err))
	}
	return nil
}

func (s *Sender) message(t Template, msg connector.EmailMessage) (*mail.Msg, error) {
	m := mail.NewMsg()
	var err error
	if s.cfg.Name != "" {
		err = m.FromFormat(s.cfg.Name, s.cfg.FromEmail)
	} else {
		err = m.From(s.cfg.FromEmail)
	}
	if err == nil {
		err = m.To(msg.To)
	}
	if err == nil && s.cfg.ReplyTo != "" {
		err = m.ReplyTo(s.cfg.ReplyTo)
	}
	if err != nil {
		return nil, connector.Errorf(connector.CodeGeneral, "bad address: %s", err.Error())
	}
	m.Subject(fill(t.Subject, msg.Payload, false))
	isHTML := t.ContentType == "text/html"
	ct := mail.TypeTextPlain
	if isHTML {
		ct = mail.TypeTextHTML
	}
	m.SetBodyString(ct, fill(t.Content, msg.Payload, isHTML))
	m.SetMessageID()
	m.SetDate()
	return m, nil
}

// options are the client's connection settings: port, TLS mode, credentials and timeouts.
// Credentials are only ever sent over an encrypted connection (the client's auto-discovery
// refuses PLAIN and LOGIN in clear).
func (s *Sender) options(ctx context.Context) []mail.Option {
	c := s.cfg
	tlsConf := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.ServerName != "" {
		tlsConf.ServerName = c.ServerName
	}
	if c.TLS != nil && c.TLS.RejectUnauthorized != nil && !*c.TLS.RejectUnauthorized {
		tlsConf.InsecureSkipVerify = true //nolint:gosec // the admin's explicit choice (nodemailer's rejectUnauthorized: false)
	}
	// Each network read and write waits at most 10 s, and never past the caller's deadline: the
	// client's own timeout, not the context, bounds a server that accepts and stays silent.
	timeout := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(timeout), mail.WithTLSConfig(tlsConf)}
	switch {
	case c.Secure:
		opts = append(opts, mail.WithSSL())
	case c.IgnoreTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case c.RequireTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if c.Auth != nil && c.Auth.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Auth.User), mail.WithPassword(c.Auth.Pass))
	}
	return opts
}

// describe words a delivery failure for the admin: the server's own answer, never the password.
func (s *Sender) describe(err error) string {
	msg := err.Error()
	if s.cfg.Auth != nil && s.cfg.Auth.Pass != "" {
		msg = strings.ReplaceAll(msg, s.cfg.Auth.Pass, "********")
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "i/o timeout") {
		return fmt.Sprintf("the mail server %s:%d did not answer in time", s.cfg.Host, s.cfg.Port)
	}
	return fmt.Sprintf("sending through %s:%d failed: %s", s.cfg.Host, s.cfg.Port, msg)
}
