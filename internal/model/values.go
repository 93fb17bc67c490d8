package model

import (
	"encoding/json"
	"net/url"
)

// BoolOf is *p, or false for nil: the value of an optional boolean member.
func BoolOf(p *bool) bool { return p != nil && *p }

// StringOf is *p, or "" for nil: the value of an optional string member.
func StringOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ObjectOrEmpty is raw, or {} when raw is empty or JSON null: how Logto answers a JSON object
// member (customData, profile…) that was never set.
func ObjectOrEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}

// IsHTTPURL reports whether s is an absolute http or https URL with a host.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
