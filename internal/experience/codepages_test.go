package experience

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// codeForm posts one step of an email-code page.
func (b *browser) codeForm(t *testing.T, path string, page response, fields url.Values) response {
	t.Helper()
	fields.Set("csrf", csrfOf(t, page))
	return b.post(path+"?app_id="+b.n.h.app.ID, fields)
}

func TestResetPasswordPages(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = []model.SignInMethod{{Identifier: model.IdentifierUsername, Password: true}}
	})
	h.createUser("alice", "alice@example.com", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	q := "?app_id=" + h.app.ID

	if page := b.get("/sign-in"+q, nil); strings.Contains(string(page.body), "Forgot your password?") {
		t.Fatal("the sign-in page offers a reset without an email connector")
	}
	wantContains(t, b.get("/reset-password"+q, nil), "without an email connector", "Password reset is not available")
	h.addMailbox()
	wantContains(t, b.get("/sign-in"+q, nil), "sign-in page", `href="/reset-password`+q+`"`)

	page := b.get("/reset-password"+q, nil)
	wantContains(t, page, "first step", `name="email"`, "Send code")
	page = b.codeForm(t, "/reset-password", page, url.Values{"step": {"email"}, "email": {"Alice@Example.com"}})
	wantContains(t, page, "code step", "We sent a 6-digit code to alice@example.com", `name="code"`)
	code, usage := h.mail.last(t, "alice@example.com")
	if usage != "ForgotPassword" {
		t.Fatalf("template %s", usage)
	}
	next := url.Values{"step": {"code"}, "email": {"alice@example.com"}, "verification": {between(string(page.body), `name="verification" value="`, `"`)}}
	wrong := url.Values{}
	for k, v := range next {
		wrong[k] = v
	}
	wrong.Set("code", strings.Map(func(r rune) rune { return '0' + (r-'0'+1)%10 }, code))
	r := b.codeForm(t, "/reset-password", page, wrong)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "That code is not right") {
		t.Fatalf("wrong code: %d\n%s", r.status, r.body)
	}
	next.Set("code", code)
	page = b.codeForm(t, "/reset-password", r, next)
	wantContains(t, page, "password step", `name="confirm_password"`, "Reset password")
	pw := url.Values{"step": {"password"}, "email": {"alice@example.com"}, "verification": {next.Get("verification")},
		"password": {"N3w-Passw0rd!"}, "confirm_password": {"N3w-Passw0rd?"}}
	r = b.codeForm(t, "/reset-password", page, pw)
	wantContains(t, r, "mismatch", "The passwords do not match.")
	pw.Set("confirm_password", "N3w-Passw0rd!")
	r = b.codeForm(t, "/reset-password", r, pw)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.Contains(loc, "reset=done") {
		t.Fatalf("after the reset: %d to %q", r.status, loc)
	}
	page = b.get(r.header.Get("Location"), nil)
	wantContains(t, page, "sign-in after reset", "Your password was changed.")
	r = b.post("/sign-in"+q, url.Values{"csrf": {csrfOf(t, page)}, "identifier": {"alice"}, "password": {"N3w-Passw0rd!"}})
	if loc := r.header.Get("Location"); loc != "/oidc/auth/"+in.UID {
		t.Fatalf("sign-in with the new password went to %q (%d %s)", loc, r.status, r.body)
	}
}

func TestEmailCodeSignUpPages(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		emailCodes(s)
		s.SignIn.Methods = []model.SignInMethod{{Identifier: model.IdentifierEmail, VerificationCode: true}}
	})
	h.addMailbox()
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	q := "?app_id=" + h.app.ID
	wantContains(t, b.get("/sign-in"+q, nil), "sign-in page", `href="/email-code`+q+`"`)
	page := b.get("/email-code"+q, nil)
	page = b.codeForm(t, "/email-code", page, url.Values{"step": {"email"}, "email": {"new@example.com"}})
	code, _ := h.mail.last(t, "new@example.com")
	r := b.codeForm(t, "/email-code", page, url.Values{"step": {"code"}, "email": {"new@example.com"}, "code": {code},
		"verification": {between(string(page.body), `name="verification" value="`, `"`)}})
	if loc := r.header.Get("Location"); loc != "/oidc/auth/"+in.UID {
		t.Fatalf("after the code: %d to %q\n%s", r.status, loc, r.body)
	}
	u, err := h.svc.FindUserByIdentifier(t.Context(), tenant, "email", "new@example.com")
	if err != nil || h.interaction(in.UID).Result.AccountID != u.ID {
		t.Fatalf("no account registered for new@example.com (%v)", err)
	}
}
