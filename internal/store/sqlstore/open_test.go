package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url         string
		dialect     string
		target      string
		errContains string
	}{
		{url: "postgres://u:p@db:5432/logto?sslmode=disable", dialect: "postgres", target: "postgres://u:p@db:5432/logto?sslmode=disable"},
		{url: "postgresql://db/logto", dialect: "postgres", target: "postgresql://db/logto"},
		{url: "sqlite:./data/gatehouse.db", dialect: "sqlite", target: "./data/gatehouse.db"},
		{url: "sqlite:/var/lib/gatehouse/db.sqlite", dialect: "sqlite", target: "/var/lib/gatehouse/db.sqlite"},
		{url: "sqlite:///var/lib/gatehouse/db.sqlite", dialect: "sqlite", target: "/var/lib/gatehouse/db.sqlite"},
		{url: "file:data/g.db", dialect: "sqlite", target: "data/g.db"},
		{url: "SQLite:g.db", dialect: "sqlite", target: "g.db"},
		{url: "", errContains: "no scheme"},
		{url: "gatehouse.db", errContains: "no scheme"},
		{url: "mysql://db/logto", errContains: `unsupported database URL scheme "mysql"`},
		{url: "sqlite:", errContains: "no file path"},
		{url: "sqlite:g.db?_pragma=foo", errContains: "query parameters are not supported"},
		{url: "sqlite::memory:", errContains: "in-memory SQLite is not supported"},
	} {
		dialect, target, err := parseURL(tc.url)
		if tc.errContains != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errContains) {
				t.Errorf("parseURL(%q) error = %v, want one containing %q", tc.url, err, tc.errContains)
			}
			continue
		}
		if err != nil || dialect != tc.dialect || target != tc.target {
			t.Errorf("parseURL(%q) = %q, %q, %v; want %q, %q", tc.url, dialect, target, err, tc.dialect, tc.target)
		}
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	for _, url := range []string{"nonsense", "postgres://user:hunter2@%zz/db", "sqlite:"} {
		d, err := Open(t.Context(), url, Options{})
		if err == nil {
			_ = d.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error leaks the password: %v", url, err)
		}
	}
}

func TestSQLiteCreatesParentDirectoryAndSetsPragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "deeper", "gatehouse.db")
	d, err := Open(t.Context(), "file:"+path, Options{Migrate: true, PoolSize: 3})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	if d.Dialect() != "sqlite" {
		t.Fatalf("Dialect() = %q", d.Dialect())
	}
	if d.read.Stats().MaxOpenConnections != 3 || d.write.Stats().MaxOpenConnections != 1 {
		t.Fatalf("pool sizes: read %d, write %d; want 3 and 1", d.read.Stats().MaxOpenConnections, d.write.Stats().MaxOpenConnections)
	}
	for _, tc := range []struct {
		name   string
		pool   string
		pragma string
		want   string
	}{
		{"WAL", "write", "journal_mode", "wal"},
		{"busy timeout on the writer", "write", "busy_timeout", "5000"},
		{"busy timeout on readers", "read", "busy_timeout", "5000"},
		{"foreign keys on the writer", "write", "foreign_keys", "1"},
		{"foreign keys on readers", "read", "foreign_keys", "1"},
		{"synchronous NORMAL", "write", "synchronous", "1"},
		{"readers are read-only", "read", "query_only", "1"},
	} {
		db := d.write
		if tc.pool == "read" {
			db = d.read
		}
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: PRAGMA %s = %q, want %q", tc.name, tc.pragma, got, tc.want)
		}
	}
}

// Two processes on one SQLite file (the server and the CLI) each have their own writer; SQLite's
// busy_timeout and BEGIN IMMEDIATE make them take turns instead of failing with SQLITE_BUSY.
func TestSQLiteTwoWritersOnOneFile(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	var stores []*DB
	for range 2 {
		d, err := Open(t.Context(), url, Options{Migrate: true})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer d.Close()
		stores = append(stores, d)
	}
	if err := stores[0].CreateTenant(t.Context(), model.Tenant{ID: "default", Name: "Default", CreatedAt: 1}); err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	const perStore = 15
	errs := make(chan error, 2*perStore)
	var wg sync.WaitGroup
	for i, d := range stores {
		for j := range perStore {
			wg.Go(func() {
				errs <- d.InTx(t.Context(), "default", func(tx store.Tenant) error {
					id := fmt.Sprintf("r-%d-%02d", i, j)
					if err := tx.Roles().Create(t.Context(), model.Role{ID: id, Name: id, Type: model.RoleUser}); err != nil {
						return err
					}
					return tx.Configs().Put(t.Context(), id, []byte(`{}`))
				})
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	for _, d := range stores {
		_, total, err := d.Tenant("default").Roles().List(t.Context(), store.RoleFilter{}, store.Page{})
		if err != nil || total != 2*perStore {
			t.Fatalf("roles seen = %d, %v; want %d", total, err, 2*perStore)
		}
	}
}

// A failed migration leaves Open with an error, not a half-open store.
func TestOpenWithoutMigrateOnEmptyDatabase(t *testing.T) {
	d, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "empty.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	if _, err := d.Tenants(t.Context()); err == nil {
		t.Fatal("Tenants on an unmigrated database succeeded")
	} else if errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing table reported as not found: %v", err)
	}
}
