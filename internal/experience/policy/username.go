package policy

import (
	"net/http"
	"regexp"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// usernameCharset is Logto's usernameRegEx: letters, digits and underscores, not starting with a
// digit (toolkit/core-kit/src/regex.ts).
var usernameCharset = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var (
	upperPattern = regexp.MustCompile(`[A-Z]`)
	lowerPattern = regexp.MustCompile(`[a-z]`)
	digitPattern = regexp.MustCompile(`[0-9]`)
)

// CheckUsername applies Logto's hard floor and the tenant's username policy
// (core-kit/src/username-policy.ts validateUsernameAgainstPolicy) and answers the first
// violation as 422 user.username_<violation>.
func CheckUsername(p model.UsernamePolicy, username string) error {
	policy := resolveUsernamePolicy(p)
	n := utf8.RuneCountInString(username)
	for _, rule := range usernameRules {
		if rule.breaks(policy, username, n) {
			return apperr.New(http.StatusUnprocessableEntity, "user.username_"+rule.code, "%s", rule.message)
		}
	}
	return nil
}

// resolveUsernamePolicy is p, or Logto's defaultUsernamePolicy when no policy is stored.
func resolveUsernamePolicy(p model.UsernamePolicy) model.UsernamePolicy {
	if p.MinLength == 0 && p.MaxLength == 0 {
		p.MinLength, p.MaxLength = 1, 128
		p.AllowedChars.Lowercase, p.AllowedChars.Uppercase, p.AllowedChars.Numbers, p.AllowedChars.Underscore = true, true, true, true
	}
	return p
}

// usernameRule is one violation: its code (after user.username_), its message, and when a
// username of n characters breaks it under the (resolved) policy.
type usernameRule struct {
	code, message string
	breaks        func(p model.UsernamePolicy, username string, n int) bool
}

// usernameRules are checked in order, Logto's hard floor first; the first broken one answers.
var usernameRules = []usernameRule{
	{"required", "Username is required.", func(_ model.UsernamePolicy, _ string, n int) bool { return n == 0 }},
	{"starts_with_number", "Username cannot start with a number.", func(_ model.UsernamePolicy, u string, _ int) bool {
		return u[0] >= '0' && u[0] <= '9'
	}},
	{"invalid_charset_hard", "Username can only contain letters, numbers, and underscores.", func(_ model.UsernamePolicy, u string, _ int) bool {
		return !usernameCharset.MatchString(u)
	}},
	{"too_short", "Username is too short.", func(p model.UsernamePolicy, _ string, n int) bool { return n < p.MinLength }},
	{"too_long", "Username is too long.", func(p model.UsernamePolicy, _ string, n int) bool { return n > p.MaxLength }},
	{"uppercase_not_allowed", "Username cannot contain uppercase letters.", func(p model.UsernamePolicy, u string, _ int) bool {
		return !p.AllowedChars.Uppercase && upperPattern.MatchString(u)
	}},
	{"lowercase_not_allowed", "Username cannot contain lowercase letters.", func(p model.UsernamePolicy, u string, _ int) bool {
		return !p.AllowedChars.Lowercase && lowerPattern.MatchString(u)
	}},
	{"numbers_not_allowed", "Username cannot contain numbers.", func(p model.UsernamePolicy, u string, _ int) bool {
		return !p.AllowedChars.Numbers && digitPattern.MatchString(u)
	}},
	{"underscore_not_allowed", "Username cannot contain underscores.", func(p model.UsernamePolicy, u string, _ int) bool {
		return !p.AllowedChars.Underscore && containsUnderscore(u)
	}},
}

func containsUnderscore(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			return true
		}
	}
	return false
}
