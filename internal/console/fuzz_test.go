package console

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzUnmaskSecrets: whatever JSON an admin posts as a connector's config, putting the stored
// secrets back never panics and answers JSON, which masking again keeps JSON (the restoring
// itself is checked by TestConnectorEditKeepsSecretHidden).
func FuzzUnmaskSecrets(f *testing.F) {
	f.Add(`{"clientId":"a","clientSecret":"`+storedSecret+`"}`, `{"clientId":"a","clientSecret":"s3cret"}`)
	f.Add(`{"auth":{"user":"u","pass":"`+storedSecret+`"},"templates":[{"subject":"x"}]}`, `{"auth":{"user":"u","pass":"p"}}`)
	f.Add(`[1,{"clientSecret":"`+storedSecret+`"}]`, `[]`)
	f.Fuzz(func(t *testing.T, edited, stored string) {
		out, err := unmaskSecrets([]byte(edited), []byte(stored))
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
		masked := maskSecrets(out)
		if !json.Valid(masked) {
			t.Fatalf("masking broke JSON: %s", masked)
		}
	})
}

// FuzzImageType: only PNG, JPEG, GIF, WebP and SVG are accepted as logos, whatever the bytes.
func FuzzImageType(f *testing.F) {
	f.Add("logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
	f.Add("logo.png", []byte("\x89PNG\r\n\x1a\n"))
	f.Add("x.svg", []byte("<html><script>alert(1)</script>"))
	f.Fuzz(func(t *testing.T, name string, body []byte) {
		switch got := imageType(name, body); got {
		case "", "image/png", "image/jpeg", "image/gif", "image/webp":
		case "image/svg+xml":
			if !strings.Contains(string(body), "<svg") {
				t.Fatalf("%q accepted as SVG without an svg element", body)
			}
		default:
			t.Fatalf("unexpected type %q", got)
		}
	})
}
