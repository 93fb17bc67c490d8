package policy

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// TestUsernamePolicy follows core-kit's validateUsernameAgainstPolicy: the hard floor first,
// then length, then character classes.
func TestUsernamePolicy(t *testing.T) {
	strict := model.UsernamePolicy{MinLength: 3, MaxLength: 8}
	strict.AllowedChars.Lowercase = true
	strict.AllowedChars.Numbers = true
	for _, tc := range []struct {
		name     string
		policy   model.UsernamePolicy
		username string
		code     string // "" = accepted
	}{
		{"default policy accepts letters, digits, underscores", model.UsernamePolicy{}, "Alice_2", ""},
		{"empty", model.UsernamePolicy{}, "", "user.username_required"},
		{"leading digit", model.UsernamePolicy{}, "2alice", "user.username_starts_with_number"},
		{"a dash", model.UsernamePolicy{}, "al-ice", "user.username_invalid_charset_hard"},
		{"non-ASCII", model.UsernamePolicy{}, "ålice", "user.username_invalid_charset_hard"},
		{"longer than the default 128", model.UsernamePolicy{}, strings.Repeat("a", 129), "user.username_too_long"},
		{"too short", strict, "ab", "user.username_too_short"},
		{"too long", strict, "abcdefghi", "user.username_too_long"},
		{"uppercase not allowed", strict, "Alice", "user.username_uppercase_not_allowed"},
		{"underscore not allowed", strict, "al_ice", "user.username_underscore_not_allowed"},
		{"fits the strict policy", strict, "alice9", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckUsername(tc.policy, tc.username)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ae, ok := apperr.As(err)
			if !ok || ae.Code != tc.code || ae.Status != 422 {
				t.Fatalf("got %v, want 422 %s", err, tc.code)
			}
		})
	}
}
