package smtp

import (
	"html"
	"regexp"
	"strings"
)

// placeholder is a {{ key }} or {{ a.b }} handlebar (Logto's replaceSendMessageHandlebars).
var placeholder = regexp.MustCompile(`{{\s*([A-Za-z_][\w.]*)\s*}}`)

// fill replaces each placeholder whose root key is in payload; unknown ones stay as they are,
// as Logto leaves them. In an HTML template the values are escaped.
func fill(text string, payload map[string]string, isHTML bool) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		key := placeholder.FindStringSubmatch(m)[1]
		v, ok := payload[key]
		if !ok {
			if root, _, dotted := strings.Cut(key, "."); dotted {
				if _, known := payload[root]; known {
					return "" // a path below a known scalar: nothing there
				}
			}
			return m
		}
		if isHTML {
			return html.EscapeString(v)
		}
		return v
	})
}
