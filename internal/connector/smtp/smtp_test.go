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
	"log"
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

const (
	goodPass  = "right-pass"
	wrongPass = "wrong-pass-7Qz"
)

// server is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that keeps what it receives.
type server struct {
	mechs    []string // AUTH mechanisms offered (PLAIN, LOGIN)
	mu       sync.Mutex
	messages []string
	from, to []string
	authed   bool
	port     int
}

// serverMode is how a test server speaks: in clear, offering STARTTLS, or TLS from the start.
type serverMode int

const (
	clear serverMode = iota
	startTLS
	implicitTLS
)

// startServer runs a server on the loopback; AUTH is offered only over TLS unless insecureAuth.
func startServer(t *testing.T, mode serverMode, insecureAuth bool, mechs ...string) *server {
	t.Helper()
	s := &server{mechs: mechs}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	srv.AllowInsecureAuth = insecureAuth
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	switch mode {
	case startTLS:
		srv.TLSConfig = selfSigned(t)
	case implicitTLS:
		l = tls.NewListener(l, selfSigned(t))
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *server) received() (messages, from, to []string, authed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.messages...), append([]string(nil), s.from...), append([]string(nil), s.to...), s.authed
}

type session struct{ s *server }

func (x *session) AuthMechanisms() []string { return x.s.mechs }

func (x *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != "mailer" || pass != goodPass {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		x.s.mu.Lock()
		x.s.authed = true
		x.s.mu.Unlock()
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
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

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client).
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch {
	case l.step == 1 && response == nil:
		return []byte("Username:"), false, nil
	case l.user == "":
		l.user = string(response)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(l.user, string(response))
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
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
		{"usageType": "Register", "contentType": "text/html", "subject": "Welcome {{name}}", "content": "<p>Code: <b>{{code}}</b> for {{name}}</p>"},
		{"usageType": "ForgotPassword", "contentType": "text/plain", "subject": "Reset", "content": "Reset code {{code}}"},
		{"usageType": "Generic", "contentType": "text/plain", "subject": "Code", "content": "Generic code {{code}}"},
	}
}

// config is a valid config for the loopback port, changed by mod.
func config(port int, mod func(map[string]any)) json.RawMessage {
	c := map[string]any{"host": "127.0.0.1", "port": port, "auth": map[string]any{}, "fromEmail": "noreply@example.com",
		"name": "Gatehouse", "replyTo": "help@example.com", "templates": templates()}
	if mod != nil {
		mod(c)
	}
	raw, _ := json.Marshal(c)
	return raw
}

// login sets credentials and trusts the test server's self-signed certificate.
func login(pass string) func(map[string]any) {
	return func(c map[string]any) {
		c["auth"] = map[string]any{"user": "mailer", "pass": pass}
		c["tls"] = map[string]any{"rejectUnauthorized": false}
	}
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

func signIn(code string) connector.EmailMessage {
	return connector.EmailMessage{To: "mira@example.org", UsageType: connector.UsageSignIn, Payload: map[string]string{"code": code}}
}

func TestDeliversThroughARelay(t *testing.T) {
	s := startServer(t, clear, false)
	headers := func(c map[string]any) { c["customHeaders"] = map[string]string{"X-Campaign": "codes"} }
	if err := send(t, config(s.port, headers), signIn("482913")); err != nil {
		t.Fatal(err)
	}
	msgs, from, to, _ := s.received()
	if len(msgs) != 1 || from[0] != "noreply@example.com" || to[0] != "mira@example.org" {
		t.Fatalf("received %d messages from %v to %v", len(msgs), from, to)
	}
	for _, want := range []string{"Subject: Sign-in code 482913", "Your code is 482913. {{link}}", "text/plain",
		`From: "Gatehouse" <noreply@example.com>`, "To: <mira@example.org>", "Reply-To: <help@example.com>", "X-Campaign: codes"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("message lacks %q:\n%s", want, msgs[0])
		}
	}
}

func TestFromEmailMayCarryAName(t *testing.T) {
	s := startServer(t, clear, false)
	named := func(c map[string]any) { delete(c, "name"); c["fromEmail"] = "Acme <noreply@acme.example>" }
	if err := send(t, config(s.port, named), signIn("1")); err != nil {
		t.Fatal(err)
	}
	msgs, from, _, _ := s.received()
	if from[0] != "noreply@acme.example" || !strings.Contains(msgs[0], `From: "Acme" <noreply@acme.example>`) {
		t.Fatalf("MAIL FROM %v, message:\n%s", from, msgs[0])
	}
}

func TestHTMLTemplateEscapesValues(t *testing.T) {
	s := startServer(t, clear, false)
	msg := connector.EmailMessage{To: "a@example.org", UsageType: connector.UsageRegister,
		Payload: map[string]string{"code": "123456", "name": "<script>x</script>"}}
	if err := send(t, config(s.port, nil), msg); err != nil {
		t.Fatal(err)
	}
	msgs, _, _, _ := s.received()
	m := msgs[0]
	if !strings.Contains(m, "text/html") || !strings.Contains(m, "<b>123456</b>") ||
		!strings.Contains(m, "for &lt;script&gt;x&lt;/script&gt;</p>") || strings.Contains(m, "for <script>") {
		t.Fatalf("html message:\n%s", m)
	}
}

func TestOtherUsagesUseGeneric(t *testing.T) {
	s := startServer(t, clear, false)
	for _, usage := range []string{connector.UsageTest, "MfaVerification"} {
		msg := connector.EmailMessage{To: "a@example.org", UsageType: usage, Payload: map[string]string{"code": "777"}}
		if err := send(t, config(s.port, nil), msg); err != nil {
			t.Fatal(err)
		}
	}
	msgs, _, _, _ := s.received()
	for _, m := range msgs {
		if !strings.Contains(m, "Generic code 777") {
			t.Errorf("not the Generic template:\n%s", m)
		}
	}
}

func TestSTARTTLSLogin(t *testing.T) {
	for _, mech := range []string{sasl.Plain, sasl.Login} {
		t.Run(mech, func(t *testing.T) {
			s := startServer(t, startTLS, false, mech)
			required := func(pass string) func(map[string]any) {
				return func(c map[string]any) { login(pass)(c); c["requireTLS"] = true }
			}
			if err := send(t, config(s.port, required(goodPass)), signIn("1")); err != nil {
				t.Fatal(err)
			}
			if _, _, _, authed := s.received(); !authed {
				t.Fatal("delivered without logging in")
			}
			err := send(t, config(s.port, required(wrongPass)), signIn("1"))
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != connector.CodeGeneral ||
				!strings.Contains(err.Error(), "535 5.7.8 authentication failed") || strings.Contains(err.Error(), wrongPass) {
				t.Fatalf("wrong password: %v; want the server's answer without the password", err)
			}
		})
	}
}

func TestSelfSignedCertificateNeedsConsent(t *testing.T) {
	s := startServer(t, startTLS, false, sasl.Plain)
	verified := func(c map[string]any) { login(goodPass)(c); delete(c, "tls") }
	err := send(t, config(s.port, verified), signIn("1"))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a self-signed certificate was accepted without rejectUnauthorized: false (%v)", err)
	}
}

func TestImplicitTLS(t *testing.T) {
	s := startServer(t, implicitTLS, false, sasl.Plain)
	secure := func(c map[string]any) { login(goodPass)(c); c["secure"] = true }
	if err := send(t, config(s.port, secure), signIn("55")); err != nil {
		t.Fatal(err)
	}
	if msgs, _, _, authed := s.received(); len(msgs) != 1 || !authed {
		t.Fatalf("%d messages, logged in %v", len(msgs), authed)
	}
}

func TestRequireTLSWithoutSTARTTLS(t *testing.T) {
	s := startServer(t, clear, false)
	err := send(t, config(s.port, func(c map[string]any) { c["requireTLS"] = true }), signIn("1"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("requireTLS without STARTTLS: %v", err)
	}
	if msgs, _, _, _ := s.received(); len(msgs) != 0 {
		t.Fatal("sent in clear despite requireTLS")
	}
}

func TestNoPasswordInClear(t *testing.T) {
	s := startServer(t, clear, true, sasl.Plain, sasl.Login)
	err := send(t, config(s.port, login(goodPass)), signIn("1"))
	if _, _, _, authed := s.received(); err == nil || authed || !strings.Contains(err.Error(), "only over TLS") {
		t.Fatalf("credentials over a clear connection: logged in %v, error %v", authed, err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	err = send(t, config(port, nil), signIn("1"))
	if err == nil || !strings.Contains(err.Error(), "cannot connect to 127.0.0.1:"+strconv.Itoa(port)+": connection refused") {
		t.Fatalf("connection refused: %v", err)
	}
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestSilentServerReleasesTheCaller(t *testing.T) {
	port := silentServer(t)
	e, err := Factory{}.Email(config(port, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := e.Send(ctx, signIn("1")); err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Fatalf("deadline: %v", err)
	}
	// A context cancelled without a deadline (the user went away) ends the wait as well.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if err := e.Send(ctx, signIn("1")); err == nil || !strings.Contains(err.Error(), "was cancelled") {
		t.Fatalf("cancelled: %v", err)
	}
}

// secret is the password of the bad configs: no error may show it.
const secret = "hunter2-secret"

// changeTemplate sets (or with nil, removes) member k of template i.
func changeTemplate(i int, k string, v any) func(map[string]any) {
	return func(c map[string]any) {
		all := []any{}
		for j, t := range templates() {
			m := map[string]any{}
			for kk, vv := range t {
				m[kk] = vv
			}
			if j == i && v == nil {
				delete(m, k)
			} else if j == i {
				m[k] = v
			}
			all = append(all, m)
		}
		c["templates"] = all
	}
}

func set(k string, v any) func(map[string]any) { return func(c map[string]any) { c[k] = v } }

func del(k string) func(map[string]any) { return func(c map[string]any) { delete(c, k) } }

// badConfigs are configs CheckConfig refuses, each with the field its error must name.
func badConfigs() []struct {
	name, field string
	mod         func(map[string]any)
} {
	return []struct {
		name, field string
		mod         func(map[string]any)
	}{
		{"no host", "host", set("host", "")},
		{"host type", "host", set("host", 7)},
		{"port range", "port", set("port", 70000)},
		{"port zero", "port", set("port", 0)},
		{"port type", "port", set("port", "25")},
		{"port fraction", "port", set("port", 25.5)},
		{"no auth", "auth", del("auth")},
		{"auth type", "auth", set("auth", "user:pass")},
		{"pass type", "auth.pass", set("auth", map[string]any{"user": "u", "pass": 12345})},
		{"oauth2", "auth.type", set("auth", map[string]any{"type": "OAuth2", "user": "u", "clientSecret": secret})},
		{"oauth2 key variant", "auth.privateKey", set("auth", map[string]any{"user": "u", "privateKey": secret, "serviceClient": "x"})},
		{"unknown auth type", "auth.type", set("auth", map[string]any{"type": "ntlm", "user": "u", "pass": secret})},
		{"no from", "fromEmail", del("fromEmail")},
		{"from", "fromEmail", set("fromEmail", "nobody")},
		{"reply-to", "replyTo", set("replyTo", "x")},
		{"name", "name", set("name", "A\r\nBcc: x@evil.example")},
		{"secure type", "secure", set("secure", "yes")},
		{"both TLS flags", "ignoreTLS", func(c map[string]any) { c["requireTLS"] = true; c["ignoreTLS"] = true }},
		{"tls type", "tls", set("tls", true)},
		{"rejectUnauthorized type", "tls.rejectUnauthorized", set("tls", map[string]any{"rejectUnauthorized": "no"})},
		{"timeout type", "connectionTimeout", set("connectionTimeout", "1s")},
		{"debug type", "debug", set("debug", 1)},
		{"header injection", "customHeaders", set("customHeaders", map[string]string{"X-A": "1\r\nBcc: x@evil.example"})},
		{"header name", "customHeaders", set("customHeaders", map[string]string{"Bad Name": "1"})},
		{"reserved header", "customHeaders", set("customHeaders", map[string]string{"subject": "x"})},
		{"templates type", "templates", set("templates", map[string]any{})},
		{"no templates", "templates", del("templates")},
		{"no Generic", "templates", set("templates", templates()[:3])},
		{"usage type", "templates[0].usageType", changeTemplate(0, "usageType", nil)},
		{"content type", "templates[0].contentType", changeTemplate(0, "contentType", "text/markdown")},
		{"no subject", "templates[2].subject", changeTemplate(2, "subject", nil)},
		{"subject injection", "templates[1].subject", changeTemplate(1, "subject", "Hi\r\nBcc: x@evil.example")},
		{"no content", "templates[3].content", changeTemplate(3, "content", nil)},
		{"content of the wrong type", "templates.content", changeTemplate(3, "content", 5)},
	}
}

func TestCheckConfig(t *testing.T) {
	for _, tc := range badConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			err := Factory{}.CheckConfig(config(25, func(c map[string]any) {
				c["auth"] = map[string]any{"user": "u", "pass": secret}
				tc.mod(c)
			}))
			var ce *connector.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || strings.Contains(err.Error(), secret) {
				t.Fatalf("error %v; want a config error naming %s", err, tc.field)
			}
		})
	}
}

func TestCheckConfigAcceptsLogtoConfigs(t *testing.T) {
	for name, mod := range map[string]func(map[string]any){
		"relay without login": func(c map[string]any) { c["auth"] = map[string]any{} },
		"login type":          func(c map[string]any) { c["auth"] = map[string]any{"type": "LOGIN", "user": "u", "pass": "p"} },
		"nodemailer members": func(c map[string]any) {
			c["connectionTimeout"], c["greetingTimeout"], c["socketTimeout"], c["dnsTimeout"] = 120000, 30000, 600000, 30000
			c["logger"], c["debug"], c["disableFileAccess"], c["disableUrlAccess"] = false, true, false, false
			c["localAddress"], c["servername"] = "0.0.0.0", "smtp.example.com"
			c["tls"] = map[string]any{"rejectUnauthorized": true, "minVersion": "TLSv1.2"}
			c["customHeaders"] = map[string]string{}
		},
		"unknown members": func(c map[string]any) { c["somethingNew"] = []int{1}; c["secure"] = true; c["ignoreTLS"] = true },
		"empty subject": func(c map[string]any) {
			c["templates"] = append(templates(), map[string]string{"usageType": "BindMfa", "contentType": "text/plain", "subject": "", "content": ""})
		},
		"from with a name":  func(c map[string]any) { c["fromEmail"] = `"Acme, Inc." <noreply@acme.example>` },
		"no optional names": func(c map[string]any) { delete(c, "name"); delete(c, "replyTo") },
	} {
		if err := (Factory{}).CheckConfig(config(587, mod)); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}
}

func TestTimeoutsOnlyShorten(t *testing.T) {
	c, err := ParseConfig(config(25, func(c map[string]any) { c["connectionTimeout"], c["socketTimeout"] = 2500, 600000 }))
	if err != nil {
		t.Fatal(err)
	}
	if c.ConnectTimeout != 2500*time.Millisecond || c.IOTimeout != maxIOTimeout {
		t.Fatalf("connect %v, io %v", c.ConnectTimeout, c.IOTimeout)
	}
}

func TestFill(t *testing.T) {
	p := map[string]string{"code": "123456", "locale": "en", "application.name": "Chat"}
	for in, want := range map[string]string{
		"{{code}}":                             "123456",
		"{{ code }} / {{x}}":                   "123456 / {{x}}",
		"{{     code }}{{code}}":               "123456123456",
		"{{code.more}}":                        "",
		"{{ link }} {{locale}}":                "{{ link }} en",
		"{{application.name}} {{application}}": "Chat ",
		"{{application.logo}}|{{.x}}|{{ }}":    "|{{.x}}|{{ }}",
		"{{{code}}}":                           "{123456}",
	} {
		if got := fill(in, p, false); got != want {
			t.Errorf("fill(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fill("<b>{{code}}</b>", map[string]string{"code": `<&>"'`}, true); got != "<b>&lt;&amp;&gt;&#34;&#39;</b>" {
		t.Errorf("html fill %q", got)
	}
}

func TestFactory(t *testing.T) {
	var f connector.EmailFactory = Factory{}
	md := f.Metadata()
	if md.ID != "simple-mail-transfer-protocol" || md.Target != "smtp" || md.Platform != nil || md.IsStandard ||
		md.Name["en"] != "SMTP" || md.Description["en"] == "" || !strings.HasPrefix(md.Logo, "data:image/svg+xml,") {
		t.Fatalf("metadata %+v", md)
	}
	items := map[string]connector.FormItem{}
	for _, it := range md.FormItems {
		items[it.Key] = it
	}
	if !items["auth"].IsConfidential || items["templates"].Type != "Json" || !items["host"].Required {
		t.Fatalf("form items %+v", md.FormItems)
	}
	raw, _ := json.Marshal(map[string]any{"host": "h", "port": 25, "auth": map[string]any{}, "fromEmail": "a@b.example",
		"templates": items["templates"].DefaultValue})
	if err := f.CheckConfig(raw); err != nil {
		t.Fatalf("the form's default templates are refused: %v", err)
	}
	if f.Type() != connector.TypeEmail {
		t.Fatal(f.Type())
	}
	if _, err := f.Social(config(25, nil), nil); err == nil {
		t.Fatal("an email connector made a social one")
	}
	e, _ := f.Email(config(25, login(goodPass)))
	if s := e.(interface{ String() string }).String(); strings.Contains(s, goodPass) {
		t.Fatalf("String shows the password: %s", s)
	}
}
