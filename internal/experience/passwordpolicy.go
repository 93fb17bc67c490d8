package experience

import (
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// passwordIssue is one way a new password breaks the tenant's policy, in Logto's shape
// ({code: "password_rejected.<why>", interpolation?}), answered as the data of 422
// password.rejected.
type passwordIssue struct {
	Code          string         `json:"code"`
	Interpolation map[string]int `json:"interpolation,omitempty"`
}

// passwordPolicy is the tenant's policy with Logto's defaults filled in
// (toolkit/core-kit/src/password-policy.ts passwordPolicyGuard).
type passwordPolicy struct {
	minLength, maxLength  int
	minCharTypes          int
	repetitionAndSequence bool
	userInfo              bool
	words                 []string
}

func resolvePasswordPolicy(p model.PasswordPolicy) passwordPolicy {
	out := passwordPolicy{minLength: 8, maxLength: 256, minCharTypes: 1, repetitionAndSequence: true, userInfo: true}
	if p.Length != nil {
		if p.Length.Min > 0 {
			out.minLength = p.Length.Min
		}
		if p.Length.Max > 0 {
			out.maxLength = p.Length.Max
		}
	}
	if p.CharacterTypes != nil && p.CharacterTypes.Min > 0 {
		out.minCharTypes = min(p.CharacterTypes.Min, 4)
	}
	if p.Rejects != nil {
		// Rejects.Pwned is deliberately not acted on: checking it means sending a hash prefix of
		// the password to an outside service (api.pwnedpasswords.com), and Logto answers 500
		// when that service cannot be reached. A sign-up must not depend on a third party.
		out.repetitionAndSequence = p.Rejects.RepetitionAndSequence
		out.userInfo = p.Rejects.UserInfo
		out.words = p.Rejects.Words
	}
	return out
}

// passwordUserInfo is what a password may not be built from when the policy rejects user info.
type passwordUserInfo struct {
	name, username, email, phone string
}

// passwordSymbols are the characters Logto counts as symbols; anything outside ASCII letters,
// digits and these is an unsupported character.
const passwordSymbols = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "

// passwordSequences are the runs Logto treats as sequential (digits, the alphabet, keyboard rows
// and columns), each also matched reversed and upper-cased.
var passwordSequences = []string{
	"0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik", "9ol",
}

// repetitionAndSequenceThreshold is the shortest run that counts as repetition or a sequence;
// restrictedTolerance is how many characters outside restricted phrases make a password
// acceptable anyway (PasswordPolicyChecker).
const (
	repetitionAndSequenceThreshold = 3
	restrictedTolerance            = 3
)

// check returns every issue of password under the policy, in Logto's order: length, character
// types, then the restricted phrases (repetition, sequence, words, user info), which only count
// when they cover all but at most restrictedTolerance characters.
func (p passwordPolicy) check(password string, info passwordUserInfo) []passwordIssue {
	var issues []passwordIssue
	runes := []rune(password)
	n := len(runes)
	switch {
	case n < p.minLength:
		issues = append(issues, passwordIssue{Code: "password_rejected.too_short", Interpolation: map[string]int{"min": p.minLength}})
	case n > p.maxLength:
		issues = append(issues, passwordIssue{Code: "password_rejected.too_long", Interpolation: map[string]int{"max": p.maxLength}})
	}
	switch types, ok := characterTypes(password); {
	case !ok:
		issues = append(issues, passwordIssue{Code: "password_rejected.unsupported_characters"})
	case types < p.minCharTypes:
		issues = append(issues, passwordIssue{Code: "password_rejected.character_types", Interpolation: map[string]int{"min": p.minCharTypes}})
	}

	marked := make([]bool, n)
	var found []string
	mark := func(start, length int, code string) {
		if length <= 0 {
			return
		}
		for i := start; i < start+length && i < n; i++ {
			marked[i] = true
		}
		for _, c := range found {
			if c == code {
				return
			}
		}
		found = append(found, code)
	}
	for i := range runes {
		rest := runes[i:]
		if p.repetitionAndSequence {
			mark(i, repetitionLength(rest), "restricted.repetition")
			mark(i, sequenceLength(rest), "restricted.sequence")
		}
		if len(p.words) > 0 {
			mark(i, p.wordLength(rest), "restricted.words")
		}
		if p.userInfo {
			mark(i, userInfoLength(rest, info), "restricted.user_info")
		}
	}
	count := 0
	for _, m := range marked {
		if m {
			count++
		}
	}
	if count > max(1, n-restrictedTolerance) {
		for _, code := range found {
			issues = append(issues, passwordIssue{Code: "password_rejected." + code})
		}
	}
	return issues
}

// characterTypes counts the classes (lower, upper, digit, symbol) in password; ok is false when
// it holds a character of none of them.
func characterTypes(password string) (types int, ok bool) {
	var lower, upper, digit, symbol bool
	for _, r := range password {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		case r < utf8.RuneSelf && strings.ContainsRune(passwordSymbols, r):
			symbol = true
		default:
			return 0, false
		}
	}
	for _, b := range []bool{lower, upper, digit, symbol} {
		if b {
			types++
		}
	}
	return types, true
}

func repetitionLength(s []rune) int {
	if len(s) == 0 {
		return 0
	}
	n := 1
	for n < len(s) && s[n] == s[0] {
		n++
	}
	if n < repetitionAndSequenceThreshold {
		return 0
	}
	return n
}

func sequenceLength(s []rune) int {
	n := 0
	for n < len(s) && (n == 0 || isSequential(string(s[:n+1]))) {
		n++
	}
	if n < repetitionAndSequenceThreshold {
		return 0
	}
	return n
}

func isSequential(v string) bool {
	for _, seq := range passwordSequences {
		rev := reverse(seq)
		for _, candidate := range []string{seq, rev, strings.ToUpper(seq), strings.ToUpper(rev)} {
			if strings.Contains(candidate, v) {
				return true
			}
		}
	}
	return false
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// wordLength is the length of the longest rejected word the password continues with.
func (p passwordPolicy) wordLength(s []rune) int {
	lower := strings.ToLower(string(s))
	longest := 0
	for _, w := range p.words {
		if w != "" && strings.HasPrefix(lower, strings.ToLower(w)) {
			longest = max(longest, utf8.RuneCountInString(w))
		}
	}
	return longest
}

// userInfoLength is the length of the longest piece of the user's information the password
// continues with: the name (whole, without spaces, or any word of it), the username, the
// email's local part or the phone number.
func userInfoLength(s []rune, info passwordUserInfo) int {
	lower := strings.ToLower(string(s))
	longest := 0
	consider := func(piece string) {
		if piece != "" && strings.HasPrefix(lower, strings.ToLower(piece)) {
			longest = max(longest, utf8.RuneCountInString(piece))
		}
	}
	if info.name != "" {
		if strings.HasPrefix(lower, strings.ToLower(info.name)) {
			consider(info.name)
		} else {
			consider(strings.Join(strings.Fields(info.name), ""))
			for _, w := range strings.Split(info.name, " ") {
				consider(w)
			}
		}
	}
	consider(info.username)
	local, _, _ := strings.Cut(info.email, "@")
	consider(local)
	consider(info.phone)
	return longest
}
