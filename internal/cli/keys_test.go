package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// runWithEnv runs the command line as Main does, with env as the whole environment.
func runWithEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, Env{Stdout: &out, Stderr: &errOut, Context: context.Background(),
		Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	return code, out.String(), errOut.String()
}

func TestGenerateMaster(t *testing.T) {
	seen := map[string]bool{}
	for range 2 {
		code, out, errOut := runWithEnv(t, nil, "keys", "generate-master")
		if code != exitOK {
			t.Fatalf("generate-master: exit %d: %s", code, errOut)
		}
		if _, err := secretbox.ParseMasterKey(out); err != nil || seen[out] {
			t.Fatalf("generate-master printed %q (%v); want a new valid key each time", out, err)
		}
		seen[out] = true
	}
}

// listSecret opens the SQLite database with key and returns the value of appID's first secret.
func listSecret(t *testing.T, dbURL string, key *secretbox.MasterKey, appID string) (string, error) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dbURL, sqlstore.Options{MasterKey: key})
	if err != nil {
		return "", err
	}
	defer st.Close()
	secrets, err := st.Tenant(model.DefaultTenantID).Secrets().List(context.Background(), appID)
	if err != nil || len(secrets) == 0 {
		t.Fatalf("list secrets: %v %v", secrets, err)
	}
	return secrets[0].Value, nil
}

func createApp(t *testing.T, env map[string]string) (id, secret string) {
	t.Helper()
	code, out, errOut := runWithEnv(t, env, "app", "create", "--type", "MachineToMachine", "--name", "worker")
	var created struct{ ID, Secret string }
	if code != exitOK || json.Unmarshal([]byte(out), &created) != nil {
		t.Fatalf("app create: exit %d %q %s", code, out, errOut)
	}
	return created.ID, created.Secret
}

// The SQLite default: master.key is generated and announced once, and rotate-master can write
// the new key into it.
func TestRotateMasterWritesTheDefaultKeyFile(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "gh.db")
	keyPath := filepath.Join(dir, "master.key")
	env := map[string]string{"DB_URL": dbURL}
	code, _, errOut := runWithEnv(t, env, "db", "seed")
	if code != exitOK || strings.Count(errOut, "generated a master key in "+keyPath) != 1 || !strings.Contains(errOut, "Back it up") {
		t.Fatalf("first db seed: exit %d, stderr %q; want one notice naming %s", code, errOut, keyPath)
	}
	id, secret := createApp(t, env)
	if _, _, errOut := runWithEnv(t, env, "app", "create", "--type", "SPA", "--name", "x"); strings.Contains(errOut, "generated") {
		t.Fatalf("the notice came again on a later command: %q", errOut)
	}
	old, err := secretbox.ReadKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	if code, _, errOut := runWithEnv(t, env, "keys", "rotate-master"); code != exitUsage || !strings.Contains(errOut, newMasterKeyEnv) {
		t.Fatalf("rotate-master without a new key: exit %d %q; want 2 naming %s", code, errOut, newMasterKeyEnv)
	}
	next := secretbox.GenerateMasterKey()
	env[newMasterKeyEnv] = next.Encode()
	code, out, errOut := runWithEnv(t, env, "keys", "rotate-master", "--write-key-file")
	if code != exitOK || !strings.Contains(out, "Rewrapped 1 data key") || !strings.Contains(out, "Wrote the new master key to "+keyPath) {
		t.Fatalf("rotate-master --write-key-file: exit %d\n%s%s", code, out, errOut)
	}
	if k, err := secretbox.ReadKeyFile(keyPath); err != nil || !k.Equal(next) {
		t.Fatalf("master.key after the rotation: %v; want the new key", err)
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Errorf("master.key mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := os.Stat(keyPath + ".new"); !os.IsNotExist(err) {
		t.Errorf("staged key file left behind: %v", err)
	}
	if got, err := listSecret(t, dbURL, next, id); err != nil || got != secret {
		t.Fatalf("secret with the new key = %q, %v", got, err)
	}
	if _, err := listSecret(t, dbURL, old, id); err == nil {
		t.Fatal("the old master key still opens the database")
	}
}

func TestRotateMasterWithKeysInTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	first, second := secretbox.GenerateMasterKey(), secretbox.GenerateMasterKey()
	env := map[string]string{"DB_URL": "sqlite:" + filepath.Join(dir, "gh.db"), "GATEHOUSE_MASTER_KEY": first.Encode()}
	if code, _, errOut := runWithEnv(t, env, "db", "seed"); code != exitOK || strings.Contains(errOut, "generated") {
		t.Fatalf("db seed: exit %d %q", code, errOut)
	}
	id, secret := createApp(t, env)
	if _, err := os.Stat(filepath.Join(dir, "master.key")); !os.IsNotExist(err) {
		t.Fatalf("a master.key was generated although GATEHOUSE_MASTER_KEY is set: %v", err)
	}
	newKeyFile := filepath.Join(dir, "new.key")
	if err := os.WriteFile(newKeyFile, []byte(second.Encode()), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runWithEnv(t, env, "keys", "rotate-master", "--new-key-file", newKeyFile, "--write-key-file"); code != exitUsage || !strings.Contains(errOut, "not from a file") {
		t.Fatalf("--write-key-file with GATEHOUSE_MASTER_KEY: exit %d %q; want 2", code, errOut)
	}
	code, out, errOut := runWithEnv(t, env, "keys", "rotate-master", "--new-key-file", newKeyFile, "--new-data-key")
	if code != exitOK || !strings.Contains(out, "re-sealed") || !strings.Contains(out, "Set GATEHOUSE_MASTER_KEY to the new key") {
		t.Fatalf("rotate-master --new-data-key: exit %d\n%s%s", code, out, errOut)
	}
	// The old key is refused with one clear line; the new one works.
	code, _, errOut = runWithEnv(t, env, "db", "config", "get", "oidc.cookieKeys")
	if code != exitUsage || !strings.Contains(errOut, "GATEHOUSE_MASTER_KEY: the master key from GATEHOUSE_MASTER_KEY does not match") ||
		strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("old key after the rotation: exit %d %q; want 2 and one line", code, errOut)
	}
	if got, err := listSecret(t, env["DB_URL"], second, id); err != nil || got != secret {
		t.Fatalf("secret with the new key = %q, %v", got, err)
	}
}
