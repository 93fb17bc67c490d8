package console

import (
	"strings"
	"testing"
)

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
