package sqlstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Encoding and decoding of the JSON columns, kept here so the rest of Gatehouse only sees model
// types. Lists in oidcClientMetadata are always written and read as arrays (never null), as Logto
// answers them; customData is always a JSON object ({} when empty); protectedAppMetadata is SQL
// NULL unless set.

func encodeOIDCMetadata(m model.OIDCClientMetadata) (string, error) {
	m.RedirectURIs = nonNil(m.RedirectURIs)
	m.PostLogoutRedirectURIs = nonNil(m.PostLogoutRedirectURIs)
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode oidcClientMetadata: %w", err)
	}
	return string(b), nil
}

func decodeOIDCMetadata(b []byte) (model.OIDCClientMetadata, error) {
	var m model.OIDCClientMetadata
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode oidcClientMetadata: %w", err)
	}
	m.RedirectURIs = nonNil(m.RedirectURIs)
	m.PostLogoutRedirectURIs = nonNil(m.PostLogoutRedirectURIs)
	return m, nil
}

func encodeCustomMetadata(m model.CustomClientMetadata) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode customClientMetadata: %w", err)
	}
	return string(b), nil
}

func decodeCustomMetadata(b []byte) (model.CustomClientMetadata, error) {
	var m model.CustomClientMetadata
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode customClientMetadata: %w", err)
	}
	return m, nil
}

// encodeObject validates raw as a JSON object for a NOT NULL column; empty or null becomes {}.
func encodeObject(field string, raw json.RawMessage) (string, error) {
	if isNullJSON(raw) {
		return "{}", nil
	}
	if err := checkObject(field, raw); err != nil {
		return "", err
	}
	return string(raw), nil
}

// encodeNullableObject validates raw as a JSON object for a nullable column; empty or null is NULL.
func encodeNullableObject(field string, raw json.RawMessage) (*string, error) {
	if isNullJSON(raw) {
		return nil, nil
	}
	if err := checkObject(field, raw); err != nil {
		return nil, err
	}
	s := string(raw)
	return &s, nil
}

// encodeJSON validates raw as any JSON value (configuration rows may hold arrays).
func encodeJSON(field string, raw json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", fmt.Errorf("%s: %w", field, errEmptyJSON)
	}
	if !json.Valid(raw) {
		return "", fmt.Errorf("%s: %w", field, errInvalidJSON)
	}
	return string(raw), nil
}

var (
	errEmptyJSON   = errors.New("empty JSON value")
	errInvalidJSON = errors.New("invalid JSON")
	errNotObject   = errors.New("not a JSON object")
)

func checkObject(field string, raw json.RawMessage) error {
	if !json.Valid(raw) {
		return fmt.Errorf("%s: %w", field, errInvalidJSON)
	}
	if trimmed := bytes.TrimSpace(raw); trimmed[0] != '{' {
		return fmt.Errorf("%s: %w", field, errNotObject)
	}
	return nil
}

func isNullJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
