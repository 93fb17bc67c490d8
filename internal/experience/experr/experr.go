package experr

import (
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Errors the engine answers with: Logto's codes and statuses (core/routes/experience/**), with
// messages that say what to do. The English wording of Logto's phrases is kept where clients
// may show it as is.

func SessionNotFound() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.not_found", "Session not found. Please go back and sign in again.")
}

// InteractionNotStarted is Logto's answer when the interaction holds no experience state
// yet: PUT /api/experience was never called (experience-interaction.ts constructor).
func InteractionNotStarted() *apperr.Error {
	return apperr.New(http.StatusNotFound, "session.interaction_not_found",
		"Interaction session not found. Start it with PUT /api/experience first.")
}

func InvalidInput(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_input", "The request body is invalid. %s", fmt.Sprintf(format, args...))
}

func BodyTooLarge(limit int) *apperr.Error {
	return apperr.New(http.StatusRequestEntityTooLarge, "guard.invalid_input",
		"The request body is invalid. It is larger than %d bytes.", limit)
}

// CrossOrigin refuses an Experience API write another origin's page made the browser send
// (login CSRF: it would finish the victim's interaction as the attacker's account).
func CrossOrigin() *apperr.Error {
	return apperr.New(http.StatusForbidden, "auth.forbidden",
		"Cross-origin requests are not allowed: the Experience API only answers the sign-in page's own origin.")
}

// NotJSON refuses a body that is not application/json. Logto parses such bodies; Gatehouse
// does not, because a page on another origin can send text/plain without a CORS preflight.
func NotJSON() *apperr.Error {
	return apperr.New(http.StatusUnsupportedMediaType, "guard.mime_type_not_allowed",
		"The request body must be sent with Content-Type: application/json.")
}

// EventForbidden is sign-in-experience-validator.ts guardInteractionEvent: sign-in while the
// tenant only allows registration, or registration while it only allows sign-in.
func EventForbidden(event string) *apperr.Error {
	if event == "Register" {
		return apperr.New(http.StatusForbidden, "auth.forbidden", "Registration is not enabled: this sign-in experience only allows signing in.")
	}
	return apperr.New(http.StatusForbidden, "auth.forbidden", "Sign-in is not enabled: this sign-in experience only allows registration.")
}

func ForgotPasswordUnavailable() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "session.forgot_password_not_enabled",
		"Forgot password is not available: resetting a password needs an email connector to send the verification code.")
}

func NotForForgotPassword() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.not_supported_for_forgot_password", "This operation is not supported for forgot password.")
}

func InvalidInteractionType() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.invalid_interaction_type",
		"This operation is not supported for the current interaction. Please initiate a new session.")
}

func SignInMethodNotEnabled() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.sign_in_method_not_enabled", "This sign-in method is not enabled.")
}

func SignUpMethodNotEnabled() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.sign_up_method_not_enabled", "This sign-up method is not enabled.")
}

func Suspended() *apperr.Error {
	return apperr.New(http.StatusUnauthorized, "user.suspended", "This account is suspended.")
}

// Locked is what withSentinel (sentinel-guard.ts) throws once the identifier is locked; the
// minutes left are also given as data so a client can show them without parsing the message.
func Locked(minutes int) *apperr.Error {
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return apperr.New(http.StatusBadRequest, "session.verification_blocked_too_many_attempts",
		"Too many attempts in a short time. Please try again in %d %s.", minutes, unit).
		WithData(map[string]int{"retryAfterMinutes": minutes})
}

// RateLimited is Logto's request.rate_limited, answered by the per-address filter.
func RateLimited() *apperr.Error {
	return apperr.New(http.StatusTooManyRequests, "request.rate_limited", "Too many requests. Please try again later.")
}

func VerificationNotFound() *apperr.Error {
	return apperr.New(http.StatusNotFound, "session.verification_session_not_found",
		"The verification was not successful. Restart the verification flow and try again.")
}

func VerificationFailed() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.verification_failed",
		"The verification was not successful. Restart the verification flow and try again.")
}

func IdentifierNotFound() *apperr.Error {
	return apperr.New(http.StatusNotFound, "session.identifier_not_found", "User identifier not found. Please go back and sign in again.")
}

func IdentityConflict() *apperr.Error {
	return apperr.New(http.StatusConflict, "session.identity_conflict",
		"Identity mismatch detected. Please initiate a new session to proceed with a different identity.")
}

func UserNotExist(identifier string) *apperr.Error {
	return apperr.New(http.StatusNotFound, "user.user_not_exist", "User with %s does not exist.", identifier).
		WithData(map[string]string{"identifier": identifier})
}

func InvalidEmail() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "user.invalid_email", "Invalid email address.")
}

// IdentifierNotVerified answers an email offered for registration where the sign-in
// experience requires it to be verified by a code first.
func IdentifierNotVerified(identifier string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "session.identifier_not_verified",
		"The provided identifier %s has not been verified. Please create a verification record for this identifier and complete the verification process.", identifier)
}

func MissingProfile(missing []string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.missing_profile", "You need to provide additional info before signing-in.").
		WithData(map[string][]string{"missingProfile": missing})
}

func PasswordRejected(issues []policy.PasswordIssue) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "password.rejected",
		"Password rejected. Please check if your password meets the requirements.").WithData(issues)
}

// CSRF answers a hosted-page form whose token does not match the interaction's
// (Logto's session.csrf_token_mismatch).
func CSRF() *apperr.Error {
	return apperr.New(http.StatusForbidden, "session.csrf_token_mismatch", "CSRF token mismatch.")
}

func ConnectorSessionNotFound() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.connector_validation_session_not_found",
		"The connector's sign-in session was not found or was already used. Start the social sign-in again.")
}

// IdentityNotExist is Logto's 404 user.identity_not_exist; relatedEmail, when set, is the
// existing account the social email belongs to, which the person may link to.
func IdentityNotExist(relatedEmail string) *apperr.Error {
	e := apperr.New(http.StatusNotFound, "user.identity_not_exist", "The social account has not been registered yet.")
	if relatedEmail != "" {
		e = e.WithData(map[string]any{"relatedUser": map[string]string{"type": model.IdentifierEmail, "value": relatedEmail}})
	}
	return e
}

func IdentityInUse() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.identity_already_in_use",
		"The social account has been associated with an existing user.")
}

// CodeMismatch is Logto's answer to a wrong verification code.
func CodeMismatch() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "verification_code.code_mismatch", "Invalid verification code.")
}

// CodeExpired is a code presented after its lifetime.
func CodeExpired() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "verification_code.expired", "The verification code has expired. Please request a new one.")
}

// CodeTooManyAttempts is a code whose attempts are used up.
func CodeTooManyAttempts() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "verification_code.exceed_max_try", "Too many wrong attempts. Please request a new verification code.")
}

// CodeResendTooSoon refuses another code to the same address before the cooldown ends.
func CodeResendTooSoon(seconds int) *apperr.Error {
	return apperr.New(http.StatusTooManyRequests, "request.rate_limited", "Please wait %d seconds before asking for another code.", seconds).
		WithData(map[string]int{"retryAfterSeconds": seconds})
}

// PhoneCodesUnavailable answers a phone verification code: Gatehouse has no SMS connector.
func PhoneCodesUnavailable() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "connector.not_found", "Can not find connector with given type: Sms.")
}

// LinkNeedsProof refuses to link a social account to an existing one before the person proved
// that account is theirs (its password in this interaction).
func LinkNeedsProof() *apperr.Error {
	return apperr.New(http.StatusForbidden, "session.verification_required",
		"Linking needs proof that the existing account is yours: verify its password first (POST /api/experience/verification/password).")
}
