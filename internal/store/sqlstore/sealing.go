package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

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

// secretPlace binds a client secret to its tenant and application. Not to the secret's name:
// Rename changes it in place, and what the binding must prevent is moving a secret to another
// client.
func secretPlace(tenantID, appID string) secretbox.Place {
	return secretbox.Place{Table: "application_secrets", Column: "value", Tenant: tenantID, Row: appID}
}

func configPlace(tenantID, key string) secretbox.Place {
	return secretbox.Place{Table: "logto_configs", Column: "value", Tenant: tenantID, Row: key}
}

// sealState is how this DB seals. It is replaced whole (RotateMasterKey), never changed.
type sealState struct {
	// kek is nil when Open had no master key: values are stored unsealed (tests, tools).
	kek *secretbox.MasterKey
	// box holds the unwrapped data keys; nil with kek set when the schema predates
	// secret_data_keys (Open without Migrate on an old database).
	box *secretbox.Keyring
}

var (
	errNoMasterKey = errors.New("sqlstore: the database holds sealed secrets, but it was opened without a master key")
	errSchemaOld   = errors.New("sqlstore: cannot seal secrets: the database schema predates sealed secrets (apply the migrations first)")
)

func (d *DB) sealState() *sealState {
	if s := d.sealing.Load(); s != nil {
		return s
	}
	return &sealState{}
}

// seal returns what to store for plaintext at p: the sealed text, or the plaintext itself when
// the store was opened without a master key.
func (d *DB) seal(p secretbox.Place, plaintext string) (string, error) {
	s := d.sealState()
	switch {
	case s.kek == nil:
		return plaintext, nil
	case s.box == nil:
		return "", errSchemaOld
	}
	sealed, err := s.box.Seal(p, []byte(plaintext))
	if err != nil {
		return "", fmt.Errorf("sqlstore: seal %s.%s: %w", p.Table, p.Column, err)
	}
	return sealed, nil
}

// open returns the plaintext of a stored value. A value that is not sealed is returned as it
// is: rows written before sealing existed (or, during a rolling upgrade, by a node still running
// the previous version) are plaintext until the start-up sweep seals them, and must keep working
// meanwhile. Sealing protects copies of the database; whoever can write to it could change far
// more than a secret, so accepting plaintext gives nothing away.
func (d *DB) open(p secretbox.Place, stored string) (string, error) {
	if !secretbox.IsSealed(stored) {
		return stored, nil
	}
	s := d.sealState()
	switch {
	case s.kek == nil:
		return "", errNoMasterKey
	case s.box == nil:
		return "", errSchemaOld
	}
	plaintext, err := s.box.Open(p, stored)
	if err != nil {
		return "", fmt.Errorf("sqlstore: open %s.%s: %w", p.Table, p.Column, err)
	}
	return string(plaintext), nil
}

// sealConfig returns what to store for a config value: sealed key rows become a JSON string (the
// column only takes JSON), other rows are stored as given.
func (d *DB) sealConfig(tenantID, key, encoded string) (string, error) {
	if !isSealedConfig(key) || d.sealState().kek == nil {
		return encoded, nil
	}
	sealed, err := d.seal(configPlace(tenantID, key), encoded)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(sealed)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode sealed config %s: %w", key, err)
	}
	return string(b), nil
}

// openConfig returns the JSON value of a stored config row.
func (d *DB) openConfig(tenantID, key string, stored []byte) ([]byte, error) {
	sealed, ok := sealedJSON(stored)
	if !isSealedConfig(key) || !ok {
		return stored, nil
	}
	plaintext, err := d.open(configPlace(tenantID, key), sealed)
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

// initSealing runs at Open: the key check (the master key must unwrap every data key), the first
// data key of a fresh database, and the sweep that seals values still stored in clear.
func (d *DB) initSealing(ctx context.Context, o Options) error {
	state := &sealState{kek: o.MasterKey}
	d.sealing.Store(state)
	present, err := d.hasDataKeyTable(ctx)
	if err != nil || !present {
		return err // without the table (an old schema, Open without Migrate) nothing is sealed yet
	}
	c := conn{postgres: d.postgres(), r: d.write}
	keys, err := loadDataKeys(ctx, c, false)
	switch {
	case err != nil:
		return err
	case o.MasterKey == nil && len(keys) > 0:
		return errNoMasterKey
	case o.MasterKey == nil:
		return nil
	case len(keys) == 0:
		if keys, err = d.createFirstDataKey(ctx, c, o); err != nil {
			return err
		}
	}
	box, err := secretbox.NewKeyring(o.MasterKey, keys)
	if err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	d.sealing.Store(&sealState{kek: o.MasterKey, box: box})
	n, err := d.sealLegacy(ctx, c, box)
	if err != nil {
		return fmt.Errorf("sqlstore: seal the secrets stored in clear: %w", err)
	}
	if n > 0 && o.Logger != nil {
		o.Logger.InfoContext(ctx, "sealed secrets stored in clear", slog.Int("values", n))
	}
	return nil
}

func (d *DB) hasDataKeyTable(ctx context.Context) (bool, error) {
	query := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'secret_data_keys'"
	if d.postgres() {
		query = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'secret_data_keys'"
	}
	var n int
	if err := d.write.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlstore: look for the data keys table: %w", err)
	}
	return n > 0, nil
}

// loadDataKeys reads every data key, oldest first; forUpdate locks them on PostgreSQL (SQLite's
// write transactions are exclusive already).
func loadDataKeys(ctx context.Context, c conn, forUpdate bool) ([]secretbox.DataKey, error) {
	query := "SELECT id, wrapped, active, created_at FROM secret_data_keys ORDER BY created_at, id"
	if forUpdate && c.postgres {
		query += " FOR UPDATE"
	}
	var keys []secretbox.DataKey
	err := scanAll(ctx, c, func(sc scanner) error {
		var k secretbox.DataKey
		if err := sc.Scan(&k.ID, &k.Wrapped, &k.Active, &k.CreatedAt); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	}, query)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read data keys: %w", err)
	}
	return keys, nil
}

// createFirstDataKey inserts an active data key unless another process (a second node starting
// at the same time) inserted one first, then reads back whichever won. The partial unique index
// on active makes the loser's insert do nothing, so no lock is needed.
func (d *DB) createFirstDataKey(ctx context.Context, c conn, o Options) ([]secretbox.DataKey, error) {
	k := secretbox.NewDataKey(o.MasterKey, d.clk.Now().UnixMilli())
	_, err := c.exec(ctx, `INSERT INTO secret_data_keys (id, wrapped, active, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, k.ID, k.Wrapped, true, k.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create the first data key: %w", err)
	}
	return loadDataKeys(ctx, c, false)
}

// storedValue is one sealable value as stored: its table's key and the stored text.
type storedValue struct {
	tenantID, key, name string // application_secrets: key = application id; logto_configs: key = config key
	value               string
}

func listSecretValues(ctx context.Context, c conn, onlyClear bool) ([]storedValue, error) {
	query := "SELECT tenant_id, application_id, name, value FROM application_secrets"
	var args []any
	if onlyClear {
		query += " WHERE substr(value, 1, 4) <> ?"
		args = append(args, secretbox.Prefix)
	}
	var out []storedValue
	err := scanAll(ctx, c, func(sc scanner) error {
		var v storedValue
		if err := sc.Scan(&v.tenantID, &v.key, &v.name, &v.value); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	return out, wrapErr("list client secrets", err)
}

func listConfigValues(ctx context.Context, c conn) ([]storedValue, error) {
	var out []storedValue
	err := scanAll(ctx, c, func(sc scanner) error {
		var v storedValue
		if err := sc.Scan(&v.tenantID, &v.key, &v.value); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, "SELECT tenant_id, key, value FROM logto_configs WHERE key IN ("+placeholders(len(sealedConfigKeys))+")",
		model.ConfigPrivateKeys, model.ConfigCookieKeys)
	return out, wrapErr("list key configs", err)
}

// sealLegacy seals every value still stored in clear (databases from before sealing, rows a
// node of the previous version wrote during a rolling upgrade). Each update only applies if the
// row still holds the value read, so nodes sweeping at the same time, or a concurrent write,
// never lose anything; running it again finds nothing to do.
func (d *DB) sealLegacy(ctx context.Context, c conn, box *secretbox.Keyring) (int, error) {
	secrets, err := listSecretValues(ctx, c, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range secrets {
		sealed, err := box.Seal(secretPlace(v.tenantID, v.key), []byte(v.value))
		if err != nil {
			return n, err
		}
		res, err := c.exec(ctx, `UPDATE application_secrets SET value = ?
			WHERE tenant_id = ? AND application_id = ? AND name = ? AND value = ?`, sealed, v.tenantID, v.key, v.name, v.value)
		if err != nil {
			return n, wrapErr("seal client secret", err)
		}
		if expectRow(res) == nil {
			n++
		}
	}
	configs, err := listConfigValues(ctx, c)
	if err != nil {
		return n, err
	}
	for _, v := range configs {
		if _, ok := sealedJSON([]byte(v.value)); ok {
			continue
		}
		sealed, err := box.Seal(configPlace(v.tenantID, v.key), []byte(v.value))
		if err != nil {
			return n, err
		}
		b, _ := json.Marshal(sealed) // a string always encodes
		res, err := c.exec(ctx, "UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ? AND value = ?",
			string(b), v.tenantID, v.key, v.value)
		if err != nil {
			return n, wrapErr("seal config "+v.key, err)
		}
		if expectRow(res) == nil {
			n++
		}
	}
	return n, nil
}
