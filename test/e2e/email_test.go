package e2e

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (emersion/go-smtp) on the loopback that Gatehouse's SMTP
// connector delivers to, with a small HTTP mailbox the browser script reads the last code from.
type mailServer struct {
	mu       sync.Mutex
	lastCode map[string]string // recipient → last code
	smtpPort int
	mailbox  string // http://127.0.0.1:<port>/code?to=
}

type mailSession struct {
	m  *mailServer
	to string
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

func (s *mailSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	code := sixDigits.FindString(string(b))
	if code == "" {
		return errors.New("no code in the message")
	}
	s.m.mu.Lock()
	s.m.lastCode[s.to] = code
	s.m.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	m := &mailServer{lastCode: map[string]string{}}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	m.smtpPort = l.Addr().(*net.TCPAddr).Port

	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		defer m.mu.Unlock()
		fmt.Fprint(w, m.lastCode[r.URL.Query().Get("to")])
	})}
	go func() { _ = box.Serve(hl) }()
	t.Cleanup(func() { _ = box.Close() })
	m.mailbox = "http://" + hl.Addr().String() + "/code?to="
	return m
}

// TestBrowserResetPassword: a person who forgot their password asks for a code on the hosted
// page, reads it from the email Gatehouse sent through its SMTP connector to a real SMTP server,
// sets a new password, and signs in with it in Chromium.
func TestBrowserResetPassword(t *testing.T) {
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts, _ = filepath.Abs("artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	mail := startMailServer(t)
	tpl := func(u string) map[string]string {
		return map[string]string{"usageType": u, "contentType": "text/plain", "subject": "Your code", "content": "Your code is {{code}}."}
	}
	var conn struct{ ID string }
	api(t, http.MethodPost, "/connectors", map[string]any{"connectorId": "simple-mail-transfer-protocol", "config": map[string]any{
		"host": "127.0.0.1", "port": mail.smtpPort, "auth": map[string]any{}, "fromEmail": "noreply@example.com", "name": "Gatehouse",
		"templates": []any{tpl("SignIn"), tpl("Register"), tpl("ForgotPassword"), tpl("Generic")},
	}}, &conn)
	t.Cleanup(func() { api(t, http.MethodDelete, "/connectors/"+conn.ID, nil, nil) })
	user := createUser(t, "reset_user")
	app := createApp(t, "Reset demo", nil, nil, nil)
	rp := demoRP(t, app)
	api(t, http.MethodPatch, "/applications/"+app.ID, map[string]any{
		"oidcClientMetadata": map[string]any{"redirectUris": []string{rp + "/callback"}, "postLogoutRedirectUris": []string{}},
	}, nil)

	var got struct{ SignedIn, Notice string }
	runScript(t, &got, "node", []string{"js/playwright-reset.mjs"}, map[string]string{
		"RP_URL": rp, "ARTIFACTS_DIR": artifacts, "EMAIL": user.Email, "USERNAME": user.Username,
		"MAILBOX": mail.mailbox, "NEW_PASSWORD": "Brand-new-Passw0rd!",
	})
	if !strings.Contains(got.Notice, "Your password was changed") {
		t.Errorf("sign-in page after the reset says %q", got.Notice)
	}
	if want := fmt.Sprintf("Signed in as %s (%s)", user.Name, user.Email); !strings.Contains(got.SignedIn, want) {
		t.Errorf("relying party shows %q, want %q", got.SignedIn, want)
	}
	for _, f := range []string{"reset-email.png", "reset-code.png", "reset-new-password.png", "reset-done.png"} {
		if st, err := os.Stat(filepath.Join(artifacts, f)); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s missing", f)
		}
	}
}
