package secretmask

import (
	"encoding/json"
	"slices"
	"strings"
)

// isSecretKey reports whether a config member holds a credential (Logto's connector configs:
// clientSecret, SMTP auth.pass, private keys and tokens).
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"secret", "pass", "privatekey", "token", "apikey"} {
		if strings.Contains(k, s) && k != "tokenendpoint" && k != "tokenendpointresponsetype" && k != "tokenendpointauthmethod" {
			return true
		}
	}
	return false
}

// Mask returns the config with every non-empty secret string replaced by placeholder (the
// console's wording in the admin's language): the stored value never goes back to the browser.
func Mask(raw []byte, placeholder string) []byte {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	out, err := json.Marshal(walkSecrets(v, func(string, any) any { return placeholder }))
	if err != nil {
		return raw
	}
	return out
}

// Unmask puts the stored secrets back where the edited config still holds a placeholder — in
// any language, since the page may have been shown in another than the one it is posted in; a
// secret the admin typed anew is kept as typed.
func Unmask(edited, stored []byte, placeholders []string) ([]byte, error) {
	var e, s any
	if err := json.Unmarshal(edited, &e); err != nil {
		return nil, err
	}
	_ = json.Unmarshal(stored, &s)
	return json.Marshal(restore(e, s, placeholders))
}

// walkSecrets replaces each non-empty secret string member of v with repl's answer.
func walkSecrets(v any, repl func(key string, old any) any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, m := range t {
			if str, ok := m.(string); ok && str != "" && isSecretKey(k) {
				t[k] = repl(k, m)
				continue
			}
			t[k] = walkSecrets(m, repl)
		}
	case []any:
		for i := range t {
			t[i] = walkSecrets(t[i], repl)
		}
	}
	return v
}

// restore replaces placeholders in edited with the value at the same place in stored.
func restore(edited, stored any, placeholders []string) any {
	switch e := edited.(type) {
	case map[string]any:
		s, _ := stored.(map[string]any)
		for k, m := range e {
			if str, ok := m.(string); ok && slices.Contains(placeholders, str) {
				e[k] = s[k]
				continue
			}
			e[k] = restore(m, s[k], placeholders)
		}
	case []any:
		s, _ := stored.([]any)
		for i := range e {
			var si any
			if i < len(s) {
				si = s[i]
			}
			e[i] = restore(e[i], si, placeholders)
		}
	}
	return edited
}
