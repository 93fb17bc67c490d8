package sqlx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Checks of the values written to JSON columns: a bad value is refused naming its field, before
// it reaches the database.

// EncodeObject validates raw as a JSON object for a NOT NULL column; empty or null becomes {}.
func EncodeObject(field string, raw json.RawMessage) (string, error) {
	if IsNullJSON(raw) {
		return "{}", nil
	}
	if err := checkObject(field, raw); err != nil {
		return "", err
	}
	return string(raw), nil
}

// EncodeNullableObject validates raw as a JSON object for a nullable column; empty or null is NULL.
func EncodeNullableObject(field string, raw json.RawMessage) (*string, error) {
	if IsNullJSON(raw) {
		return nil, nil
	}
	if err := checkObject(field, raw); err != nil {
		return nil, err
	}
	s := string(raw)
	return &s, nil
}

// EncodeJSON validates raw as any JSON value (configuration rows may hold arrays).
func EncodeJSON(field string, raw json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", fmt.Errorf("%s: %w", field, ErrEmptyJSON)
	}
	if !json.Valid(raw) {
		return "", fmt.Errorf("%s: %w", field, ErrInvalidJSON)
	}
	return string(raw), nil
}

// Errors of the checks, wrapped with the field's name.
var (
	ErrEmptyJSON   = errors.New("empty JSON value")
	ErrInvalidJSON = errors.New("invalid JSON")
	ErrNotObject   = errors.New("not a JSON object")
)

func checkObject(field string, raw json.RawMessage) error {
	if !json.Valid(raw) {
		return fmt.Errorf("%s: %w", field, ErrInvalidJSON)
	}
	if trimmed := bytes.TrimSpace(raw); trimmed[0] != '{' {
		return fmt.Errorf("%s: %w", field, ErrNotObject)
	}
	return nil
}

// IsNullJSON reports whether raw is empty or JSON null.
func IsNullJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}
