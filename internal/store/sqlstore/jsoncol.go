package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Encoding and decoding of the JSON columns, kept here so the rest of Gatehouse only sees model
// types. Lists in oidcClientMetadata are always written and read as arrays (never null), as Logto
// answers them; customData is always a JSON object ({} when empty, sqlx.EncodeObject);
// protectedAppMetadata is SQL NULL unless set (sqlx.EncodeNullableObject).

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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
