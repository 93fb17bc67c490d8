package smtp

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCheckConfig: any config is accepted or refused with an error, never a panic, and no error
// holds the password. The password is put in as a marker that cannot occur in a message by
// chance; the raw input is also checked as it is, with its own password when it has a long one.
func FuzzCheckConfig(f *testing.F) {
	f.Add([]byte(config(25, nil)), "p4ss-w0rd")
	f.Add([]byte(`{"host":"h","port":25,"auth":{"user":"u","pass":"p4ss-w0rd"},"fromEmail":"a@b.c","templates":[]}`), "x")
	f.Add([]byte(`{"port":"x","auth":{"type":"oauth2"}}`), "")
	f.Add([]byte(`{"templates":[{"usageType":"SignIn","subject":null}],"tls":{"rejectUnauthorized":0}}`), "{{code}}")
	f.Add([]byte(`null`), "")
	f.Fuzz(func(t *testing.T, raw []byte, pass string) {
		if err := (Factory{}).CheckConfig(raw); err != nil {
			var in struct {
				Auth struct {
					Pass string `json:"pass"`
				} `json:"auth"`
			}
			if json.Unmarshal(raw, &in) == nil && len(in.Auth.Pass) >= 12 && strings.Contains(err.Error(), in.Auth.Pass) {
				t.Fatalf("the error shows the password: %v", err)
			}
		}
		var c map[string]any
		if json.Unmarshal(raw, &c) != nil || c == nil {
			return
		}
		marker := "Zq9#pw:" + pass + ":wp#9qZ"
		auth, _ := c["auth"].(map[string]any)
		if auth == nil {
			auth = map[string]any{"user": "u"}
		}
		auth["pass"] = marker
		c["auth"] = auth
		withPass, err := json.Marshal(c)
		if err != nil {
			return
		}
		if err := (Factory{}).CheckConfig(withPass); err != nil && strings.Contains(err.Error(), marker) {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}
