package sealing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/connectorrows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/eventrows"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// RotateReport says what RotateMasterKey did.
type RotateReport struct {
	DataKeys   int    // data keys rewrapped under the new master key
	NewDataKey string // id of the data key created by a data key rotation, "" without one
	Resealed   int    // values re-sealed under the new data key
}

// RotateMasterKey wraps every data key with next instead of the current master key, in one
// transaction; sealed values are not touched, so it is quick whatever the size of the database.
// Processes already running keep working (they hold the data keys unwrapped in memory) until
// they restart, which they must do with next.
//
// With newDataKey it also creates a data key, makes it the active one and re-seals every sealed
// value with it in the same transaction. Older data keys stay (wrapped by next), so a process
// that still seals with one produces values that remain readable; but running processes cannot
// open values sealed with a data key they do not hold, so they must restart (with next) at once.
//
// One rotation must run at a time: a data key changed by another rotation meanwhile fails this
// one rather than leaving keys wrapped by two different master keys.
func (s *Sealer) RotateMasterKey(ctx context.Context, next *secretbox.MasterKey, newDataKey bool) (RotateReport, error) {
	cur := s.current()
	switch {
	case next == nil:
		return RotateReport{}, errors.New("sqlstore: no new master key")
	case cur.kek == nil:
		return RotateReport{}, errors.New("sqlstore: the database was opened without a master key; there is nothing to rotate")
	case cur.box == nil:
		return RotateReport{}, errSchemaOld
	case next.Equal(cur.kek):
		return RotateReport{}, errors.New("sqlstore: the new master key is the current one")
	}
	var rep RotateReport
	var st *state
	err := sqlx.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		c := sqlx.Conn{Postgres: s.postgres, Runner: tx}
		keys, err := rewrapDataKeys(ctx, c, cur.kek, next)
		if err != nil {
			return err
		}
		rep.DataKeys = len(keys)
		if newDataKey {
			k, err := rotateDataKey(ctx, c, next, s.clk.Now().UnixMilli())
			if err != nil {
				return err
			}
			rep.NewDataKey = k.ID
			for i := range keys {
				keys[i].Active = false
			}
			keys = append(keys, k)
		}
		box, err := secretbox.NewKeyring(next, keys) // every key must open with next before commit
		if err != nil {
			return fmt.Errorf("sqlstore: check the rewrapped data keys: %w", err)
		}
		if newDataKey {
			if rep.Resealed, err = s.reseal(ctx, c, box); err != nil {
				return err
			}
		}
		st = &state{kek: next, box: box}
		return nil
	})
	if err != nil {
		return RotateReport{}, fmt.Errorf("sqlstore: rotate the master key: %w", err)
	}
	s.state.Store(st)
	return rep, nil
}

// rewrapDataKeys rewraps every data key with next, in place. The update only applies if the row
// still holds what was read, so a concurrent rotation cannot leave keys under two master keys.
func rewrapDataKeys(ctx context.Context, c sqlx.Conn, cur, next *secretbox.MasterKey) ([]secretbox.DataKey, error) {
	keys, err := LoadDataKeys(ctx, c, true)
	if err != nil {
		return nil, err
	}
	out := make([]secretbox.DataKey, 0, len(keys))
	for _, k := range keys {
		w, err := secretbox.Rewrap(cur, next, k)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		res, err := c.Exec(ctx, "UPDATE secret_data_keys SET wrapped = ? WHERE id = ? AND wrapped = ?", w.Wrapped, k.ID, k.Wrapped)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: rewrap data key %s: %w", k.ID, err)
		}
		if sqlx.ExpectRow(res) != nil {
			return nil, fmt.Errorf("sqlstore: data key %s changed during the rotation (is another rotation running?)", k.ID)
		}
		out = append(out, w)
	}
	return out, nil
}

// rotateDataKey retires the active data key and inserts a new active one wrapped by kek.
func rotateDataKey(ctx context.Context, c sqlx.Conn, kek *secretbox.MasterKey, now int64) (secretbox.DataKey, error) {
	k := secretbox.NewDataKey(kek, now)
	k.Active = true
	// Retire first: the unique index on active allows one active key after every statement.
	if _, err := c.Exec(ctx, "UPDATE secret_data_keys SET active = ? WHERE active = ?", false, true); err != nil {
		return k, fmt.Errorf("sqlstore: retire the active data key: %w", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO secret_data_keys (id, wrapped, active, created_at) VALUES (?, ?, ?, ?)",
		k.ID, k.Wrapped, true, k.CreatedAt); err != nil {
		return k, fmt.Errorf("sqlstore: insert the new data key: %w", err)
	}
	return k, nil
}

// reseal re-seals every sealable value with box's active data key (legacy plaintext included).
// It reads with the keyring the store was opened with, which holds every older data key.
func (s *Sealer) reseal(ctx context.Context, c sqlx.Conn, box *secretbox.Keyring) (int, error) {
	secrets, err := ListSecretValues(ctx, c, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range secrets {
		p := SecretPlace(v.TenantID, v.Key)
		sealed, err := s.resealValue(p, v.Value, box)
		if err != nil {
			return n, err
		}
		if _, err := c.Exec(ctx, "UPDATE application_secrets SET value = ? WHERE tenant_id = ? AND application_id = ? AND name = ?",
			sealed, v.TenantID, v.Key, v.Name); err != nil {
			return n, sqlx.WrapErr("re-seal client secret", err)
		}
		n++
	}
	configs, err := ListConfigValues(ctx, c)
	if err != nil {
		return n, err
	}
	for _, v := range configs {
		stored := v.Value
		if inner, ok := sealedJSON([]byte(v.Value)); ok {
			stored = inner
		}
		sealed, err := s.resealValue(configPlace(v.TenantID, v.Key), stored, box)
		if err != nil {
			return n, err
		}
		b, _ := json.Marshal(sealed) // a string always encodes
		if _, err := c.Exec(ctx, "UPDATE logto_configs SET value = ? WHERE tenant_id = ? AND key = ?", string(b), v.TenantID, v.Key); err != nil {
			return n, sqlx.WrapErr("re-seal config "+v.Key, err)
		}
		n++
	}
	hooks, err := s.resealColumn(ctx, c, box, "hooks", "signing_key", eventrows.HookKeyPlace)
	if err != nil {
		return n + hooks, err
	}
	conns, err := s.resealColumn(ctx, c, box, "connectors", "config", connectorrows.ConfigPlace)
	return n + hooks + conns, err
}

// resealColumn re-seals every value of table.column (a table keyed by tenant_id and id) with
// box's active data key; place binds each value to its row.
func (s *Sealer) resealColumn(ctx context.Context, c sqlx.Conn, box *secretbox.Keyring, table, column string,
	place func(tenantID, id string) secretbox.Place) (int, error) {
	type row struct{ tenant, id, value string }
	var rows []row
	err := sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var r row
		if err := sc.Scan(&r.tenant, &r.id, &r.value); err != nil {
			return err
		}
		rows = append(rows, r)
		return nil
	}, "SELECT tenant_id, id, "+column+" FROM "+table)
	if err != nil {
		return 0, sqlx.WrapErr("list "+table+"."+column, err)
	}
	for i, r := range rows {
		sealed, err := s.resealValue(place(r.tenant, r.id), r.value, box)
		if err != nil {
			return i, err
		}
		if _, err := c.Exec(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE tenant_id = ? AND id = ?", sealed, r.tenant, r.id); err != nil {
			return i, sqlx.WrapErr("re-seal "+table+"."+column, err)
		}
	}
	return len(rows), nil
}

func (s *Sealer) resealValue(p secretbox.Place, stored string, box *secretbox.Keyring) (string, error) {
	plaintext, err := s.Open(p, stored)
	if err != nil {
		return "", err
	}
	return box.Seal(p, []byte(plaintext))
}
