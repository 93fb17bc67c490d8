package secretmask

import (
	"encoding/json"
	"testing"
)

// FuzzUnmaskSecrets: whatever JSON an admin posts as a connector's config, putting the stored
// secrets back never panics and answers JSON, which masking again keeps JSON (the restoring
// itself is checked by TestConnectorEditKeepsSecretHidden).
func FuzzUnMask(f *testing.F) {
	const placeholder = "(stored encrypted)"
	f.Add(`{"clientId":"a","clientSecret":"`+placeholder+`"}`, `{"clientId":"a","clientSecret":"s3cret"}`)
	f.Add(`{"auth":{"user":"u","pass":"`+placeholder+`"},"templates":[{"subject":"x"}]}`, `{"auth":{"user":"u","pass":"p"}}`)
	f.Add(`[1,{"clientSecret":"`+placeholder+`"}]`, `[]`)
	f.Fuzz(func(t *testing.T, edited, stored string) {
		out, err := Unmask([]byte(edited), []byte(stored), []string{placeholder, "（已加密保存）"})
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
		masked := Mask(out, placeholder)
		if !json.Valid(masked) {
			t.Fatalf("masking broke JSON: %s", masked)
		}
	})
}
