package smtp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// server is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that keeps what it receives.
type server struct {
	mu       sync.Mutex
	messages []string
	from, to []string
	authed   bool
	addr     string
	port     int
}

type session struct{ s *server }

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "right-pass" {
			return errors.New("bad credentials")
		}
		x.s.mu.Lock()
		x.s.authed = true
		x.s.mu.Unlock()
		return nil
	}), nil
}
func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.from = append(x.s.from, from)
	return nil
}
func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.to = append(x.s.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.messages = append(x.s.messages, string(b))
	return err
}
func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }

// startServer runs a server; withTLS offers STARTTLS with a self-signed certificate, and a
// server with TLS also requires login before mail.
func startServer(t *testing.T, withTLS bool) *server {
	t.Helper()
	s := &server{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &session{s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	if withTLS {
		srv.TLSConfig = selfSigned(t)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.addr = l.Addr().String()
	s.port = l.Addr().(*net.TCPAddr).Port
	return s
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func templates() []map[string]string {
	return []map[string]string{
		{"usageType": "SignIn", "contentType": "text/plain", "subject": "Sign-in code {{code}}", "content": "Your code is {{ code }}. {{link}}"},
		{"usageType": "Register", "contentType": "text/html", "subject": "Welcome", "content": "<p>Code: <b>{{code}}</b> for {{name}}</p>"},
		{"usageType": "ForgotPassword", "contentType": "text/plain", "subject": "Reset", "content": "Reset code {{code}}"},
		{"usageType": "Generic", "contentType": "text/plain", "subject": "Code", "content": "Generic code {{code}}"},
	}
}

func config(port int, mod func(map[string]any)) json.RawMessage {
	c := map[string]any{"host": "127.0.0.1", "port": port, "auth": map[string]any{}, "fromEmail": "noreply@example.com",
		"name": "Gatehouse", "replyTo": "help@example.com", "templates": templates()}
	if mod != nil {
		mod(c)
	}
	raw, _ := json.Marshal(c)
	return raw
}

func send(t *testing.T, raw json.RawMessage, msg connector.EmailMessage) error {
	t.Helper()
	e, err := Factory{}.Email(raw)
	if err != nil {
		t.Fatalf("config refused: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return e.Send(ctx, msg)
}

func TestDeliversThroughARelay(t *testing.T) {
	s := startServer(t, false)
	err := send(t, config(s.port, nil), connector.EmailMessage{To: "mira@example.org", UsageType: "SignIn", Payload: map[string]string{"code": "482913"}})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.messages) != 1 || s.from[0] != "noreply@example.com" || s.to[0] != "mira@example.org" {
		t.Fatalf("received %d messages from %v to %v", len(s.messages), s.from, s.to)
	}
	m := s.messages[0]
	for _, want := range []string{"Subject: Sign-in code 482913", "Your code is 482913. {{link}}", `From: "Gatehouse" <noreply@example.com>`, "Reply-To: <help@example.com>"} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
}

func TestHTMLTemplateEscapesValues(t *testing.T) {
	s := startServer(t, false)
	err := send(t, config(s.port, nil), connector.EmailMessage{To: "a@example.org", UsageType: "Register",
		Payload: map[string]string{"code": "123456", "name": "<script>x</script>"}})
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messages[0]; !strings.Contains(m, "text/html") || !strings.Contains(m, "&lt;script&gt;") || strings.Contains(m, "<script>") {
		t.Fatalf("html message:\n%s", m)
	}
}

func TestSTARTTLSWithLogin(t *testing.T) {
	s := startServer(t, true)
	insecure := func(c map[string]any) {
		c["auth"] = map[string]any{"user": "mailer", "pass": "right-pass"}
		c["tls"] = map[string]any{"rejectUnauthorized": false}
		c["requireTLS"] = true
	}
	if err := send(t, config(s.port, insecure), connector.EmailMessage{To: "b@example.org", UsageType: "ForgotPassword", Payload: map[string]string{"code": "1"}}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	authed := s.authed
	s.mu.Unlock()
	if !authed {
		t.Fatal("delivered without logging in")
	}
	wrong := func(c map[string]any) {
		insecure(c)
		c["auth"] = map[string]any{"user": "mailer", "pass": "wrong-pass-123"}
	}
	err := send(t, config(s.port, wrong), connector.EmailMessage{To: "b@example.org", UsageType: "SignIn", Payload: map[string]string{"code": "1"}})
	if err == nil || !strings.Contains(err.Error(), "bad credentials") || strings.Contains(err.Error(), "wrong-pass-123") {
		t.Fatalf("wrong password: %v; want the server's answer without the password", err)
	}
	verified := func(c map[string]any) { insecure(c); delete(c, "tls") }
	if err := send(t, config(s.port, verified), connector.EmailMessage{To: "b@example.org", UsageType: "SignIn"}); err == nil {
		t.Fatal("a self-signed certificate was accepted without rejectUnauthorized: false")
	}
}

func TestRefusals(t *testing.T) {
	plain := startServer(t, false)
	msg := connector.EmailMessage{To: "c@example.org", UsageType: "SignIn", Payload: map[string]string{"code": "1"}}
	err := send(t, config(plain.port, func(c map[string]any) { c["requireTLS"] = true }), msg)
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("requireTLS without STARTTLS: %v", err)
	}
	err = send(t, config(plain.port, func(c map[string]any) { c["auth"] = map[string]any{"user": "mailer", "pass": "right-pass"} }), msg)
	plain.mu.Lock()
	authed := plain.authed
	plain.mu.Unlock()
	if err == nil || authed {
		t.Errorf("credentials sent over a clear connection (err %v)", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	if err := send(t, config(port, nil), msg); err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("connection refused: %v", err)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept and say nothing
		}
	}()
	e, _ := Factory{}.Email(config(l.Addr().(*net.TCPAddr).Port, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := e.Send(ctx, connector.EmailMessage{To: "d@example.org", UsageType: "SignIn"}); err == nil {
		t.Fatal("a server that never answers was taken for a delivery")
	}
}

func TestCheckConfig(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		mod         func(map[string]any)
	}{
		{"no host", "host", func(c map[string]any) { c["host"] = "" }},
		{"port", "port", func(c map[string]any) { c["port"] = 70000 }},
		{"port type", "port", func(c map[string]any) { c["port"] = "25" }},
		{"no auth", "auth", func(c map[string]any) { delete(c, "auth") }},
		{"oauth2 auth", "auth.type", func(c map[string]any) { c["auth"] = map[string]any{"type": "oauth2", "user": "u"} }},
		{"from", "fromEmail", func(c map[string]any) { c["fromEmail"] = "nobody" }},
		{"reply-to", "replyTo", func(c map[string]any) { c["replyTo"] = "x" }},
		{"missing template", "templates", func(c map[string]any) { c["templates"] = templates()[:3] }},
		{"content type", "templates[0].contentType", func(c map[string]any) {
			ts := templates()
			ts[0]["contentType"] = "text/markdown"
			c["templates"] = ts
		}},
		{"subject injection", "templates[1].subject", func(c map[string]any) {
			ts := templates()
			ts[1]["subject"] = "Hi\r\nBcc: x@evil.example"
			c["templates"] = ts
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Factory{}.CheckConfig(config(25, func(c map[string]any) {
				c["auth"] = map[string]any{"user": "u", "pass": "hunter2-secret"}
				tc.mod(c)
			}))
			var ce *connector.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || strings.Contains(err.Error(), "hunter2-secret") {
				t.Fatalf("error %v; want a config error naming %s", err, tc.field)
			}
		})
	}
	if err := (Factory{}).CheckConfig(config(587, func(c map[string]any) { c["connectionTimeout"] = 1000; c["debug"] = true })); err != nil {
		t.Fatalf("Logto's other members are refused: %v", err)
	}
}

func TestFill(t *testing.T) {
	p := map[string]string{"code": "123456", "locale": "en"}
	for in, want := range map[string]string{
		"{{code}}":              "123456",
		"{{ code }} / {{x}}":    "123456 / {{x}}",
		"{{code.more}}":         "",
		"{{ link }} {{locale}}": "{{ link }} en",
	} {
		if got := fill(in, p, false); got != want {
			t.Errorf("fill(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fill("{{code}}", map[string]string{"code": "<&>"}, true); got != "&lt;&amp;&gt;" {
		t.Errorf("html fill %q", got)
	}
}
