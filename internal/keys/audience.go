package keys

import (
	"encoding/json"
	"errors"
	"slices"
)

// Audience is a JWT `aud` claim: one string or an array of strings (RFC 7519 §4.1.3), read into
// a list either way.
type Audience []string

// UnmarshalJSON accepts a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// Contains reports whether aud names audience.
func (a Audience) Contains(audience string) bool { return slices.Contains(a, audience) }
