package sqlstore

import (
	"path/filepath"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// openSQLiteStore opens a fresh migrated store in a temporary file, sealing with a fresh master key.
func openSQLiteStore(t *testing.T) *DB {
	t.Helper()
	d, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "data", "gatehouse.db"), Options{Migrate: true, MasterKey: secretbox.GenerateMasterKey()})
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

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLiteStore(t) })
}
