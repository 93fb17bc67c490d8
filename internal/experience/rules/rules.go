package rules

import (
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Interaction events (Logto's InteractionEvent).
const (
	EventSignIn         = "SignIn"
	EventRegister       = "Register"
	EventForgotPassword = "ForgotPassword"
)

// phonePattern is what a typed phone number looks like.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,}$`)

// Have says which parts of a new account's profile are known.
type Have struct{ Username, Email, Password bool }

// GuardEvent applies the sign-in mode (sign-in-experience-validator.ts guardInteractionEvent).
func GuardEvent(exp model.SignInExperience, event string) error {
	switch event {
	case EventSignIn:
		if exp.SignInMode == model.SignInModeRegister {
			return experr.EventForbidden(event)
		}
	case EventRegister:
		if exp.SignInMode == model.SignInModeSignIn {
			return experr.EventForbidden(event)
		}
	case EventForgotPassword:
		// Available when an email connector exists: the API handlers check that.
	default:
		return experr.InvalidInput("interactionEvent must be SignIn, Register or ForgotPassword.")
	}
	return nil
}

// PasswordSignInEnabled reports whether the tenant lets kind be used with a password.
func PasswordSignInEnabled(exp model.SignInExperience, kind string) bool {
	return slices.ContainsFunc(exp.SignIn.Methods, func(m model.SignInMethod) bool {
		return m.Identifier == kind && m.Password
	})
}

// MissingProfile lists what the sign-up settings require that the profile lacks, with Logto's
// MissingProfile names (sign-in-experience-validator.ts getMandatoryUserProfileBySignUpMethods).
func MissingProfile(exp model.SignInExperience, p Have) []string {
	var missing []string
	need := func(name string, have bool) {
		if !have && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
	}
	ids := exp.SignUp.Identifiers
	switch {
	case slices.Contains(ids, model.IdentifierUsername):
		need("username", p.Username)
	case slices.Contains(ids, model.IdentifierEmail) && slices.Contains(ids, model.IdentifierPhone):
		need("emailOrPhone", p.Email)
	case slices.Contains(ids, model.IdentifierEmail):
		need("email", p.Email)
	case slices.Contains(ids, model.IdentifierPhone):
		need("phone", false)
	}
	for _, rule := range exp.SignUp.SecondaryIdentifiers {
		switch rule.Identifier {
		case model.IdentifierUsername:
			need("username", p.Username)
		case model.IdentifierEmail:
			need("email", p.Email)
		case model.IdentifierPhone:
			need("phone", false)
		case "emailOrPhone":
			need("emailOrPhone", p.Email)
		}
	}
	if exp.SignUp.Password {
		need("password", p.Password)
	}
	return missing
}

// SignUpRule says whether the sign-up settings collect kind, and whether it must be verified by
// a code first.
func SignUpRule(exp model.SignInExperience, kind string) (collected, verify bool) {
	if slices.Contains(exp.SignUp.Identifiers, kind) {
		return true, exp.SignUp.Verify
	}
	for _, rule := range exp.SignUp.SecondaryIdentifiers {
		if rule.Identifier == kind || (rule.Identifier == "emailOrPhone" && (kind == model.IdentifierEmail || kind == model.IdentifierPhone)) {
			// Logto verifies secondary email and phone identifiers unless told otherwise.
			verify = kind != model.IdentifierUsername
			if rule.Verify != nil {
				verify = *rule.Verify
			}
			return true, verify
		}
	}
	return false, false
}

// PasswordKinds are the identifiers the tenant lets users sign in with by password, in a fixed
// order.
func PasswordKinds(exp model.SignInExperience) []string {
	var kinds []string
	for _, k := range []string{model.IdentifierUsername, model.IdentifierEmail, model.IdentifierPhone} {
		if PasswordSignInEnabled(exp, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// InferKind decides what a typed identifier is, as Logto's page does from its shape: an "@"
// means an email, digits mean a phone number, anything else a username.
func InferKind(exp model.SignInExperience, value string) string {
	kinds := PasswordKinds(exp)
	has := func(k string) bool { return slices.Contains(kinds, k) }
	switch {
	case strings.Contains(value, "@") && has(model.IdentifierEmail):
		return model.IdentifierEmail
	case has(model.IdentifierUsername) && !strings.Contains(value, "@"):
		return model.IdentifierUsername
	case phonePattern.MatchString(value) && has(model.IdentifierPhone):
		return model.IdentifierPhone
	case has(model.IdentifierUsername):
		return model.IdentifierUsername
	case len(kinds) > 0:
		return kinds[0]
	}
	return ""
}

// CanRegister reports whether the registration page can be offered at all.
func CanRegister(exp model.SignInExperience) bool {
	return exp.SignInMode != model.SignInModeSignIn && len(exp.SignUp.Identifiers)+len(exp.SignUp.SecondaryIdentifiers) > 0
}

// TermsCheckbox reports whether the page must ask the user to tick "I agree" (Logto's
// agreeToTermsPolicy Manual, or ManualRegistrationOnly on the registration page) — only when
// there is something to agree to.
func TermsCheckbox(exp model.SignInExperience, registering bool) bool {
	if model.StringOf(exp.TermsOfUseURL) == "" && model.StringOf(exp.PrivacyPolicyURL) == "" {
		return false
	}
	return exp.AgreeToTermsPolicy == "Manual" || (registering && exp.AgreeToTermsPolicy == "ManualRegistrationOnly")
}

// CodeAllowed reports whether the sign-in experience lets a code be sent for event: sign-in by
// email code, an email the sign-up settings collect, or a password reset.
func CodeAllowed(exp model.SignInExperience, event string) error {
	switch event {
	case EventSignIn:
		if !slices.ContainsFunc(exp.SignIn.Methods, func(m model.SignInMethod) bool {
			return m.Identifier == model.IdentifierEmail && m.VerificationCode
		}) {
			return experr.SignInMethodNotEnabled()
		}
	case EventRegister:
		if collected, _ := SignUpRule(exp, model.IdentifierEmail); !collected {
			return experr.SignUpMethodNotEnabled()
		}
	}
	return nil
}
