package oauth2

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// MapProfile reads the user out of a user-info answer (Logto's userProfileMapping): each member
// at its key or dotted path, empty and non-scalar values dropped, a numeric id kept as its exact
// digits (json.Number: a 64-bit id must not pass through a float), the whole answer as Raw. An
// answer without an id is refused: no account can be keyed on it.
func MapProfile(body []byte, m ProfileMap) (connector.UserInfo, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return connector.UserInfo{}, connector.Errorf(connector.CodeInvalidResponse, "the user-info endpoint did not answer a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return connector.UserInfo{}, connector.Errorf(connector.CodeInvalidResponse, "the user-info answer has data after its JSON object")
	}
	info := connector.UserInfo{
		ID: scalar(raw, m.ID), Email: scalar(raw, m.Email), Phone: scalar(raw, m.Phone),
		Name: scalar(raw, m.Name), Avatar: scalar(raw, m.Avatar), Raw: json.RawMessage(bytes.TrimSpace(body)),
	}
	if info.ID == "" {
		return connector.UserInfo{}, connector.Errorf(connector.CodeInvalidResponse,
			"the user-info answer has no %q (profileMap.id) to identify the user by", m.ID)
	}
	return info, nil
}

// scalar is the string or number at path ("a.b.c"), or "".
func scalar(raw map[string]any, path string) string {
	var v any = raw
	for _, key := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[key]
	}
	switch s := v.(type) {
	case string:
		return strings.TrimSpace(s)
	case json.Number:
		return s.String()
	}
	return ""
}

// clip bounds a provider-supplied word for an error message.
func clip(s string) string {
	if len(s) > 100 {
		s = s[:100]
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r == utf8.RuneError {
			return -1
		}
		return r
	}, s), "")
}

// formBody is an x-www-form-urlencoded body and its length.
func formBody(form url.Values) (io.ReadCloser, int64) {
	s := form.Encode()
	return io.NopCloser(strings.NewReader(s)), int64(len(s))
}
