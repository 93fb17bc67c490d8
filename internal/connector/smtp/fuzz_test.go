package smtp

import (
	"strings"
	"testing"
)

// FuzzCheckConfig: any config is accepted or refused with an error, never a panic, and no error
// holds the password.
func FuzzCheckConfig(f *testing.F) {
	f.Add([]byte(config(25, nil)))
	f.Add([]byte(`{"host":"h","port":25,"auth":{"user":"u","pass":"p4ss-w0rd"},"fromEmail":"a@b.c","templates":[]}`))
	f.Add([]byte(`{"port":"x"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := Factory{}.CheckConfig(raw)
		if err == nil {
			return
		}
		c, _ := parseConfig(raw)
		if c.Auth != nil && len(c.Auth.Pass) >= 4 && strings.Contains(err.Error(), c.Auth.Pass) {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}
