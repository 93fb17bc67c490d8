package policy

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// PasswordIssue is one way a new password breaks the tenant's policy, in Logto's shape
// ({code: "password_rejected.<why>", interpolation?}), answered as the data of 422
// password.rejected.
type PasswordIssue struct {
	Code          string         `json:"code"`
	Interpolation map[string]int `json:"interpolation,omitempty"`
}

// PasswordPolicy is the tenant's policy with Logto's defaults filled in
// (toolkit/core-kit/src/password-policy.ts passwordPolicyGuard).
type PasswordPolicy struct {
	minLength, maxLength  int
	minCharTypes          int
	repetitionAndSequence bool
	userInfo              bool
	words                 []string
}

// ResolvePasswordPolicy is p with Logto's defaults for what it leaves unset.
func ResolvePasswordPolicy(p model.PasswordPolicy) PasswordPolicy {
	out := PasswordPolicy{minLength: 8, maxLength: 256, minCharTypes: 1, repetitionAndSequence: true, userInfo: true}
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

// MinLength is the shortest password the policy accepts.
func (p PasswordPolicy) MinLength() int { return p.minLength }

// PasswordUserInfo is what a password may not be built from when the policy rejects user info.
type PasswordUserInfo struct {
	Name, Username, Email, Phone string
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
func (p PasswordPolicy) Check(password string, info PasswordUserInfo) []PasswordIssue {
	runes := []rune(password)
	var issues []PasswordIssue
	issues = append(issues, p.lengthIssues(len(runes))...)
	issues = append(issues, p.characterTypeIssues(password)...)
	return append(issues, p.restrictedIssues(runes, info)...)
}

// lengthIssues reports a password of n characters that is too short or too long.
func (p PasswordPolicy) lengthIssues(n int) []PasswordIssue {
	switch {
	case n < p.minLength:
		return []PasswordIssue{{Code: "password_rejected.too_short", Interpolation: map[string]int{"min": p.minLength}}}
	case n > p.maxLength:
		return []PasswordIssue{{Code: "password_rejected.too_long", Interpolation: map[string]int{"max": p.maxLength}}}
	}
	return nil
}

// characterTypeIssues reports a character outside every class, else too few classes.
func (p PasswordPolicy) characterTypeIssues(password string) []PasswordIssue {
	switch types, ok := characterTypes(password); {
	case !ok:
		return []PasswordIssue{{Code: "password_rejected.unsupported_characters"}}
	case types < p.minCharTypes:
		return []PasswordIssue{{Code: "password_rejected.character_types", Interpolation: map[string]int{"min": p.minCharTypes}}}
	}
	return nil
}

// restrictedIssues marks, from each position, the runs the policy restricts, and reports their
// kinds (in the order first found) when the marks cover all but restrictedTolerance characters.
func (p PasswordPolicy) restrictedIssues(runes []rune, info PasswordUserInfo) []PasswordIssue {
	m := restrictedMarks{marked: make([]bool, len(runes))}
	for i := range runes {
		p.markRestricted(&m, i, runes[i:], info)
	}
	if m.count() <= max(1, len(runes)-restrictedTolerance) {
		return nil
	}
	issues := make([]PasswordIssue, 0, len(m.found))
	for _, code := range m.found {
		issues = append(issues, PasswordIssue{Code: "password_rejected." + code})
	}
	return issues
}

// markRestricted marks the restricted runs that start at position i (rest is the password from
// there), in Logto's order: repetition, sequence, words, user info.
func (p PasswordPolicy) markRestricted(m *restrictedMarks, i int, rest []rune, info PasswordUserInfo) {
	if p.repetitionAndSequence {
		m.mark(i, repetitionLength(rest), "restricted.repetition")
		m.mark(i, sequenceLength(rest), "restricted.sequence")
	}
	if len(p.words) > 0 {
		m.mark(i, p.wordLength(rest), "restricted.words")
	}
	if p.userInfo {
		m.mark(i, userInfoLength(rest, info), "restricted.user_info")
	}
}

// restrictedMarks records which characters of a password restricted runs cover, and the kinds
// of run found.
type restrictedMarks struct {
	marked []bool
	found  []string
}

// mark covers length characters from start as a run of kind code.
func (m *restrictedMarks) mark(start, length int, code string) {
	if length <= 0 {
		return
	}
	for i := start; i < start+length && i < len(m.marked); i++ {
		m.marked[i] = true
	}
	if !slices.Contains(m.found, code) {
		m.found = append(m.found, code)
	}
}

// count is how many characters runs cover.
func (m *restrictedMarks) count() int {
	n := 0
	for _, covered := range m.marked {
		if covered {
			n++
		}
	}
	return n
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
func (p PasswordPolicy) wordLength(s []rune) int {
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
func userInfoLength(s []rune, info PasswordUserInfo) int {
	lower := strings.ToLower(string(s))
	longest := 0
	consider := func(piece string) {
		if piece != "" && strings.HasPrefix(lower, strings.ToLower(piece)) {
			longest = max(longest, utf8.RuneCountInString(piece))
		}
	}
	if info.Name != "" {
		if strings.HasPrefix(lower, strings.ToLower(info.Name)) {
			consider(info.Name)
		} else {
			consider(strings.Join(strings.Fields(info.Name), ""))
			for _, w := range strings.Split(info.Name, " ") {
				consider(w)
			}
		}
	}
	consider(info.Username)
	local, _, _ := strings.Cut(info.Email, "@")
	consider(local)
	consider(info.Phone)
	return longest
}
