package policy

import (
	"reflect"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func issueCodes(issues []PasswordIssue) []string {
	out := []string{}
	for _, is := range issues {
		out = append(out, is.Code)
	}
	return out
}

// TestPasswordPolicy follows Logto's PasswordPolicyChecker (toolkit/core-kit/src/password-policy.ts).
func TestPasswordPolicy(t *testing.T) {
	defaults := model.PasswordPolicy{}
	for _, tc := range []struct {
		name     string
		policy   model.PasswordPolicy
		password string
		info     PasswordUserInfo
		want     []string
	}{
		{"a good password", defaults, "Correct-Horse-9", PasswordUserInfo{}, []string{}},
		{"short and sequential", defaults, "123456", PasswordUserInfo{}, []string{"password_rejected.too_short", "password_rejected.restricted.sequence"}},
		{"reversed and upper-case sequences count", defaults, "ZYXWVUTS", PasswordUserInfo{}, []string{"password_rejected.restricted.sequence"}},
		{"keyboard rows count", defaults, "qwertyuiop", PasswordUserInfo{}, []string{"password_rejected.restricted.sequence"}},
		{"repetition", defaults, "aaaaaaaa", PasswordUserInfo{}, []string{"password_rejected.restricted.repetition"}},
		{"a few restricted characters are tolerated", defaults, "abcdefgh#K9p", PasswordUserInfo{}, []string{}},
		{"the username, then a sequence", defaults, "silverhand123", PasswordUserInfo{Username: "silverhand"},
			[]string{"password_rejected.restricted.user_info", "password_rejected.restricted.sequence"}},
		{"the email's local part", defaults, "johndoe1", PasswordUserInfo{Email: "JohnDoe@example.com"}, []string{"password_rejected.restricted.user_info"}},
		{"user info not rejected when turned off", model.PasswordPolicy{Rejects: &model.PasswordRejects{}}, "silverhand123",
			PasswordUserInfo{Username: "silverhand"}, []string{}},
		{"rejected words", model.PasswordPolicy{Rejects: &model.PasswordRejects{Words: []string{"Gatehouse"}}}, "gatehouse12", PasswordUserInfo{},
			[]string{"password_rejected.restricted.words"}},
		{"character types", model.PasswordPolicy{CharacterTypes: &model.PasswordCharSet{Min: 3}}, "abcdefgh1", PasswordUserInfo{},
			[]string{"password_rejected.character_types", "password_rejected.restricted.sequence"}},
		{"too long", model.PasswordPolicy{Length: &model.PasswordLength{Min: 4, Max: 10}}, "Tr0ub4dor&3xyz", PasswordUserInfo{},
			[]string{"password_rejected.too_long"}},
		{"unsupported characters", defaults, "pässwörd-99", PasswordUserInfo{}, []string{"password_rejected.unsupported_characters"}},
		{"symbols include the space", model.PasswordPolicy{CharacterTypes: &model.PasswordCharSet{Min: 2}}, "correct horse", PasswordUserInfo{}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := issueCodes(ResolvePasswordPolicy(tc.policy).Check(tc.password, tc.info))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("issues %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPasswordIssueInterpolation(t *testing.T) {
	issues := ResolvePasswordPolicy(model.PasswordPolicy{Length: &model.PasswordLength{Min: 12, Max: 64}, CharacterTypes: &model.PasswordCharSet{Min: 4}}).
		Check("short1!", PasswordUserInfo{})
	want := []PasswordIssue{
		{Code: "password_rejected.too_short", Interpolation: map[string]int{"min": 12}},
		{Code: "password_rejected.character_types", Interpolation: map[string]int{"min": 4}},
	}
	if !reflect.DeepEqual(issues, want) {
		t.Fatalf("issues %+v, want %+v", issues, want)
	}
}
