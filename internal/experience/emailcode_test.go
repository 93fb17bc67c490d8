package experience

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// mailbox is an email connector factory that keeps what it is asked to send, standing in for
// a mail server (package smtp is tested against a real one).
type mailbox struct {
	mu   sync.Mutex
	sent []connector.EmailMessage
}

func (m *mailbox) Metadata() connector.Metadata {
	return connector.Metadata{ID: "test-mailbox", Target: "mailbox", Name: map[string]string{"en": "Mailbox"}}
}
func (m *mailbox) Type() connector.Type                           { return connector.TypeEmail }
func (m *mailbox) CheckConfig(json.RawMessage) error              { return nil }
func (m *mailbox) Email(json.RawMessage) (connector.Email, error) { return m, nil }
func (m *mailbox) Social(json.RawMessage, *connector.Client) (connector.Social, error) {
	return nil, errors.New("not social")
}
func (m *mailbox) Send(_ context.Context, msg connector.EmailMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

// last is the code of the last message to address, and its usage type.
func (m *mailbox) last(t *testing.T, to string) (code, usage string) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].To == to {
			if !regexp.MustCompile(`^\d{6}$`).MatchString(m.sent[i].Payload["code"]) {
				t.Fatalf("sent code %q is not six digits", m.sent[i].Payload["code"])
			}
			return m.sent[i].Payload["code"], m.sent[i].UsageType
		}
	}
	t.Fatalf("nothing was sent to %s", to)
	return "", ""
}

func (h *harness) addMailbox() {
	h.t.Helper()
	if _, err := h.svc.CreateConnector(h.t.Context(), tenant, connectors.CreateInput{ConnectorID: "test-mailbox", Config: json.RawMessage(`{}`)}); err != nil {
		h.t.Fatalf("create email connector: %v", err)
	}
}

func emailCodes(s *model.SignInExperience) {
	s.SignIn.Methods = []model.SignInMethod{{Identifier: model.IdentifierEmail, VerificationCode: true, Password: true}}
	s.SignUp = model.SignUp{Identifiers: []string{model.IdentifierEmail}, Verify: true}
}

// sendAndVerify asks for a code to email under event and verifies it, returning the record.
func (b *browser) sendAndVerify(t *testing.T, email, event string) string {
	t.Helper()
	id := map[string]string{"type": "email", "value": email}
	r := b.api(http.MethodPost, "/api/experience/verification/verification-code", map[string]any{"identifier": id, "interactionEvent": event})
	wantStatus(t, r, http.StatusOK, "", "send code")
	verificationID, _ := r.json(t)["verificationId"].(string)
	code, usage := b.n.h.mail.last(t, email)
	if usage != event {
		t.Fatalf("the code went out with the %s template, want %s", usage, event)
	}
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/verification-code/verify",
		map[string]any{"identifier": id, "verificationId": verificationID, "code": code}), http.StatusOK, "", "verify code")
	return verificationID
}

func TestEmailCodeRegisterThenSignIn(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(emailCodes)
	h.addMailbox()
	n := h.node(RateLimit{})

	b := n.browser()
	in := b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "Register"}), http.StatusNoContent, "", "PUT")
	id := map[string]string{"type": "email", "value": "Nora@Example.com"}
	r := b.api(http.MethodPost, "/api/experience/verification/verification-code", map[string]any{"identifier": id, "interactionEvent": "Register"})
	wantStatus(t, r, http.StatusOK, "", "send")
	verificationID, _ := r.json(t)["verificationId"].(string)
	code, _ := h.mail.last(t, "nora@example.com")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/verification-code/verify",
		map[string]any{"identifier": id, "verificationId": verificationID, "code": wrong}), http.StatusBadRequest, "verification_code.code_mismatch", "wrong code")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/verification-code",
		map[string]any{"identifier": id, "interactionEvent": "Register"}), http.StatusTooManyRequests, "request.rate_limited", "resend at once")
	// A fresh interaction is no way around the cooldown: it holds per address.
	other := n.browser()
	other.startInteraction(nil)
	wantStatus(t, other.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "Register"}), http.StatusNoContent, "", "PUT")
	wantStatus(t, other.api(http.MethodPost, "/api/experience/verification/verification-code",
		map[string]any{"identifier": id, "interactionEvent": "Register"}), http.StatusTooManyRequests, "request.rate_limited", "another interaction, same address")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/verification-code/verify",
		map[string]any{"identifier": id, "verificationId": verificationID, "code": code}), http.StatusOK, "", "right code")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", map[string]string{"verificationId": verificationID}), http.StatusCreated, "", "identification")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/submit", nil), http.StatusOK, "", "submit")
	u, err := h.svc.GetUser(t.Context(), tenant, h.interaction(in.UID).Result.AccountID)
	if err != nil || model.StringOf(u.PrimaryEmail) != "nora@example.com" {
		t.Fatalf("registered %+v (%v)", u, err)
	}

	h.clk.Advance(2 * time.Minute)
	b2 := n.browser()
	in2 := b2.startInteraction(nil)
	wantStatus(t, b2.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")
	v := b2.sendAndVerify(t, "nora@example.com", "SignIn")
	wantStatus(t, b2.api(http.MethodPost, "/api/experience/identification", map[string]string{"verificationId": v}), http.StatusNoContent, "", "sign-in identification")
	wantStatus(t, b2.api(http.MethodPost, "/api/experience/submit", nil), http.StatusOK, "", "submit")
	if res := h.interaction(in2.UID).Result; res == nil || res.AccountID != u.ID {
		t.Fatalf("signed in as %+v, want %s", res, u.ID)
	}
}

func TestEmailCodeLimits(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(emailCodes)
	h.addMailbox()
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")
	id := map[string]string{"type": "email", "value": "kim@example.com"}
	send := func() string {
		r := b.api(http.MethodPost, "/api/experience/verification/verification-code", map[string]any{"identifier": id, "interactionEvent": "SignIn"})
		wantStatus(t, r, http.StatusOK, "", "send")
		v, _ := r.json(t)["verificationId"].(string)
		return v
	}
	verify := func(v, code string) response {
		return b.api(http.MethodPost, "/api/experience/verification/verification-code/verify", map[string]any{"identifier": id, "verificationId": v, "code": code})
	}
	v := send()
	code, _ := h.mail.last(t, "kim@example.com")
	wrong := "999999"
	if code == wrong {
		wrong = "888888"
	}
	for range 4 {
		wantStatus(t, verify(v, wrong), http.StatusBadRequest, "verification_code.code_mismatch", "wrong code")
	}
	wantStatus(t, verify(v, wrong), http.StatusBadRequest, "verification_code.exceed_max_try", "fifth wrong code")
	wantStatus(t, verify(v, code), http.StatusBadRequest, "verification_code.exceed_max_try", "right code after the limit")

	h.clk.Advance(61 * time.Second)
	v = send()
	h.clk.Advance(11 * time.Minute)
	code, _ = h.mail.last(t, "kim@example.com")
	wantStatus(t, verify(v, code), http.StatusBadRequest, "verification_code.expired", "after ten minutes")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/verification-code",
		map[string]any{"identifier": map[string]string{"type": "phone", "value": "15550100"}, "interactionEvent": "SignIn"}),
		http.StatusBadRequest, "connector.not_found", "phone codes")
}

func TestForgotPasswordByEmailCode(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = []model.SignInMethod{{Identifier: model.IdentifierEmail, Password: true}}
	})
	alice := h.createUser("alice", "alice@example.com", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "ForgotPassword"}),
		http.StatusUnprocessableEntity, "session.forgot_password_not_enabled", "without an email connector")
	h.addMailbox()
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "ForgotPassword"}), http.StatusNoContent, "", "PUT")
	v := b.sendAndVerify(t, "alice@example.com", "ForgotPassword")
	wantStatus(t, b.api(http.MethodPut, "/api/experience/profile/password", map[string]string{"password": "N3w-Passw0rd!"}),
		http.StatusNotFound, "session.identifier_not_found", "password before identification")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", map[string]string{"verificationId": v}), http.StatusNoContent, "", "identification")
	wantStatus(t, b.api(http.MethodPut, "/api/experience/profile/password", map[string]string{"password": "short"}),
		http.StatusUnprocessableEntity, "password.rejected", "weak password")
	wantStatus(t, b.api(http.MethodPut, "/api/experience/profile/password", map[string]string{"password": "N3w-Passw0rd!"}), http.StatusNoContent, "", "new password")
	r := b.api(http.MethodPost, "/api/experience/submit", nil)
	wantStatus(t, r, http.StatusNoContent, "", "submit")
	if len(r.body) != 0 {
		t.Fatalf("submit answered a body: %s", r.body)
	}
	// The same authorization request goes on: the old password fails, the new one signs in.
	if r := b.signInAPI("email", "alice@example.com", alicePassword); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("old password: %d %s", r.status, r.body)
	}
	wantStatus(t, b.signInAPI("email", "alice@example.com", "N3w-Passw0rd!"), http.StatusOK, "", "new password sign-in")
	_ = alice
}
