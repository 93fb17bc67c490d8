package smtp

import (
	"context"
	"encoding/json"
	"fmt"
	netmail "net/mail"

	mail "github.com/wneessen/go-mail"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// FactoryID is Logto's factory id of the SMTP connector (connector-smtp/src/constant.ts).
const FactoryID = "simple-mail-transfer-protocol"

// Target is the connector's target, as Logto's.
const Target = "smtp"

// logo is an envelope, inline so that the console needs no asset route (Logto ships ./logo.svg
// inside the connector package).
const logo = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' " +
	"stroke='%235d34f2' stroke-width='2' stroke-linejoin='round'%3E%3Crect x='3' y='5' width='18' height='14' " +
	"rx='2'/%3E%3Cpath d='m3 7 9 6 9-6'/%3E%3C/svg%3E"

// Factory makes SMTP email connectors.
type Factory struct{}

var _ connector.EmailFactory = Factory{}

// Metadata is the factory as GET /api/connector-factories lists it: Logto's, with the form
// items Gatehouse honours.
func (Factory) Metadata() connector.Metadata {
	return connector.Metadata{
		ID: FactoryID, Target: Target, Name: map[string]string{"en": "SMTP"}, Logo: logo,
		Description: map[string]string{"en": "The SMTP is an internet standard communication protocol for " +
			"electronic mail transmission: send verification codes through your own mail server."},
		FormItems: formItems(),
	}
}

func formItems() []connector.FormItem {
	return []connector.FormItem{
		{Key: "host", Label: "Host", Type: "Text", Required: true, Placeholder: "smtp.example.com"},
		{Key: "port", Label: "Port", Type: "Number", Required: true, Placeholder: "587"},
		// auth holds the password: the whole member is confidential, as a form item is one key.
		{Key: "auth", Label: "Auth", Type: "Json", Required: true, IsConfidential: true,
			DefaultValue: map[string]string{"type": "login", "user": "<username>", "pass": "<password>"},
			Description:  "user and pass; {} for a relay that needs no login. OAuth 2.0 login is not supported."},
		{Key: "fromEmail", Label: "From Email", Type: "Text", Required: true, Placeholder: "noreply@example.com"},
		{Key: "replyTo", Label: "Reply To", Type: "Text", Placeholder: "help@example.com"},
		{Key: "name", Label: "Sender Name", Type: "Text", Placeholder: "Gatehouse"},
		{Key: "templates", Label: "Templates", Type: "Json", Required: true, DefaultValue: defaultTemplates(),
			Description: "One per usage type, Register, SignIn, ForgotPassword and Generic at least; {{code}} is the code."},
		{Key: "secure", Label: "Secure (implicit TLS, port 465)", Type: "Switch", DefaultValue: false},
		{Key: "requireTLS", Label: "Require TLS (STARTTLS)", Type: "Switch"},
		{Key: "ignoreTLS", Label: "Ignore TLS", Type: "Switch"},
		{Key: "servername", Label: "Servername", Type: "Text", Placeholder: "the TLS name when host is an IP address"},
		{Key: "tls", Label: "TLS", Type: "Json", DefaultValue: map[string]any{},
			Description: `{"rejectUnauthorized": false} accepts a self-signed certificate.`},
		{Key: "customHeaders", Label: "Custom Headers", Type: "Json", DefaultValue: map[string]any{}},
	}
}

// defaultTemplates are Logto's default templates, worded for Gatehouse.
func defaultTemplates() []map[string]string {
	t := func(usage, what string) map[string]string {
		return map[string]string{"usageType": usage, "contentType": contentText, "subject": "Your " + what + " code",
			"content": "Your " + what + " code is {{code}}. The code will remain active for 10 minutes."}
	}
	return []map[string]string{t(connector.UsageSignIn, "sign-in verification"), t(connector.UsageRegister, "sign-up verification"),
		t(connector.UsageForgotPassword, "password reset"), t(connector.UsageGeneric, "verification")}
}

// Type is Email.
func (Factory) Type() connector.Type { return connector.TypeEmail }

// CheckConfig validates a config as the Management API receives it.
func (Factory) CheckConfig(raw json.RawMessage) error {
	_, err := ParseConfig(raw)
	return err
}

// Social refuses: this is an email connector.
func (Factory) Social(json.RawMessage, *connector.Client) (connector.Social, error) {
	return nil, connector.Errorf(connector.CodeGeneral, "%s is an email connector, not a social one", FactoryID)
}

// Email returns the connector of a stored config.
func (Factory) Email(raw json.RawMessage) (connector.Email, error) {
	c, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &Sender{cfg: c}, nil
}

// Sender sends through one configured server. It holds no connection between messages.
type Sender struct{ cfg Config }

// String names the server only: printing a Sender must not print its password.
func (s *Sender) String() string { return fmt.Sprintf("smtp %s:%d", s.cfg.Host, s.cfg.Port) }

// Send renders msg's template and delivers it over one connection, within ctx and at most
// sendTimeout. A failure is a *connector.Error saying what went wrong or what the server
// answered, as Logto's ConnectorError(General, nodemailer's message) does.
func (s *Sender) Send(ctx context.Context, msg connector.EmailMessage) error {
	t, ok := s.cfg.template(msg.UsageType)
	if !ok {
		return connector.Errorf(connector.CodeInvalidConfig, "no %s or Generic template", msg.UsageType)
	}
	m, err := s.message(t, msg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel() // also closes the connection, should the client have left it open (see dial)
	client, err := mail.NewClient(s.cfg.Host, s.options(ctx)...)
	if err != nil {
		return connector.Errorf(connector.CodeInvalidConfig, "SMTP client: %s", s.redact(err.Error()))
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return connector.Errorf(connector.CodeGeneral, "%s", s.describe(ctx, err))
	}
	return nil
}

// message builds the mail: From (with the sender name), To, Reply-To, the custom headers, and
// the filled subject and body in the template's content type.
func (s *Sender) message(t Template, msg connector.EmailMessage) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := s.setFrom(m); err != nil {
		return nil, err
	}
	if err := m.To(msg.To); err != nil {
		return nil, connector.Errorf(connector.CodeGeneral, "the recipient %q is not an email address", msg.To)
	}
	if s.cfg.ReplyTo != "" {
		if err := m.ReplyTo(s.cfg.ReplyTo); err != nil {
			return nil, connector.Errorf(connector.CodeInvalidConfig, "replyTo: %s", err.Error())
		}
	}
	for k, v := range s.cfg.CustomHeaders {
		m.SetGenHeader(mail.Header(k), v)
	}
	m.Subject(fill(t.Subject, msg.Payload, false))
	isHTML := t.ContentType == contentHTML
	ct := mail.TypeTextPlain
	if isHTML {
		ct = mail.TypeTextHTML
	}
	m.SetBodyString(ct, fill(t.Content, msg.Payload, isHTML))
	m.SetMessageID()
	m.SetDate()
	return m, nil
}

// setFrom sets From to `name <fromEmail>`: the configured name, else the display name
// fromEmail itself may carry ("Acme <noreply@acme.example>", which nodemailer accepts).
func (s *Sender) setFrom(m *mail.Msg) error {
	from, err := netmail.ParseAddress(s.cfg.FromEmail)
	if err != nil {
		return connector.Errorf(connector.CodeInvalidConfig, "fromEmail is not an email address")
	}
	name := from.Name
	if s.cfg.Name != "" {
		name = s.cfg.Name
	}
	if name != "" {
		err = m.FromFormat(name, from.Address)
	} else {
		err = m.From(from.Address)
	}
	if err != nil {
		return connector.Errorf(connector.CodeInvalidConfig, "fromEmail: %s", err.Error())
	}
	return nil
}
