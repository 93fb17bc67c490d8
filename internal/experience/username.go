package experience

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

// checkUsername applies Logto's hard floor and the tenant's username policy
// (core-kit/src/username-policy.ts validateUsernameAgainstPolicy) and answers the first
// violation as 422 user.username_<violation>.
func checkUsername(p model.UsernamePolicy, username string) error {
	minLen, maxLen := p.MinLength, p.MaxLength
	allowed := p.AllowedChars
	if minLen == 0 && maxLen == 0 { // no policy stored: Logto's defaultUsernamePolicy
		minLen, maxLen = 1, 128
		allowed.Lowercase, allowed.Uppercase, allowed.Numbers, allowed.Underscore = true, true, true, true
	}
	violation := func(code, message string) error {
		return apperr.New(http.StatusUnprocessableEntity, "user.username_"+code, "%s", message)
	}
	n := utf8.RuneCountInString(username)
	switch {
	case n == 0:
		return violation("required", "Username is required.")
	case username[0] >= '0' && username[0] <= '9':
		return violation("starts_with_number", "Username cannot start with a number.")
	case !usernameCharset.MatchString(username):
		return violation("invalid_charset_hard", "Username can only contain letters, numbers, and underscores.")
	case n < minLen:
		return violation("too_short", "Username is too short.")
	case n > maxLen:
		return violation("too_long", "Username is too long.")
	case !allowed.Uppercase && upperPattern.MatchString(username):
		return violation("uppercase_not_allowed", "Username cannot contain uppercase letters.")
	case !allowed.Lowercase && lowerPattern.MatchString(username):
		return violation("lowercase_not_allowed", "Username cannot contain lowercase letters.")
	case !allowed.Numbers && digitPattern.MatchString(username):
		return violation("numbers_not_allowed", "Username cannot contain numbers.")
	case !allowed.Underscore && containsUnderscore(username):
		return violation("underscore_not_allowed", "Username cannot contain underscores.")
	}
	return nil
}

func containsUnderscore(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			return true
		}
	}
	return false
}
