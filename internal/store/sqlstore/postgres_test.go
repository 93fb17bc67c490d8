package sqlstore

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// openPostgresStore opens a fresh migrated store in its own database, connected as an ordinary
// role that owns the database and nothing more, sealing with a fresh master key.
func openPostgresStore(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.Context(), storetest.PostgresDatabase(t), Options{
		Migrate:          true,
		MasterKey:        secretbox.GenerateMasterKey(),
		PoolSize:         8,
		ConnectTimeout:   10 * time.Second,
		StatementTimeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgresStore(t) })
}

// The store runs as an ordinary role (no superuser, no CREATEROLE) and honours the pool options.
func TestPostgresOrdinaryRoleAndOptions(t *testing.T) {
	d := openPostgresStore(t)
	var super, createRole bool
	err := d.SQL().QueryRowContext(t.Context(), "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").Scan(&super, &createRole)
	if err != nil {
		t.Fatalf("query role: %v", err)
	}
	if super || createRole {
		t.Fatalf("store role is superuser=%v createrole=%v; the suite must run as an ordinary role", super, createRole)
	}
	var timeout string
	if err := d.SQL().QueryRowContext(t.Context(), "SHOW statement_timeout").Scan(&timeout); err != nil {
		t.Fatalf("SHOW statement_timeout: %v", err)
	}
	if timeout != "30s" {
		t.Fatalf("statement_timeout = %q, want 30s from Options", timeout)
	}
	if n := d.SQL().Stats().MaxOpenConnections; n != 8 {
		t.Fatalf("MaxOpenConnections = %d, want 8 from Options", n)
	}
	if d.Dialect() != "postgres" {
		t.Fatalf("Dialect() = %q", d.Dialect())
	}
}

func TestPostgresConnectFailureIsClear(t *testing.T) {
	// Port 1 on localhost refuses connections at once.
	_, err := Open(t.Context(), "postgres://u:secretpw@127.0.0.1:1/db?sslmode=disable", Options{ConnectTimeout: 2 * time.Second})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "connect to PostgreSQL") || strings.Contains(err.Error(), "secretpw") {
		t.Fatalf("error = %v; want a connect error without the password", err)
	}
}
