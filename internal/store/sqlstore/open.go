package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sealing"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Options tune the connection pools. Zero values pick the defaults noted on each field.
type Options struct {
	// PoolSize is the most open connections on PostgreSQL (default 10), and the most reading
	// connections on SQLite (default max(4, GOMAXPROCS)); SQLite always writes through one.
	PoolSize int
	// ConnectTimeout bounds establishing a PostgreSQL connection and the first ping (default 10 s).
	ConnectTimeout time.Duration
	// StatementTimeout sets PostgreSQL's statement_timeout on every connection (0 = server default).
	StatementTimeout time.Duration
	// Migrate applies pending schema migrations before Open returns.
	Migrate bool
	// Logger, when set, records the migrations Open applied and the values it sealed.
	Logger *slog.Logger
	// MasterKey seals secrets at rest (client secrets, signing and cookie keys; package sealing).
	// With it, Open checks that it unwraps the database's data keys (failing with an error
	// matching secretbox.ErrKeyMismatch if not), creates the first data key of a fresh database
	// and seals values still stored in clear. Without it values are stored unsealed, which is
	// for tests and tools only (Gatehouse's own commands always pass one, see app.OpenStore);
	// Open then refuses a database that already holds data keys.
	MasterKey *secretbox.MasterKey
	// Clock dates new data keys (default: the system clock).
	Clock clock.Clock
}

const (
	defaultPostgresPoolSize = 10
	defaultConnectTimeout   = 10 * time.Second
	// sqliteBusyTimeout is how long SQLite waits for another process's write lock (e.g. the CLI
	// writing to the server's file) before answering SQLITE_BUSY.
	sqliteBusyTimeout = 5 * time.Second
)

// DB is a store.Store over one database.
//
// On SQLite it holds two pools on the same file: writes and transactions go through a pool of
// exactly one connection, so writers queue inside the process instead of failing with
// SQLITE_BUSY (headscale#349 hit that with one shared pool), and every BEGIN is IMMEDIATE so a
// transaction never has to upgrade a read lock it cannot get; reads outside transactions go
// through a read-only pool that WAL lets run alongside the writer. On PostgreSQL both are one pool.
type DB struct {
	dialect string
	write   *sql.DB
	read    *sql.DB
	// readStmts caches prepared statements for the SQLite read pool; nil on PostgreSQL, where
	// pgx already prepares and caches every statement per connection.
	readStmts *sqlx.StmtCache
	// sealer seals and opens secrets at rest with the master key and the unwrapped data keys.
	sealer *sealing.Sealer
}

var _ store.Store = (*DB)(nil)

// Open connects to dbURL and, with o.Migrate, brings the schema up to date. dbURL is
// postgres://… or postgresql://… (a pgx connection URL), or sqlite:<path> or file:<path> (the
// file and its parent directory are created when missing).
func Open(ctx context.Context, dbURL string, o Options) (*DB, error) {
	dialect, target, err := parseURL(dbURL)
	if err != nil {
		return nil, err
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = defaultConnectTimeout
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	var d *DB
	switch dialect {
	case migrations.DialectPostgres:
		d, err = openPostgres(ctx, target, o)
	default:
		d, err = openSQLite(ctx, target, o)
	}
	if err != nil {
		return nil, err
	}
	if o.Migrate {
		applied, err := migrations.Up(ctx, d.write, d.dialect)
		if err != nil {
			_ = d.Close()
			return nil, fmt.Errorf("sqlstore: migrate: %w", err)
		}
		if o.Logger != nil {
			for _, m := range applied {
				o.Logger.InfoContext(ctx, "applied database migration", "dialect", d.dialect, "version", m.Version, "name", m.Name)
			}
		}
	}
	d.sealer, err = sealing.Start(ctx, sealing.Config{
		DB: d.write, Postgres: d.postgres(), MasterKey: o.MasterKey, Clock: o.Clock, Logger: o.Logger,
	})
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

// SQLitePath returns the database file of a sqlite:<path> or file:<path> URL (as Open reads
// it), and false for any other URL.
func SQLitePath(dbURL string) (string, bool) {
	dialect, target, err := parseURL(dbURL)
	if err != nil || dialect != migrations.DialectSQLite {
		return "", false
	}
	return target, true
}

// parseURL tells the dialect of dbURL and returns what the driver needs: the URL itself for
// PostgreSQL, the file path for SQLite.
func parseURL(dbURL string) (dialect, target string, err error) {
	scheme, rest, ok := strings.Cut(dbURL, ":")
	if !ok {
		return "", "", fmt.Errorf("sqlstore: database URL %q has no scheme (want postgres://…, sqlite:<path> or file:<path>)", dbURL)
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return migrations.DialectPostgres, dbURL, nil
	case "sqlite", "file":
		// sqlite:///abs/path and sqlite://rel/path are accepted as sqlite:/abs/path and sqlite:rel/path.
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return "", "", fmt.Errorf("sqlstore: database URL %q has no file path", dbURL)
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", fmt.Errorf("sqlstore: database URL %q: query parameters are not supported; Gatehouse sets SQLite's options itself", dbURL)
		}
		if path == ":memory:" {
			return "", "", fmt.Errorf("sqlstore: database URL %q: in-memory SQLite is not supported (each connection would see its own database)", dbURL)
		}
		return migrations.DialectSQLite, path, nil
	default:
		return "", "", fmt.Errorf("sqlstore: unsupported database URL scheme %q (want postgres, postgresql, sqlite or file)", scheme)
	}
}

func openPostgres(ctx context.Context, dbURL string, o Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		// pgx redacts the password in its message.
		return nil, fmt.Errorf("sqlstore: invalid PostgreSQL URL: %w", err)
	}
	cfg.ConnectTimeout = o.ConnectTimeout
	if o.StatementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
	}
	db := stdlib.OpenDB(*cfg)
	size := o.PoolSize
	if size <= 0 {
		size = defaultPostgresPoolSize
	}
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(5 * time.Minute)
	// Recycling connections now and then lets a pool follow a failover or DNS change.
	db.SetConnMaxLifetime(30 * time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlstore: connect to PostgreSQL at %s: %w", cfg.Host, err)
	}
	return &DB{dialect: migrations.DialectPostgres, write: db, read: db}, nil
}

func openSQLite(ctx context.Context, path string, o Options) (*DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlstore: create directory for SQLite database: %w", err)
		}
	}
	if err := createOwnerOnly(path); err != nil {
		return nil, fmt.Errorf("sqlstore: create SQLite database %s: %w", path, err)
	}
	busy := "_busy_timeout=" + strconv.FormatInt(sqliteBusyTimeout.Milliseconds(), 10)
	// WAL lets readers run while the writer writes; synchronous=NORMAL is durable across process
	// crashes in WAL mode and far cheaper than FULL. foreign_keys is per connection, so both pools set it.
	writeDSN := path + "?" + busy + "&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate"
	readDSN := path + "?" + busy + "&_synchronous=NORMAL&_foreign_keys=1&_query_only=1"

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open SQLite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	pingCtx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	// The writer connects first so the file exists and is in WAL mode before any reader opens it.
	if err := write.PingContext(pingCtx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlstore: open SQLite %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlstore: open SQLite %s for reading: %w", path, err)
	}
	size := o.PoolSize
	if size <= 0 {
		size = max(4, runtime.GOMAXPROCS(0))
	}
	read.SetMaxOpenConns(size)
	read.SetMaxIdleConns(size)
	if err := read.PingContext(pingCtx); err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("sqlstore: open SQLite %s for reading: %w", path, err)
	}
	return &DB{dialect: migrations.DialectSQLite, write: write, read: read, readStmts: sqlx.NewStmtCache(read)}, nil
}

// createOwnerOnly creates path as an empty file of mode 0600 unless it exists. Left to itself
// SQLite creates the database 0644 (less the umask): readable by every local user, secrets and
// all (issue 6). It gives the -wal and -shm files it creates the database file's mode, so they are
// owner-only too. An empty file is a valid empty database. An existing file is left as it is.
func createOwnerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// SQL returns the connection pool that writes (on SQLite the single writer connection), for the
// migrations CLI. Using it while a transaction of this DB is open blocks on SQLite.
func (d *DB) SQL() *sql.DB { return d.write }

// Dialect is "sqlite" or "postgres".
func (d *DB) Dialect() string { return d.dialect }

// Ping checks the database answers on both pools.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	if d.read != d.write {
		if err := d.read.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping readers: %w", err)
		}
	}
	return nil
}

// Close closes the pools.
func (d *DB) Close() error {
	var errs []error
	if d.readStmts != nil {
		errs = append(errs, d.readStmts.Close())
	}
	if d.read != d.write {
		errs = append(errs, d.read.Close())
	}
	errs = append(errs, d.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// RotateReport says what RotateMasterKey did.
type RotateReport = sealing.RotateReport

// RotateMasterKey wraps every data key with next instead of the current master key, in one
// transaction, and with newDataKey also replaces the active data key and re-seals every value
// with it; running processes must then restart with next (see sealing.Sealer.RotateMasterKey).
func (d *DB) RotateMasterKey(ctx context.Context, next *secretbox.MasterKey, newDataKey bool) (RotateReport, error) {
	return d.sealer.RotateMasterKey(ctx, next, newDataKey)
}
