package e2e

import (
	"html"
	"net/url"
	"regexp"
)

var (
	formRe  = regexp.MustCompile(`(?is)<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
)

// parseForm finds the first form of a page and its named input values (hidden fields included).
func parseForm(page string) (action string, fields url.Values, ok bool) {
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fields = url.Values{}
	for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
		fields.Set(in[1], html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), fields, true
}
