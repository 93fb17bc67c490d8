package sealing

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// Secrets at rest (issue 6). Client secrets (application_secrets.value) and the key material of
// logto_configs (the oidc.privateKeys and oidc.cookieKeys rows) are sealed here on write and
// opened on read, so a copy of the database or of a backup does not give away the credentials
// of every client and the tenants' signing keys. Everything above the store keeps seeing
// plaintext. Connector configs and TOTP secrets must be sealed the same way when they are added
// (see secretbox.Sealer).

// sealedConfigKeys are the logto_configs rows that hold key material.
var sealedConfigKeys = []string{model.ConfigPrivateKeys, model.ConfigCookieKeys}

func isSealedConfig(key string) bool {
	for _, k := range sealedConfigKeys {
		if k == key {
			return true
		}
	}
	return false
}

// SecretPlace binds a client secret to its tenant and application. Not to the secret's name:
// Rename changes it in place, and what the binding must prevent is moving a secret to another
// client.
func SecretPlace(tenantID, appID string) secretbox.Place {
	return secretbox.Place{Table: "application_secrets", Column: "value", Tenant: tenantID, Row: appID}
}

func configPlace(tenantID, key string) secretbox.Place {
	return secretbox.Place{Table: "logto_configs", Column: "value", Tenant: tenantID, Row: key}
}

// Sealer seals and opens the secrets of one database (see Start).
type Sealer struct {
	db       *sql.DB // the writing pool
	postgres bool
	clk      clock.Clock // dates new data keys
	// state is the master key and unwrapped data keys, swapped whole by RotateMasterKey.
	state atomic.Pointer[state]
}

// state is how a Sealer seals. It is replaced whole (RotateMasterKey), never changed.
type state struct {
	// kek is nil when the store was opened without a master key: values are stored unsealed
	// (tests, tools).
	kek *secretbox.MasterKey
	// box holds the unwrapped data keys; nil with kek set when the schema predates
	// secret_data_keys (Open without Migrate on an old database).
	box *secretbox.Keyring
}

var (
	// ErrNoMasterKey answers a database that holds sealed secrets opened without a master key.
	ErrNoMasterKey = errors.New("sqlstore: the database holds sealed secrets, but it was opened without a master key")
	errSchemaOld   = errors.New("sqlstore: cannot seal secrets: the database schema predates sealed secrets (apply the migrations first)")
)

func (s *Sealer) current() *state {
	if st := s.state.Load(); st != nil {
		return st
	}
	return &state{}
}

// Seal returns what to store for plaintext at p: the sealed text, or the plaintext itself when
// the store was opened without a master key.
func (s *Sealer) Seal(p secretbox.Place, plaintext string) (string, error) {
	st := s.current()
	switch {
	case st.kek == nil:
		return plaintext, nil
	case st.box == nil:
		return "", errSchemaOld
	}
	sealed, err := st.box.Seal(p, []byte(plaintext))
	if err != nil {
		return "", fmt.Errorf("sqlstore: seal %s.%s: %w", p.Table, p.Column, err)
	}
	return sealed, nil
}

// Open returns the plaintext of a stored value. A value that is not sealed is returned as it
// is: rows written before sealing existed (or, during a rolling upgrade, by a node still running
// the previous version) are plaintext until the start-up sweep seals them, and must keep working
// meanwhile. Sealing protects copies of the database; whoever can write to it could change far
// more than a secret, so accepting plaintext gives nothing away.
func (s *Sealer) Open(p secretbox.Place, stored string) (string, error) {
	if !secretbox.IsSealed(stored) {
		return stored, nil
	}
	st := s.current()
	switch {
	case st.kek == nil:
		return "", ErrNoMasterKey
	case st.box == nil:
		return "", errSchemaOld
	}
	plaintext, err := st.box.Open(p, stored)
	if err != nil {
		return "", fmt.Errorf("sqlstore: open %s.%s: %w", p.Table, p.Column, err)
	}
	return string(plaintext), nil
}

// SealConfig returns what to store for a config value: sealed key rows become a JSON string
// (the column only takes JSON), other rows are stored as given.
func (s *Sealer) SealConfig(tenantID, key, encoded string) (string, error) {
	if !isSealedConfig(key) || s.current().kek == nil {
		return encoded, nil
	}
	sealed, err := s.Seal(configPlace(tenantID, key), encoded)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(sealed)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode sealed config %s: %w", key, err)
	}
	return string(b), nil
}

// OpenConfig returns the JSON value of a stored config row.
func (s *Sealer) OpenConfig(tenantID, key string, stored []byte) ([]byte, error) {
	sealed, ok := sealedJSON(stored)
	if !isSealedConfig(key) || !ok {
		return stored, nil
	}
	plaintext, err := s.Open(configPlace(tenantID, key), sealed)
	if err != nil {
		return nil, err
	}
	return []byte(plaintext), nil
}

// sealedJSON reports whether a config value is a JSON string holding a sealed value.
func sealedJSON(stored []byte) (string, bool) {
	t := bytes.TrimSpace(stored)
	if !bytes.HasPrefix(t, []byte(`"`+secretbox.Prefix)) {
		return "", false
	}
	var s string
	if json.Unmarshal(t, &s) != nil || !secretbox.IsSealed(s) {
		return "", false
	}
	return s, true
}
