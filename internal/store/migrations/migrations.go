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

// Up applies every pending migration and returns those it applied (none when the schema is
// current). On PostgreSQL it holds an advisory lock meanwhile, so several nodes starting at once
// migrate exactly once; the others wait, then find nothing pending.
func Up(ctx context.Context, db *sql.DB, dialect string) ([]Migration, error) {
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
