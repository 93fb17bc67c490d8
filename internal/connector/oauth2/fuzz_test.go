package oauth2

import (
	"testing"
)

// FuzzMapProfile: a provider's user-info answer never panics the mapping, and an accepted one
// always has an id.
func FuzzMapProfile(f *testing.F) {
	f.Add([]byte(`{"id":123,"name":"a","details":{"avatar":{"url":"x"}}}`), "details.avatar.url")
	f.Add([]byte(`{"id":"x"} trailing`), "id")
	f.Add([]byte(`[1,2]`), "")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		info, err := MapProfile(body, ProfileMap{ID: "id", Avatar: path})
		if err == nil && info.ID == "" {
			t.Fatal("accepted a profile without an id")
		}
	})
}

// FuzzParseToken: a token endpoint's answer, in either format, never panics the parser, and an
// accepted one always carries an access token.
func FuzzParseToken(f *testing.F) {
	f.Add([]byte("access_token=a&token_type=bearer"), false)
	f.Add([]byte(`{"access_token":"a"}`), true)
	f.Add([]byte("%zz=1"), false)
	f.Fuzz(func(t *testing.T, body []byte, asJSON bool) {
		c := &Connector{cfg: Config{TokenEndpointResponseType: bodyQuery}}
		if asJSON {
			c.cfg.TokenEndpointResponseType = bodyJSON
		}
		typ, tok, err := c.parseToken(body)
		if err == nil && (tok == "" || typ == "") {
			t.Fatalf("accepted %q without a token", body)
		}
	})
}
