package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
)

// Dialects the migrations exist for; the same names as store.Store.Dialect.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Migration is one schema version and whether the database has it.
type Migration struct {
	Version int64
	Name    string // from the file name: 00001_initial.sql -> "initial"
	Applied bool
}

// List returns every known migration, oldest first, with whether db has it applied.
func List(ctx context.Context, db *sql.DB, dialect string) ([]Migration, error) {
	p, err := newProvider(db, dialect)
	if err != nil {
		return nil, err
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: status: %w", err)
	}
	out := make([]Migration, 0, len(statuses))
	for _, s := range statuses {
		out = append(out, Migration{
			Version: s.Source.Version,
			Name:    nameOf(s.Source.Path),
			Applied: s.State == goose.StateApplied,
		})
	}
	return out, nil
}

// Pending counts the migrations this binary has that db has not applied. It reads goose's
// version table with one query and the embedded file names, and parses no SQL: a readiness
// probe calls it every few seconds, and building a goose provider each time cost 16 MB of
// parser buffers per call.
func Pending(ctx context.Context, db *sql.DB, dialect string) (int, error) {
	if db == nil {
		return 0, errors.New("migrations: nil *sql.DB")
	}
	names, err := fs.Glob(files, dialect+"/*.sql")
	if err != nil || len(names) == 0 {
		return 0, fmt.Errorf("migrations: no files for dialect %q", dialect)
	}
	// goose's provider deletes a reverted version's row, so the rows are the applied versions.
	rows, err := db.QueryContext(ctx, "SELECT version_id FROM goose_db_version WHERE is_applied")
	if err != nil {
		return 0, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return 0, fmt.Errorf("migrations: read applied versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("migrations: read applied versions: %w", err)
	}
	pending := 0
	for _, name := range names {
		prefix, _, _ := strings.Cut(path.Base(name), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migrations: file %s has no version number", name)
		}
		if !applied[v] {
			pending++
		}
	}
	return pending, nil
}

// Up applies every pending migration and returns those it applied (none when the schema is
// current). On PostgreSQL it holds an advisory lock meanwhile, so several nodes starting at once
// migrate exactly once; the others wait, then find nothing pending.
func Up(ctx context.Context, db *sql.DB, dialect string) ([]Migration, error) {
	// Every start calls Up, and nearly always nothing is pending: answer that from the version
	// table, without goose parsing every file (and leaving 16 MiB of buffers to the collector).
	// An error here (no version table yet) means a fresh database: goose creates it below.
	if n, err := Pending(ctx, db, dialect); err == nil && n == 0 {
		return nil, nil
	}
	p, err := newProvider(db, dialect)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: up: %w", err)
	}
	return fromResults(results, true), nil
}

// UpTo applies pending migrations up to and including version.
func UpTo(ctx context.Context, db *sql.DB, dialect string, version int64) ([]Migration, error) {
	p, err := newProvider(db, dialect)
	if err != nil {
		return nil, err
	}
	results, err := p.UpTo(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("migrations: up to %d: %w", version, err)
	}
	return fromResults(results, true), nil
}

// DownTo reverts applied migrations newer than version, newest first, and returns those it
// reverted; version 0 reverts everything.
func DownTo(ctx context.Context, db *sql.DB, dialect string, version int64) ([]Migration, error) {
	p, err := newProvider(db, dialect)
	if err != nil {
		return nil, err
	}
	results, err := p.DownTo(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("migrations: down to %d: %w", version, err)
	}
	return fromResults(results, false), nil
}

func newProvider(db *sql.DB, dialect string) (*goose.Provider, error) {
	if db == nil {
		return nil, errors.New("migrations: nil *sql.DB")
	}
	var (
		gooseDialect goose.Dialect
		opts         = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	)
	switch dialect {
	case DialectPostgres:
		gooseDialect = goose.DialectPostgres
		opts = append(opts, goose.WithSessionLocker(advisoryLocker{}))
	case DialectSQLite:
		// SQLite has one writer at a time; no lock is needed (or available).
		gooseDialect = goose.DialectSQLite3
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q (want %q or %q)", dialect, DialectPostgres, DialectSQLite)
	}
	dir, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("migrations: %s files: %w", dialect, err)
	}
	p, err := goose.NewProvider(gooseDialect, db, dir, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %s provider: %w", dialect, err)
	}
	return p, nil
}

func fromResults(results []*goose.MigrationResult, applied bool) []Migration {
	out := make([]Migration, 0, len(results))
	for _, r := range results {
		out = append(out, Migration{Version: r.Source.Version, Name: nameOf(r.Source.Path), Applied: applied})
	}
	return out
}

// nameOf turns "00001_initial.sql" into "initial".
func nameOf(file string) string {
	base := strings.TrimSuffix(path.Base(file), ".sql")
	if _, name, ok := strings.Cut(base, "_"); ok {
		return name
	}
	return base
}

// createTable finds the tables a migration creates.
var createTable = regexp.MustCompile(`(?m)^CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+) \(`)

// Tables lists the tables the migrations create, in creation order, so that a table comes after
// every table it references (the order a whole-database copy inserts in).
func Tables(dialect string) ([]string, error) {
	names, err := fs.Glob(files, dialect+"/*.sql")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("migrations: no files for dialect %q", dialect)
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		raw, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		up, _, _ := strings.Cut(string(raw), "-- +goose Down")
		for _, m := range createTable.FindAllStringSubmatch(up, -1) {
			out = append(out, m[1])
		}
	}
	return out, nil
}
