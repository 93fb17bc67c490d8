package smtp

import (
	"html"
	"regexp"
	"strings"
)

// fill replaces the handlebars of text as Logto's replaceSendMessageHandlebars
// (connector-kit/src/index.ts) does: each `{{ key }}` or `{{ a.b }}` (the pattern
// /{{\s*([\w.]+)\s*}}/g) whose root key is in the payload becomes its value, or nothing when the
// path leads nowhere; one whose root key is unknown stays as it is. The payload is flat here, so
// a nested value is given under its dotted path ("application.name"). In an HTML template the
// values are escaped (Logto inserts them raw), so a user's name cannot add markup.
func fill(text string, payload map[string]string, isHTML bool) string {
	placeholder := regexp.MustCompile(`{{\s*([\w.]+)\s*}}`)
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		key := placeholder.FindStringSubmatch(m)[1]
		v, ok := payload[key]
		if !ok {
			if !hasRoot(payload, strings.SplitN(key, ".", 2)[0]) {
				return m
			}
			v = "" // Logto's getValue found nothing under a known root
		}
		if isHTML {
			return html.EscapeString(v)
		}
		return v
	})
}

// hasRoot reports whether root is a key of payload, or the first segment of a dotted one.
func hasRoot(payload map[string]string, root string) bool {
	if root == "" {
		return false
	}
	if _, ok := payload[root]; ok {
		return true
	}
	for k := range payload {
		if strings.HasPrefix(k, root+".") {
			return true
		}
	}
	return false
}
