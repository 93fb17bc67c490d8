package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/gatehouse-id/gatehouse/internal/ids"
)

// PostgresURLEnv names the variable holding an admin-capable URL of a throwaway PostgreSQL server
// (scripts/testpg start prints it).
const PostgresURLEnv = "GATEHOUSE_TEST_POSTGRES_URL"

// PostgresDatabase creates a fresh database owned by a fresh ordinary role (LOGIN only: no
// superuser, no CREATEDB, no CREATEROLE), as on a managed PostgreSQL, and returns a URL that
// connects as that role. Both are dropped when t ends. Without PostgresURLEnv the test fails:
// the PostgreSQL suite must never be skipped silently.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	adminURL := os.Getenv(PostgresURLEnv)
	if adminURL == "" {
		t.Fatalf("%s is not set: PostgreSQL is required for these tests; run `eval \"$(scripts/testpg start)\"` first", PostgresURLEnv)
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	suffix := ids.New()
	role, password, dbName := "gh_app_"+suffix, ids.NewSecret(), "gh_test_"+suffix
	for _, stmt := range []string{
		// Identifiers are generated from [0-9a-z] and the password from [0-9A-Za-z]: safe to splice.
		"CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "' NOSUPERUSER NOCREATEDB NOCREATEROLE",
		"CREATE DATABASE " + dbName + " OWNER " + role,
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			_ = admin.Close()
			t.Fatalf("prepare PostgreSQL test database: %v", err)
		}
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends connections a failed test may have left open.
		for _, stmt := range []string{"DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role} {
			if _, err := admin.ExecContext(ctx, stmt); err != nil {
				t.Errorf("clean up PostgreSQL test database: %v", err)
			}
		}
	})

	u, err := url.Parse(adminURL)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	u.User = url.UserPassword(role, password)
	u.Path = "/" + dbName
	return u.String()
}
