package oidc

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// openTestStore opens a fresh, migrated SQLite store in a temporary directory.
func openTestStore(tb testing.TB) store.Store {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "gatehouse.db")
	db, err := sqlstore.Open(context.Background(), "sqlite:"+path, sqlstore.Options{Migrate: true})
	if err != nil {
		tb.Fatalf("open sqlite store: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}
