package experience

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/codes"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// verificationEmailCode is Logto's VerificationType.EmailVerificationCode.
const verificationEmailCode = "EmailVerificationCode"

// sendCode sends a verification code to an email address (POST …/verification/verification-code)
// and records it, hashed, in the interaction. The address's rate limit and the per-address
// resend cooldown apply; the code goes out in the template of event.
func (e *Experience) sendCode(ctx context.Context, s *session, id identifier, event, clientIP string) (verificationID string, err error) {
	defer func() { e.audit(ctx, s, "Verification.EmailVerificationCode.Create", "", err) }()
	if !s.st.Started() {
		return "", experr.InteractionNotStarted()
	}
	if id.Type == identifierPhone {
		return "", experr.PhoneCodesUnavailable()
	}
	email := strings.ToLower(strings.TrimSpace(id.Value))
	if id.Type != identifierEmail || !emailPattern.MatchString(email) {
		return "", experr.InvalidEmail()
	}
	if event == "" {
		event = s.st.InteractionEvent
	}
	if err := rules.CodeAllowed(s.exp, event); err != nil {
		return "", err
	}
	now := e.clk.Now()
	if !e.limiter.Allow(clientIP) {
		return "", experr.RateLimited()
	}
	if wait := e.codeSends.Wait(e.tenantID+":"+email, now); wait > 0 {
		return "", experr.CodeResendTooSoon(int(wait.Seconds()) + 1)
	}
	digits, c := codes.New(now)
	msg := connector.EmailMessage{To: email, UsageType: event, Payload: map[string]string{"code": digits, "locale": s.in.Params.UILocales}}
	if err := e.svc.SendEmail(ctx, e.tenantID, msg); err != nil {
		return "", connectorFailure(err)
	}
	rec := verificationRecord{ID: ids.New(), Type: verificationEmailCode, Identifier: identifier{Type: identifierEmail, Value: email}, Code: &c}
	s.st.ReplaceVerification(rec)
	return rec.ID, nil
}

// verifyCode checks the code sent for record verificationID (POST …/verification-code/verify).
// Every wrong attempt is saved before the refusal, so the attempt limit holds across requests.
func (e *Experience) verifyCode(ctx context.Context, s *session, id identifier, verificationID, code string) (err error) {
	defer func() { e.audit(ctx, s, "Verification.EmailVerificationCode.Submit", "", err) }()
	i := s.recordIndex(verificationID)
	if i < 0 || s.st.VerificationRecords[i].Type != verificationEmailCode ||
		!strings.EqualFold(s.st.VerificationRecords[i].Identifier.Value, strings.TrimSpace(id.Value)) {
		return experr.VerificationNotFound()
	}
	rec := &s.st.VerificationRecords[i]
	if rec.Code == nil {
		if rec.Verified {
			return nil // already verified: the same answer again
		}
		return experr.VerificationNotFound()
	}
	switch rec.Code.Check(e.clk.Now(), strings.TrimSpace(code)) {
	case codes.Accepted:
		rec.Verified, rec.Code = true, nil
		return nil
	case codes.Expired:
		err = experr.CodeExpired()
	case codes.TooManyAttempts:
		err = experr.CodeTooManyAttempts()
	default:
		err = experr.CodeMismatch()
	}
	if serr := e.save(ctx, s); serr != nil {
		return serr
	}
	return err
}

// identifyByCode identifies the person by a verified email code: the account with that email
// signs in or has its password reset; a registration creates the account with that email.
func (e *Experience) identifyByCode(ctx context.Context, s *session, rec verificationRecord) (created bool, err error) {
	if !rec.Verified {
		return false, experr.VerificationFailed()
	}
	email := rec.Identifier.Value
	if s.st.InteractionEvent == eventRegister {
		if err := rules.CodeAllowed(s.exp, eventRegister); err != nil {
			return false, err
		}
		if err := e.checkAvailable(ctx, profile{PrimaryEmail: email}); err != nil {
			return false, err
		}
		s.st.Profile.PrimaryEmail = email
		return true, e.createUser(withInteraction(ctx, s), s, "")
	}
	if s.st.InteractionEvent == eventSignIn {
		if err := rules.CodeAllowed(s.exp, eventSignIn); err != nil {
			return false, err
		}
	}
	user, err := e.findUser(ctx, identifierEmail, email)
	if err != nil {
		return false, err
	}
	if user == nil {
		return false, experr.UserNotExist(email)
	}
	if user.IsSuspended {
		return false, experr.Suspended()
	}
	if s.st.InteractionEvent == eventForgotPassword {
		s.st.UserID = user.ID
		return false, nil
	}
	return false, s.st.SignInAs(user.ID, "")
}

// verifiedEmail is the address a verified email code record proved (POST …/profile
// {type: email, verificationId}).
func verifiedEmail(s *session, verificationID string) (string, error) {
	rec, ok := s.st.Record(verificationID)
	if !ok || rec.Type != verificationEmailCode {
		return "", experr.VerificationNotFound()
	}
	if !rec.Verified {
		return "", experr.VerificationFailed()
	}
	return rec.Identifier.Value, nil
}

// resetPassword sets the new password of a forgot-password interaction (PUT …/profile/password):
// the account is identified by a code, the password passes the policy, and only its hash is
// kept until submit stores it.
func (e *Experience) resetPassword(ctx context.Context, s *session, password string) error {
	if !s.st.Started() {
		return experr.InteractionNotStarted()
	}
	if s.st.InteractionEvent != eventForgotPassword {
		return experr.InvalidInteractionType()
	}
	if s.st.UserID == "" {
		return experr.IdentifierNotFound()
	}
	user, err := e.svc.GetUser(ctx, e.tenantID, s.st.UserID)
	if err != nil {
		return fmt.Errorf("load the account to reset: %w", err)
	}
	info := policy.PasswordUserInfo{Username: model.StringOf(user.Username), Email: model.StringOf(user.PrimaryEmail)}
	if issues := policy.ResolvePasswordPolicy(s.exp.PasswordPolicy).Check(password, info); len(issues) > 0 {
		return experr.PasswordRejected(issues)
	}
	encrypted, method, err := e.passwords.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	s.st.Profile.PasswordEncrypted, s.st.Profile.PasswordEncryptionMethod = encrypted, method
	return nil
}

// submitReset finishes a forgot-password interaction: the new password is stored and the
// interaction starts over, so the person can sign in with it in the same authorization request
// (Logto ends the interaction instead).
func (e *Experience) submitReset(ctx context.Context, s *session) error {
	if s.st.UserID == "" {
		return experr.IdentifierNotFound()
	}
	if s.st.Profile.PasswordEncrypted == "" {
		return experr.MissingProfile([]string{"password"})
	}
	if err := e.svc.ResetUserPassword(withInteraction(ctx, s), e.tenantID, s.st.UserID, s.st.Profile.PasswordEncrypted,
		s.st.Profile.PasswordEncryptionMethod); err != nil {
		return err
	}
	s.st = state{CSRF: s.st.CSRF}
	return nil
}

// forgotPasswordAvailable refuses a forgot-password interaction when no email connector can
// send its code (Logto's 422 session.forgot_password_not_enabled).
func (e *Experience) forgotPasswordAvailable(ctx context.Context, event string) error {
	if event == eventForgotPassword && !e.svc.HasEmailConnector(ctx, e.tenantID) {
		return experr.ForgotPasswordUnavailable()
	}
	return nil
}

// POST /api/experience/verification/verification-code {identifier, interactionEvent} → 200
// {verificationId}.
func (e *Experience) handleCodeSend(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	id, event, err := apibody.ParseCodeSend(body)
	if err != nil {
		return err
	}
	verificationID, err := e.sendCode(r.Context(), s, id, event, httpx.ClientIP(r.Context()))
	if err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"verificationId": verificationID})
	return nil
}

// POST /api/experience/verification/verification-code/verify {identifier, verificationId, code}
// → 200 {verificationId}.
func (e *Experience) handleCodeVerify(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	id, verificationID, code, err := apibody.ParseCodeVerify(body)
	if err != nil {
		return err
	}
	if err := e.verifyCode(r.Context(), s, id, verificationID, code); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"verificationId": verificationID})
	return nil
}

// PUT /api/experience/profile/password {password} → 204.
func (e *Experience) handleResetPassword(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	password, err := apibody.ParseNewPassword(body)
	if err != nil {
		return err
	}
	if err := e.resetPassword(r.Context(), s, password); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
