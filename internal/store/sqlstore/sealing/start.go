package sealing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Config is what Start needs of the store.
type Config struct {
	DB       *sql.DB // the writing pool (on SQLite the one writing connection)
	Postgres bool    // DB is PostgreSQL, not SQLite
	// MasterKey wraps the data keys; nil stores values unsealed (tests, tools), and Start then
	// refuses a database that already holds data keys.
	MasterKey *secretbox.MasterKey
	Clock     clock.Clock  // dates new data keys
	Logger    *slog.Logger // when set, records the values sealed at start
}

// Start runs at Open: the key check (the master key must unwrap every data key), the first data
// key of a fresh database, and the sweep that seals values still stored in clear.
func Start(ctx context.Context, cfg Config) (*Sealer, error) {
	s := &Sealer{db: cfg.DB, postgres: cfg.Postgres, clk: cfg.Clock}
	s.state.Store(&state{kek: cfg.MasterKey})
	present, err := s.hasDataKeyTable(ctx)
	switch {
	case err != nil:
		return nil, err
	case !present:
		return s, nil // without the table (an old schema, Open without Migrate) nothing is sealed yet
	}
	c := sqlx.Conn{Postgres: s.postgres, Runner: s.db}
	keys, err := LoadDataKeys(ctx, c, false)
	switch {
	case err != nil:
		return nil, err
	case cfg.MasterKey == nil && len(keys) > 0:
		return nil, ErrNoMasterKey
	case cfg.MasterKey == nil:
		return s, nil
	case len(keys) == 0:
		if keys, err = s.createFirstDataKey(ctx, c, cfg.MasterKey); err != nil {
			return nil, err
		}
	}
	box, err := secretbox.NewKeyring(cfg.MasterKey, keys)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	s.state.Store(&state{kek: cfg.MasterKey, box: box})
	n, err := sealLegacy(ctx, c, box)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: seal the secrets stored in clear: %w", err)
	}
	if n > 0 && cfg.Logger != nil {
		cfg.Logger.InfoContext(ctx, "sealed secrets stored in clear", slog.Int("values", n))
	}
	return s, nil
}

func (s *Sealer) hasDataKeyTable(ctx context.Context) (bool, error) {
	query := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'secret_data_keys'"
	if s.postgres {
		query = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'secret_data_keys'"
	}
	var n int
	if err := s.db.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlstore: look for the data keys table: %w", err)
	}
	return n > 0, nil
}

// LoadDataKeys reads every data key, oldest first; forUpdate locks them on PostgreSQL (SQLite's
// write transactions are exclusive already).
func LoadDataKeys(ctx context.Context, c sqlx.Conn, forUpdate bool) ([]secretbox.DataKey, error) {
	query := "SELECT id, wrapped, active, created_at FROM secret_data_keys ORDER BY created_at, id"
	if forUpdate && c.Postgres {
		query += " FOR UPDATE"
	}
	var keys []secretbox.DataKey
	err := sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
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
func (s *Sealer) createFirstDataKey(ctx context.Context, c sqlx.Conn, kek *secretbox.MasterKey) ([]secretbox.DataKey, error) {
	k := secretbox.NewDataKey(kek, s.clk.Now().UnixMilli())
	_, err := c.Exec(ctx, `INSERT INTO secret_data_keys (id, wrapped, active, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, k.ID, k.Wrapped, true, k.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: create the first data key: %w", err)
	}
	return LoadDataKeys(ctx, c, false)
}

// StoredValue is one sealable value as stored: its table's key and the stored text.
type StoredValue struct {
	TenantID, Key, Name string // application_secrets: Key = application id; logto_configs: Key = config key
	Value               string
}

// ListSecretValues reads the client secrets as stored; onlyClear keeps those not sealed yet.
func ListSecretValues(ctx context.Context, c sqlx.Conn, onlyClear bool) ([]StoredValue, error) {
	query := "SELECT tenant_id, application_id, name, value FROM application_secrets"
	var args []any
	if onlyClear {
		query += " WHERE substr(value, 1, 4) <> ?"
		args = append(args, secretbox.Prefix)
	}
	var out []StoredValue
	err := sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var v StoredValue
		if err := sc.Scan(&v.TenantID, &v.Key, &v.Name, &v.Value); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	return out, sqlx.WrapErr("list client secrets", err)
}

// ListConfigValues reads the config rows that hold key material, as stored.
func ListConfigValues(ctx context.Context, c sqlx.Conn) ([]StoredValue, error) {
	var out []StoredValue
	err := sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var v StoredValue
		if err := sc.Scan(&v.TenantID, &v.Key, &v.Value); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, "SELECT tenant_id, key, value FROM logto_configs WHERE key IN ("+sqlx.Placeholders(len(sealedConfigKeys))+")",
		model.ConfigPrivateKeys, model.ConfigCookieKeys)
	return out, sqlx.WrapErr("list key configs", err)
}

// sealLegacy seals every value still stored in clear (databases from before sealing, rows a
// node of the previous version wrote during a rolling upgrade). Each update only applies if the
// row still holds the value read, so nodes sweeping at the same time, or a concurrent write,
// never lose anything; running it again finds nothing to do.
func sealLegacy(ctx context.Context, c sqlx.Conn, box *secretbox.Keyring) (int, error) {
	secrets, err := ListSecretValues(ctx, c, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range secrets {
		sealed, err := box.Seal(SecretPlace(v.TenantID, v.Key), []byte(v.Value))
		if err != nil {
			return n, err
		}
		res, err := c.Exec(ctx, `UPDATE application_secrets SET value = ?
			WHERE tenant_id = ? AND application_id = ? AND name = ? AND value = ?`, sealed, v.TenantID, v.Key, v.Name, v.Value)
		if err != nil {
			return n, sqlx.WrapErr("seal client secret", err)
		}
		if sqlx.ExpectRow(res) == nil {
			n++
		}
	}
	configs, err := ListConfigValues(ctx, c)
	if err != nil {
		return n, err
	}
	for _, v := range configs {
		if _, ok := sealedJSON([]byte(v.Value)); ok {
			continue
		}
		sealed, err := box.Seal(configPlace(v.TenantID, v.Key), []byte(v.Value))
		if err != nil {
			return n, err
		}
		b, _ := json.Marshal(sealed) // a string always encodes
		res, err := c.Exec(ctx, "UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ? AND value = ?",
			string(b), v.TenantID, v.Key, v.Value)
		if err != nil {
			return n, sqlx.WrapErr("seal config "+v.Key, err)
		}
		if sqlx.ExpectRow(res) == nil {
			n++
		}
	}
	return n, nil
}
