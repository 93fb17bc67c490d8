package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

func sqliteConfig(t *testing.T, path string, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) (string, bool) {
		if k == "DB_URL" {
			return "sqlite:" + path, true
		}
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestOpenStoreMasterKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "gh.db")
	keyPath := filepath.Join(dir, "data", "master.key")

	var notices bytes.Buffer
	db, err := OpenStore(ctx, sqliteConfig(t, dbPath, nil), true, &notices)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if !strings.Contains(notices.String(), keyPath) || strings.Count(notices.String(), "\n") != 1 {
		t.Fatalf("notice = %q, want one line naming %s", notices.String(), keyPath)
	}
	notices.Reset()
	db, err = OpenStore(ctx, sqliteConfig(t, dbPath, nil), true, &notices)
	if err != nil || notices.Len() != 0 {
		t.Fatalf("second open: %v, notice %q; want no notice", err, notices.String())
	}
	_ = db.Close()

	// Another key: a configuration error naming its source.
	_, err = OpenStore(ctx, sqliteConfig(t, dbPath, map[string]string{"GATEHOUSE_MASTER_KEY": secretbox.GenerateMasterKey().Encode()}), true, &notices)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) || cfgErr.Var != "GATEHOUSE_MASTER_KEY" || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("wrong key: %v, want a *config.Error naming GATEHOUSE_MASTER_KEY", err)
	}

	// The key file is lost: said as such, and the key generated meanwhile is removed again.
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	notices.Reset()
	_, err = OpenStore(ctx, sqliteConfig(t, dbPath, nil), true, &notices)
	if !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), keyPath+" does not exist") {
		t.Fatalf("missing key file: %v", err)
	}
	if _, statErr := os.Stat(keyPath); !os.IsNotExist(statErr) || notices.Len() != 0 {
		t.Fatalf("missing key file: a generated key was left (%v) or announced (%q)", statErr, notices.String())
	}
}
