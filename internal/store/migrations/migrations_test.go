package migrations

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// initialTables are the tables 00001_initial alone creates.
var initialTables = []string{
	"application_secrets", "applications", "applications_roles", "logto_configs", "resources",
	"roles", "roles_scopes", "scopes", "systems", "tenant_generations", "tenants",
}

// wantTables are the tables all migrations create, in both dialects (sorted): 00001 the
// initial schema, 00002 users, 00003 protocol artifacts, 00004 sign-in attempts, 00005 sealed
// secrets' data keys, 00006 hooks, the webhook outbox and the audit log, 00007 connectors,
// 00008 console sessions. A new migration that adds a table adds it here.
var wantTables = []string{
	"application_secrets", "applications", "applications_roles", "connectors", "console_sessions", "hooks", "logs", "logto_configs",
	"oidc_access_tokens", "oidc_authorization_codes", "oidc_grants", "oidc_interactions",
	"oidc_refresh_tokens", "oidc_session_authorizations", "oidc_sessions",
	"resources", "roles", "roles_scopes", "scopes", "secret_data_keys", "sentinel_activities", "systems",
	"tenant_generations", "tenants", "users", "users_roles", "webhook_deliveries",
}

func openSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db")+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", storetest.PostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// tables lists the user tables of db, sorted, leaving out goose's own.
func tables(t *testing.T, db *sql.DB, dialect string) []string {
	t.Helper()
	query := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if dialect == DialectPostgres {
		query = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
	}
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "goose_db_version" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestUpListDownUpTo(t *testing.T) {
	for _, tc := range []struct {
		dialect string
		open    func(*testing.T) *sql.DB
	}{
		{DialectSQLite, openSQLite},
		{DialectPostgres, openPostgres},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			ctx := t.Context()
			db := tc.open(t)

			list, err := List(ctx, db, tc.dialect)
			if err != nil {
				t.Fatalf("List on an empty database: %v", err)
			}
			if len(list) == 0 || list[0] != (Migration{Version: 1, Name: "initial", Applied: false}) {
				t.Fatalf("List on an empty database = %+v, want 00001 initial pending first", list)
			}

			applied, err := Up(ctx, db, tc.dialect)
			if err != nil {
				t.Fatalf("Up: %v", err)
			}
			if len(applied) != len(list) || applied[0] != (Migration{Version: 1, Name: "initial", Applied: true}) {
				t.Fatalf("Up applied %+v, want all %d migrations", applied, len(list))
			}
			if n, err := Pending(ctx, db, tc.dialect); n != 0 || err != nil {
				t.Errorf("Pending after Up = %d, %v; want 0", n, err)
			}
			if got := tables(t, db, tc.dialect); !reflect.DeepEqual(got, wantTables) {
				t.Fatalf("tables after Up = %v, want %v", got, wantTables)
			}
			list, err = List(ctx, db, tc.dialect)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			for _, m := range list {
				if !m.Applied {
					t.Fatalf("after Up, %+v is not applied", m)
				}
			}

			again, err := Up(ctx, db, tc.dialect)
			if err != nil || len(again) != 0 {
				t.Fatalf("second Up = %+v, %v; want nothing applied", again, err)
			}

			reverted, err := DownTo(ctx, db, tc.dialect, 0)
			if err != nil {
				t.Fatalf("DownTo(0): %v", err)
			}
			if len(reverted) != len(list) || reverted[len(reverted)-1].Version != 1 || reverted[0].Applied {
				t.Fatalf("DownTo(0) reverted %+v, want every migration, newest first", reverted)
			}
			if got := tables(t, db, tc.dialect); len(got) != 0 {
				t.Fatalf("tables after DownTo(0) = %v, want none", got)
			}

			upTo, err := UpTo(ctx, db, tc.dialect, 1)
			if err != nil || len(upTo) != 1 || upTo[0].Version != 1 {
				t.Fatalf("UpTo(1) = %+v, %v; want version 1 applied", upTo, err)
			}
			if got := tables(t, db, tc.dialect); !reflect.DeepEqual(got, initialTables) {
				t.Fatalf("tables after UpTo(1) = %v, want %v", got, initialTables)
			}
			if n, err := Pending(ctx, db, tc.dialect); n != len(list)-1 || err != nil {
				t.Errorf("Pending after UpTo(1) = %d, %v; want %d", n, err, len(list)-1)
			}
		})
	}
}

// Several nodes starting at once on one fresh PostgreSQL database migrate exactly once.
func TestConcurrentUpOnPostgres(t *testing.T) {
	url := storetest.PostgresDatabase(t)
	const nodes = 4
	type result struct {
		applied []Migration
		err     error
	}
	results := make(chan result, nodes)
	var wg sync.WaitGroup
	for range nodes {
		wg.Go(func() {
			// Each node has its own pool, as separate processes would.
			db, err := sql.Open("pgx", url)
			if err != nil {
				results <- result{err: err}
				return
			}
			defer db.Close()
			applied, err := Up(context.Background(), db, DialectPostgres)
			results <- result{applied, err}
		})
	}
	wg.Wait()
	close(results)

	migrated := 0
	for r := range results {
		if r.err != nil {
			t.Fatalf("concurrent Up failed: %v", r.err)
		}
		if len(r.applied) > 0 {
			migrated++
		}
	}
	if migrated != 1 {
		t.Fatalf("%d nodes applied migrations, want exactly 1", migrated)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := tables(t, db, DialectPostgres); !reflect.DeepEqual(got, wantTables) {
		t.Fatalf("tables after concurrent Up = %v, want %v", got, wantTables)
	}
	list, err := List(t.Context(), db, DialectPostgres)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, m := range list {
		if !m.Applied {
			t.Fatalf("after concurrent Up, %+v is not applied", m)
		}
	}
}

// Once a data key exists, rolling back below 00005 is refused on both dialects: it would drop the
// keys every sealed secret needs, and older versions cannot read sealed values anyway.
func TestRollbackBelowSealedSecretsIsRefused(t *testing.T) {
	for _, tc := range []struct {
		dialect string
		open    func(*testing.T) *sql.DB
		insert  string
	}{
		{DialectSQLite, openSQLite, "INSERT INTO secret_data_keys (id, wrapped, active, created_at) VALUES ('k1', 'gh1:x', 1, 1)"},
		{DialectPostgres, openPostgres, "INSERT INTO secret_data_keys (id, wrapped, active, created_at) VALUES ('k1', 'gh1:x', true, 1)"},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			ctx := t.Context()
			db := tc.open(t)
			if _, err := Up(ctx, db, tc.dialect); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, tc.insert); err != nil {
				t.Fatal(err)
			}
			// Migrations above 00005 roll back one by one as usual.
			if rolled, err := DownTo(ctx, db, tc.dialect, 5); err != nil || len(rolled) != 3 {
				t.Fatalf("DownTo(5) = %+v, %v; want 00008, 00007 and 00006 rolled back", rolled, err)
			}
			want := slices.DeleteFunc(slices.Clone(wantTables), func(n string) bool {
				return n == "hooks" || n == "logs" || n == "webhook_deliveries" || n == "connectors" || n == "console_sessions"
			})
			_, err := DownTo(ctx, db, tc.dialect, 4)
			if err == nil || !strings.Contains(err.Error(), "cannot roll back 00005_sealed_secrets") {
				t.Fatalf("DownTo(4) with a data key = %v, want the refusal", err)
			}
			if got := tables(t, db, tc.dialect); !reflect.DeepEqual(got, want) {
				t.Fatalf("tables after the refused rollback = %v, want all up to 00005", got)
			}
			if _, err := db.ExecContext(ctx, "DELETE FROM secret_data_keys"); err != nil {
				t.Fatal(err)
			}
			if rolled, err := DownTo(ctx, db, tc.dialect, 4); err != nil || len(rolled) != 1 {
				t.Fatalf("DownTo(4) without data keys = %+v, %v; want 00005 rolled back", rolled, err)
			}
		})
	}
}

// Both dialects must have the same migrations, so one schema version means the same on either.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	names := func(dialect string) []string {
		entries, err := fs.ReadDir(files, dialect)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	pg, lite := names(DialectPostgres), names(DialectSQLite)
	if len(pg) == 0 || !reflect.DeepEqual(pg, lite) {
		t.Fatalf("postgres migrations %v differ from sqlite migrations %v", pg, lite)
	}
	for _, name := range pg {
		for _, dialect := range []string{DialectPostgres, DialectSQLite} {
			body, err := fs.ReadFile(files, dialect+"/"+name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(body), "-- +goose Up") || !strings.Contains(string(body), "-- +goose Down") {
				t.Errorf("%s/%s lacks a goose Up or Down section", dialect, name)
			}
		}
	}
}

func TestBadArguments(t *testing.T) {
	db := openSQLite(t)
	for _, tc := range []struct {
		name    string
		db      *sql.DB
		dialect string
	}{
		{"unknown dialect", db, "mysql"},
		{"empty dialect", db, ""},
		{"nil db", nil, DialectSQLite},
	} {
		if _, err := Up(t.Context(), tc.db, tc.dialect); err == nil {
			t.Errorf("%s: Up succeeded", tc.name)
		}
		if _, err := List(t.Context(), tc.db, tc.dialect); err == nil {
			t.Errorf("%s: List succeeded", tc.name)
		}
		if _, err := Pending(t.Context(), tc.db, tc.dialect); err == nil {
			t.Errorf("%s: Pending succeeded", tc.name)
		}
	}
	// A database goose never touched has no version table: Pending says so instead of 0.
	if n, err := Pending(t.Context(), db, DialectSQLite); err == nil {
		t.Errorf("Pending on an empty database = %d, nil; want an error", n)
	}
}

func TestNameOf(t *testing.T) {
	for in, want := range map[string]string{
		"00001_initial.sql":            "initial",
		"postgres/00002_add_users.sql": "add_users",
		"00003.sql":                    "00003",
	} {
		if got := nameOf(in); got != want {
			t.Errorf("nameOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// Both dialects create the same tables in the same order (db copy relies on it).
func TestTablesSameInBothDialects(t *testing.T) {
	pg, err := Tables(DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := Tables(DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) < 20 || strings.Join(pg, ",") != strings.Join(lite, ",") {
		t.Fatalf("postgres %v\nsqlite %v", pg, lite)
	}
}
