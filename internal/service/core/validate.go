package core

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// mobileScheme is the custom URI scheme Logto accepts for native apps' redirect URIs
// (core-kit regex mobileUriSchemeProtocolRegEx, e.g. "io.logto.app:/callback").
var mobileScheme = regexp.MustCompile(`^[a-z][\d+_a-z-]*(\.[\d+_a-z-]+)*$`)

// CheckRedirectURI reports why raw is not a redirect URI Logto would register, or nil.
// RFC 6749 §3.1.2: the endpoint URI MUST be absolute and MUST NOT include a fragment. Web URIs
// are http(s) with a host and no dot segments; native apps may use a private-use scheme
// (RFC 8252 §7.1). Logto's wildcard "*" is allowed in the host and path of web URIs only
// (core-kit validateRedirectUrl).
func CheckRedirectURI(raw string) error {
	if err := checkRedirectURIText(raw); err != nil {
		return err
	}
	u, err := url.Parse(strings.ReplaceAll(raw, "*", "wildcard"))
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URI", raw)
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return checkWebRedirectURI(raw, u)
	}
	return checkNativeRedirectURI(raw, u)
}

// checkRedirectURIText checks what can be seen before parsing raw: not empty, no white space or
// control characters, no fragment, a scheme, and no wildcard in the scheme or the query.
func checkRedirectURIText(raw string) error {
	if raw == "" {
		return fmt.Errorf("must not be empty")
	}
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return fmt.Errorf("%q contains whitespace or control characters", raw)
	}
	if strings.Contains(raw, "#") {
		return fmt.Errorf("%q must not contain a fragment (RFC 6749 §3.1.2)", raw)
	}
	schemeEnd := strings.Index(raw, ":")
	if schemeEnd <= 0 {
		return fmt.Errorf("%q is not an absolute URI", raw)
	}
	if strings.Contains(raw[:schemeEnd], "*") {
		return fmt.Errorf("%q: a wildcard is not allowed in the scheme", raw)
	}
	if q := strings.Index(raw, "?"); q >= 0 && strings.Contains(raw[q:], "*") {
		return fmt.Errorf("%q: a wildcard is not allowed in the query", raw)
	}
	return nil
}

// checkWebRedirectURI checks an http(s) redirect URI u (parsed from raw, wildcards replaced): a
// host and no dot segments.
func checkWebRedirectURI(raw string, u *url.URL) error {
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%q must not contain dot segments", raw)
		}
	}
	return nil
}

// checkNativeRedirectURI checks a native app's redirect URI u (parsed from raw): no wildcard, a
// private-use scheme of Logto's grammar, and none that runs or embeds content in a browser.
func checkNativeRedirectURI(raw string, u *url.URL) error {
	if strings.Contains(raw, "*") {
		return fmt.Errorf("%q: wildcards are only allowed in http(s) URIs", raw)
	}
	if !mobileScheme.MatchString(u.Scheme) {
		return fmt.Errorf("%q has an invalid scheme", raw)
	}
	// Schemes that run or embed content in a browser are never redirect targets
	// (Logto's grammar would admit them; RFC 8252 §7.1 wants reverse-domain names).
	switch u.Scheme {
	case "javascript", "data", "vbscript", "file", "blob", "about":
		return fmt.Errorf("%q: the %s scheme cannot be a redirect target", raw, u.Scheme)
	}
	return nil
}

// CheckAbsoluteURL reports whether raw is an absolute http(s) URL (Logto's z.string().url()
// for backchannelLogoutUri).
func CheckAbsoluteURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	return nil
}

// CheckResourceIndicator follows RFC 8707 §2: the indicator is an absolute URI without a
// fragment; it is the audience of access tokens for the resource.
func CheckResourceIndicator(raw string) error {
	if raw == "" {
		return fmt.Errorf("must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%q is not an absolute URI (RFC 8707 §2)", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%q must not contain a fragment (RFC 8707 §2)", raw)
	}
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return fmt.Errorf("%q contains whitespace or control characters", raw)
	}
	return nil
}

// CheckName validates a required display string of at most maxLen characters (Logto's
// varchar(n) columns) and without NUL bytes.
func CheckName(field, value string, maxLen int) error {
	if value == "" {
		return InvalidBody("%s: must not be empty.", field)
	}
	return CheckText(field, value, maxLen)
}

// CheckText validates an optional string of at most maxLen characters (0 = unbounded).
func CheckText(field, value string, maxLen int) error {
	if !utf8.ValidString(value) {
		return InvalidBody("%s: must be valid UTF-8.", field)
	}
	if strings.ContainsRune(value, 0) {
		return InvalidBody("%s: must not contain NUL bytes.", field)
	}
	if maxLen > 0 && utf8.RuneCountInString(value) > maxLen {
		return InvalidBody("%s: must be at most %d characters.", field, maxLen)
	}
	return nil
}

// CheckJSONObject validates Logto's jsonObjectGuard fields (customData): a JSON object.
func CheckJSONObject(field string, raw json.RawMessage) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return InvalidBody("%s: must be a JSON object.", field)
	}
	return nil
}

// CheckIDList requires every id of list, the member field of a request, to be non-empty.
func CheckIDList(field string, list []string) error {
	for i, id := range list {
		if id == "" {
			return InvalidBody("%s[%d]: must not be empty.", field, i)
		}
	}
	return nil
}

// RequireIDs is CheckIDList for a list that must hold at least one id, what naming its kind
// ("scope id").
func RequireIDs(field, what string, list []string) error {
	if len(list) == 0 {
		return InvalidBody("%s: must hold at least one %s.", field, what)
	}
	return CheckIDList(field, list)
}
