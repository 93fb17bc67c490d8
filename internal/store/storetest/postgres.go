package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
// connects as that role. Both are dropped when t ends. The server is PostgresAdminURL's.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	adminURL := PostgresAdminURL(t)
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

// PostgresAdminURL is the admin URL of the test PostgreSQL server: PostgresURLEnv when set (make
// check starts one cluster for every package), else a throwaway cluster this test process starts
// once with scripts/testpg and that stops soon after the process ends. Where PostgreSQL's server
// binaries are missing the test fails with one line saying what to install: the PostgreSQL
// suite is never skipped.
func PostgresAdminURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(PostgresURLEnv); u != "" {
		return u
	}
	autoCluster.once.Do(func() { autoCluster.url, autoCluster.err = startCluster() })
	if autoCluster.err != nil {
		t.Fatalf("PostgreSQL for the tests: %v", autoCluster.err)
	}
	return autoCluster.url
}

// autoCluster is the process's own throwaway cluster, started at most once.
var autoCluster struct {
	once sync.Once
	url  string
	err  error
}

// startCluster runs scripts/testpg start in a directory of its own and leaves a watcher behind
// that runs scripts/testpg stop once this process has exited, so no cluster outlives its tests.
func startCluster() (string, error) {
	script, err := testpgScript()
	if err != nil {
		return "", err
	}
	if !havePostgresBinaries() {
		return "", fmt.Errorf("%s is not set and PostgreSQL 15's server binaries (initdb, pg_ctl) are not installed: "+
			"install them (Debian: apt-get install postgresql-15), or point %s at a server", PostgresURLEnv, PostgresURLEnv)
	}
	dir, err := os.MkdirTemp("", "gatehouse-testpg-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command(script, "start")
	cmd.Env = append(os.Environ(), "GATEHOUSE_TESTPG_DIR="+dir)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/testpg start: %v: %s", err, exitStderr(err))
	}
	_, url, ok := strings.Cut(strings.TrimSpace(string(out)), PostgresURLEnv+"=")
	if !ok {
		return "", fmt.Errorf("scripts/testpg start printed %q", out)
	}
	watcher := exec.Command("sh", "-c", `while kill -0 "$1" 2>/dev/null; do sleep 1; done; GATEHOUSE_TESTPG_DIR="$2" "$3" stop`,
		"watch", strconv.Itoa(os.Getpid()), dir, script)
	// Its own process group, and no pipes to this process: go test must not wait for it.
	watcher.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := watcher.Start(); err != nil {
		return "", fmt.Errorf("start the cluster's watcher: %w", err)
	}
	_ = watcher.Process.Release()
	return url, nil
}

func exitStderr(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return strings.TrimSpace(string(exit.Stderr))
	}
	return ""
}

// testpgScript finds scripts/testpg in the module root above the test's working directory.
func testpgScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "testpg"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/testpg not found: no go.mod above the working directory")
		}
		dir = parent
	}
}

func havePostgresBinaries() bool {
	for _, name := range []string{"initdb", "pg_ctl"} {
		if _, err := os.Stat("/usr/lib/postgresql/15/bin/" + name); err == nil {
			continue
		}
		if _, err := exec.LookPath(name); err != nil {
			return false
		}
	}
	return true
}
