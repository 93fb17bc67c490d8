package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// runCLI runs the command line on dbURL with stdin, returning the exit code and both outputs. It
// builds the root command as Main does, because Main reads no standard input from its Env.
func runCLI(t *testing.T, dbURL, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Context: context.Background(),
		Lookup: func(k string) (string, bool) {
			if k == "DB_URL" {
				return dbURL, true
			}
			return "", false
		}}
	root := newRoot(&env)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	code := exitOK
	if err := root.ExecuteContext(env.Context); err != nil {
		errOut.WriteString("gatehouse: " + err.Error() + "\n")
		code = exitFailed
		var uErr usageError
		if errors.As(err, &uErr) {
			code = exitUsage
		}
	}
	return code, out.String(), errOut.String()
}

func TestUserCreate(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db")
	if code, _, errOut := runCLI(t, dbURL, "", "user", "create", "--username", "admin"); code != exitFailed ||
		!strings.Contains(errOut, "gatehouse db seed") {
		t.Fatalf("user create on an unseeded database: exit %d, %q; want 1 and advice to seed", code, errOut)
	}
	if code, _, errOut := runCLI(t, dbURL, "", "db", "seed"); code != exitOK {
		t.Fatalf("db seed: exit %d: %s", code, errOut)
	}

	code, out, errOut := runCLI(t, dbURL, "s3cret pass\n", "user", "create", "--username", "admin",
		"--email", "Admin@Example.com", "--name", "Admin", "--password-stdin")
	if code != exitOK {
		t.Fatalf("user create: exit %d: %s", code, errOut)
	}
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || len(created.ID) != 12 {
		t.Fatalf("output %q is not {\"id\": <12-char id>}", out)
	}

	// The CLI sealed the database with the master.key it generated beside it.
	key, err := secretbox.ReadKeyFile(filepath.Join(filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:")), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), dbURL, sqlstore.Options{MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.Tenant(model.DefaultTenantID).Users().Get(context.Background(), created.ID)
	if err != nil {
		t.Fatalf("created user not in the store: %v", err)
	}
	if *u.Username != "admin" || *u.PrimaryEmail != "admin@example.com" || *u.Name != "Admin" {
		t.Errorf("stored user = %s %s %s", *u.Username, *u.PrimaryEmail, *u.Name)
	}
	ok, _, err := password.New(password.Options{}).Verify(context.Background(), "s3cret pass", *u.PasswordEncrypted, *u.PasswordEncryptionMethod)
	if !ok || err != nil || *u.PasswordEncryptionMethod != model.PasswordArgon2id {
		t.Errorf("stored password (%s) does not verify the stdin password: %v %v", *u.PasswordEncryptionMethod, ok, err)
	}

	code, out, _ = runCLI(t, dbURL, "", "user", "create", "--email", "second@example.com", "--password", "Second-pass-1", "--tenant-id", "default")
	if code != exitOK || !strings.HasPrefix(out, `{"id":"`) {
		t.Errorf("user create --email --password: exit %d, %q", code, out)
	}

	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"username in use", "", []string{"--username", "admin"}, exitFailed, "user.username_already_in_use"},
		{"bad username", "", []string{"--username", "9lives"}, exitFailed, "guard.invalid_input"},
		{"no identifier", "", []string{"--name", "x"}, exitUsage, "--username or --email is required"},
		{"both password flags", "pw\n", []string{"--username", "u2", "--password", "pw", "--password-stdin"}, exitUsage, "cannot be used together"},
		{"empty stdin", "", []string{"--username", "u3", "--password-stdin"}, exitUsage, "holds no password"},
		{"password too short for the policy", "abc\n", []string{"--username", "u4", "--password-stdin"}, exitUsage, "too_short (min 8)"},
		{"empty --password", "", []string{"--username", "u4", "--password="}, exitUsage, "must not be empty"},
		{"unknown tenant", "", []string{"--username", "u5", "--tenant-id", "nope"}, exitFailed, `tenant "nope" does not exist`},
	} {
		code, _, errOut := runCLI(t, dbURL, tc.stdin, append([]string{"user", "create"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: exit %d, %q; want %d and %q", tc.name, code, errOut, tc.code, tc.stderr)
		}
	}

	code, out, _ = runCLI(t, dbURL, "", "user", "create", "--help")
	if code != exitOK || !strings.Contains(out, "--password-stdin") || !strings.Contains(out, "argon2id") {
		t.Errorf("user create --help: exit %d, %q", code, out)
	}
}

func TestReadPassword(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		fails          bool
	}{
		{"line feed", "pw\n", "pw", false},
		{"CRLF", "pw\r\n", "pw", false},
		{"no line ending", "pw", "pw", false},
		{"first line only", "first\nsecond\n", "first", false},
		{"spaces are kept", " p w \n", " p w ", false},
		{"empty", "", "", true},
		{"empty line", "\n", "", true},
		{"too long", strings.Repeat("x", maxStdinPassword+1), "", true},
	} {
		got, err := readPassword(strings.NewReader(tc.in))
		if (err != nil) != tc.fails || got != tc.want {
			t.Errorf("%s: readPassword = %q, %v; want %q (fails %v)", tc.name, got, err, tc.want, tc.fails)
		}
	}
}
