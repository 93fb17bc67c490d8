package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// masterKeyFileName is the key file beside an SQLite database when no master key is configured.
const masterKeyFileName = "master.key"

// DefaultMasterKeyPath is where the master key lives when neither GATEHOUSE_MASTER_KEY nor
// GATEHOUSE_MASTER_KEY_FILE is set: master.key in the SQLite database's directory, so that
// `gatehouse serve` with nothing configured still seals its secrets (issue 6), and the key sits
// with the database it opens. False when a key is configured, and for PostgreSQL (which config
// refuses to run without one).
func DefaultMasterKeyPath(cfg *config.Config) (string, bool) {
	if cfg.MasterKey != nil {
		return "", false
	}
	path, ok := sqlstore.SQLitePath(cfg.DBURL)
	if !ok {
		return "", false
	}
	abs, err := filepath.Abs(filepath.Join(filepath.Dir(path), masterKeyFileName))
	if err != nil {
		return "", false
	}
	return abs, true
}

// masterKey is the key a store is opened with, and where it came from for messages.
type masterKey struct {
	key       *secretbox.MasterKey
	variable  string // the variable errors name
	source    string // where the key came from
	generated string // the key file created just now, "" otherwise
}

// resolveMasterKey takes the configured key, or reads (creating it on first start) the default
// key file of an SQLite database.
func resolveMasterKey(cfg *config.Config) (masterKey, error) {
	switch {
	case cfg.MasterKeyFile != "":
		return masterKey{key: cfg.MasterKey, variable: "GATEHOUSE_MASTER_KEY_FILE", source: "the key file " + cfg.MasterKeyFile}, nil
	case cfg.MasterKey != nil:
		return masterKey{key: cfg.MasterKey, variable: "GATEHOUSE_MASTER_KEY", source: "GATEHOUSE_MASTER_KEY"}, nil
	}
	path, ok := DefaultMasterKeyPath(cfg)
	if !ok {
		return masterKey{}, &config.Error{Var: "GATEHOUSE_MASTER_KEY", Msg: "not set, nor GATEHOUSE_MASTER_KEY_FILE"}
	}
	key, created, err := secretbox.LoadOrCreateKeyFile(path)
	if err != nil {
		return masterKey{}, &config.Error{Var: "GATEHOUSE_MASTER_KEY",
			Msg: fmt.Sprintf("not set, nor GATEHOUSE_MASTER_KEY_FILE, and the default key file beside the database cannot be used: %v", err)}
	}
	mk := masterKey{key: key, variable: "GATEHOUSE_MASTER_KEY",
		source: "the key file " + path + " (used because neither GATEHOUSE_MASTER_KEY nor GATEHOUSE_MASTER_KEY_FILE is set)"}
	if created {
		mk.generated = path
	}
	return mk, nil
}

// openError explains a failure to open the store with mk. A key that does not unwrap the data
// keys is a configuration mistake (exit code 2) with one line naming where the key came from. A
// key file generated just now for a database that was sealed before is removed again: the
// database's own key is missing, and a new one would only hide that on the next start.
func (mk *masterKey) openError(err error) error {
	if !errors.Is(err, secretbox.ErrKeyMismatch) {
		return fmt.Errorf("open database: %w", err)
	}
	if mk.generated != "" {
		_ = os.Remove(mk.generated)
		missing := mk.generated
		mk.generated = ""
		return &config.Error{Var: "GATEHOUSE_MASTER_KEY", Msg: fmt.Sprintf("not set, and %s does not exist, but the database "+
			"already holds secrets sealed with a master key: put back the master.key saved with this database, "+
			"or set GATEHOUSE_MASTER_KEY or GATEHOUSE_MASTER_KEY_FILE to its key", missing)}
	}
	return &config.Error{Var: mk.variable, Msg: "the master key from " + mk.source + " does not match the one this database " +
		"was sealed with; give the key it was sealed with (after `gatehouse keys rotate-master`, the new one)"}
}

// announce tells the operator, once (the file exists on every later start), that a master key
// was generated and that the database is unreadable without it.
func (mk *masterKey) announce(w io.Writer, cfg *config.Config) {
	if mk.generated == "" || w == nil {
		return
	}
	db := cfg.DBURL
	if path, ok := sqlstore.SQLitePath(cfg.DBURL); ok {
		if abs, err := filepath.Abs(path); err == nil {
			db = abs
		}
	}
	fmt.Fprintf(w, "gatehouse: generated a master key in %s; it seals the client secrets and keys stored in %s. "+
		"Back it up together with the database: without it they cannot be read.\n", mk.generated, db)
}

// MasterKeyOf is the master key cfg's database is sealed with (see OpenStore) and where it came
// from, for tools that open a second database with the same key (gatehouse db copy).
func MasterKeyOf(cfg *config.Config) (*secretbox.MasterKey, string, error) {
	mk, err := resolveMasterKey(cfg)
	return mk.key, mk.source, err
}
