package service

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// countingHasher is a transparent stand-in for package password that counts decoy verifications.
type countingHasher struct{ decoys atomic.Int32 }

func (h *countingHasher) Hash(_ context.Context, plain string) (string, string, error) {
	return "plain:" + plain, model.PasswordArgon2id, nil
}

func (h *countingHasher) Verify(_ context.Context, plain, encrypted, _ string) (bool, bool, error) {
	return encrypted == "plain:"+plain, false, nil
}

func (h *countingHasher) Decoy(context.Context, string) { h.decoys.Add(1) }

func ptrTo[T any](v T) *T { return &v }

func TestFindUserByIdentifier(t *testing.T) {
	env := newEnv(t, Options{Passwords: &countingHasher{}})
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{
		Username: ptrTo("Alice"), PrimaryEmail: ptrTo("Alice@Example.com"), PrimaryPhone: ptrTo("8613800000000"),
	})
	mustNoErr(t, err)
	if *u.PrimaryEmail != "alice@example.com" {
		t.Errorf("stored email = %q; want it lower-cased", *u.PrimaryEmail)
	}
	for _, tc := range []struct{ kind, value string }{
		{model.IdentifierUsername, "Alice"},
		{model.IdentifierEmail, "ALICE@example.COM"},
		{model.IdentifierPhone, "8613800000000"},
		{model.IdentifierPhone, "+86 138-0000-0000"},
		{model.IdentifierPhone, "+86 (138) 0000 0000"},
	} {
		got, err := env.svc.FindUserByIdentifier(env.ctx, model.DefaultTenantID, tc.kind, tc.value)
		if err != nil || got.ID != u.ID {
			t.Errorf("FindUserByIdentifier(%s, %q) = %q, %v; want %s", tc.kind, tc.value, got.ID, err, u.ID)
		}
	}
	for _, tc := range []struct{ kind, value string }{
		{model.IdentifierUsername, "alice"}, // usernames are case-sensitive by default (Logto's defaultUsernamePolicy)
		{model.IdentifierUsername, "Alice\x00"},
		{model.IdentifierEmail, "alice@example"},
		{model.IdentifierPhone, "13800000000"},
		{model.IdentifierPhone, "86138000000001"},
	} {
		_, err := env.svc.FindUserByIdentifier(env.ctx, model.DefaultTenantID, tc.kind, tc.value)
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("FindUserByIdentifier(%s, %q) err = %v; want model.ErrNotFound", tc.kind, tc.value, err)
		}
	}
	_, err = env.svc.FindUserByIdentifier(env.ctx, model.DefaultTenantID, "github", "x")
	wantCode(t, err, http.StatusBadRequest, "request.invalid_input")
	_, err = env.svc.FindUserByIdentifier(env.ctx, model.AdminTenantID, model.IdentifierUsername, "Alice")
	if !errors.Is(err, model.ErrNotFound) {
		t.Errorf("user found in the admin tenant: %v", err)
	}
}

func TestVerifyUserPassword(t *testing.T) {
	h := &countingHasher{}
	env := newEnv(t, Options{Passwords: h})
	withPassword, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("bob"), Password: "pw"})
	mustNoErr(t, err)
	without, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("carl")})
	mustNoErr(t, err)

	for _, tc := range []struct {
		name   string
		user   model.User
		plain  string
		ok     bool
		decoys int32
	}{
		{"right password", withPassword, "pw", true, 0},
		{"wrong password", withPassword, "nope", false, 0},
		{"no password: a decoy is spent", without, "pw", false, 1},
	} {
		before := h.decoys.Load()
		ok, err := env.svc.VerifyUserPassword(env.ctx, model.DefaultTenantID, tc.user, tc.plain)
		if err != nil || ok != tc.ok {
			t.Errorf("%s: VerifyUserPassword = %v, %v; want %v", tc.name, ok, err, tc.ok)
		}
		if got := h.decoys.Load() - before; got != tc.decoys {
			t.Errorf("%s: %d decoys; want %d", tc.name, got, tc.decoys)
		}
	}
	wantCode(t, env.svc.CheckUserPassword(env.ctx, model.DefaultTenantID, without.ID, "pw"),
		http.StatusUnprocessableEntity, "session.invalid_credentials")
	wantCode(t, env.svc.CheckUserPassword(env.ctx, model.DefaultTenantID, "missing", "pw"),
		http.StatusNotFound, "entity.not_found")
}

func TestVerifyUserPasswordWithTheRealHasher(t *testing.T) {
	env := newEnv(t, Options{Passwords: password.New(password.Options{})})
	userRows := env.st.Tenant(model.DefaultTenantID).Users()
	// A digest that cannot be verified (stored by an older import) refuses the password without a 500.
	broken := model.User{ID: "brokendigest", Username: ptrTo("broken"), PasswordEncrypted: ptrTo("not-hex"),
		PasswordEncryptionMethod: ptrTo(model.PasswordMD5), CreatedAt: 1, UpdatedAt: 1}
	mustNoErr(t, userRows.Create(env.ctx, broken))
	ok, err := env.svc.VerifyUserPassword(env.ctx, model.DefaultTenantID, broken, "password")
	if ok || err != nil {
		t.Errorf("VerifyUserPassword(broken digest) = %v, %v; want false, nil", ok, err)
	}

	// SHA1 of "password" as Logto imports it: verified, then stored as argon2id.
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("dora"),
		PasswordDigest: "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", PasswordAlgorithm: model.PasswordSHA1})
	mustNoErr(t, err)
	env.clk.Advance(time.Hour)
	ok, err = env.svc.VerifyUserPassword(env.ctx, model.DefaultTenantID, u, "password")
	if !ok || err != nil {
		t.Fatalf("VerifyUserPassword(SHA1) = %v, %v; want true", ok, err)
	}
	after, err := userRows.Get(env.ctx, u.ID)
	mustNoErr(t, err)
	if *after.PasswordEncryptionMethod != model.PasswordArgon2id || !strings.HasPrefix(*after.PasswordEncrypted, "$argon2id$") {
		t.Errorf("after sign-in: %s %s; want argon2id", *after.PasswordEncryptionMethod, *after.PasswordEncrypted)
	}
	if after.UpdatedAt != u.UpdatedAt+time.Hour.Milliseconds() || *after.PasswordUpdatedAt != *u.PasswordUpdatedAt {
		t.Errorf("updatedAt %d, passwordUpdatedAt %d; want updatedAt moved by an hour and passwordUpdatedAt %d",
			after.UpdatedAt, *after.PasswordUpdatedAt, *u.PasswordUpdatedAt)
	}
	ok, err = env.svc.VerifyUserPassword(env.ctx, model.DefaultTenantID, after, "password")
	if !ok || err != nil {
		t.Errorf("VerifyUserPassword(rehashed) = %v, %v; want true", ok, err)
	}
}

func TestUsersWithoutAHasher(t *testing.T) {
	env := newEnv(t, Options{})
	_, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("erin"), Password: "pw"})
	if err == nil {
		t.Fatal("CreateUser with a password succeeded without a hasher")
	}
	if _, isRule := apperr.As(err); isRule {
		t.Errorf("missing hasher answered as a rule violation: %v", err)
	}
	_, err = env.svc.FindUserByIdentifier(env.ctx, model.DefaultTenantID, model.IdentifierUsername, "erin")
	if !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a user was created anyway: %v", err)
	}
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("erin")})
	mustNoErr(t, err)
	if _, err := env.svc.VerifyUserPassword(env.ctx, model.DefaultTenantID, u, "pw"); err == nil {
		t.Error("VerifyUserPassword without a hasher returned no error")
	}
}

func TestSignInRolesAndScopes(t *testing.T) {
	env := newEnv(t, Options{Passwords: &countingHasher{}})
	ctx, tenant := env.ctx, model.DefaultTenantID
	res, err := env.svc.CreateResource(ctx, tenant, access.ResourceInput{Name: "Orders", Indicator: "https://orders.example.com"})
	mustNoErr(t, err)
	read, err := env.svc.CreateScope(ctx, tenant, res.ID, "read", nil)
	mustNoErr(t, err)
	write, err := env.svc.CreateScope(ctx, tenant, res.ID, "write", nil)
	mustNoErr(t, err)
	_, err = env.svc.CreateRole(ctx, tenant, access.RoleInput{Name: "member", Description: "m", IsDefault: true, ScopeIDs: []string{read.ID}})
	mustNoErr(t, err)
	editor, err := env.svc.CreateRole(ctx, tenant, access.RoleInput{Name: "editor", Description: "e", ScopeIDs: []string{read.ID, write.ID}})
	mustNoErr(t, err)

	u, err := env.svc.CreateUser(ctx, tenant, users.CreateUserInput{Username: ptrTo("gus")})
	mustNoErr(t, err)
	names, err := env.svc.UserRoleNames(ctx, tenant, u.ID)
	mustNoErr(t, err)
	if strings.Join(names, ",") != "member" {
		t.Errorf("roles of a new user = %v; want the default role", names)
	}
	scopes, err := env.svc.UserScopeNames(ctx, tenant, u.ID, res.ID)
	mustNoErr(t, err)
	if strings.Join(scopes, ",") != "read" {
		t.Errorf("scopes = %v; want read", scopes)
	}
	_, err = env.svc.AssignUserRoles(ctx, tenant, u.ID, []string{editor.ID})
	mustNoErr(t, err)
	names, _ = env.svc.UserRoleNames(ctx, tenant, u.ID)
	scopes, _ = env.svc.UserScopeNames(ctx, tenant, u.ID, res.ID)
	if strings.Join(names, ",") != "editor,member" || strings.Join(scopes, ",") != "read,write" {
		t.Errorf("after assigning editor: roles %v, scopes %v", names, scopes)
	}

	env.clk.Advance(time.Minute)
	mustNoErr(t, env.svc.RecordSignIn(ctx, tenant, u.ID))
	got, err := env.svc.GetUser(ctx, tenant, u.ID)
	mustNoErr(t, err)
	if got.LastSignInAt == nil || *got.LastSignInAt != env.clk.Now().UnixMilli() {
		t.Errorf("lastSignInAt = %v; want %d", got.LastSignInAt, env.clk.Now().UnixMilli())
	}
	wantCode(t, env.svc.RecordSignIn(ctx, tenant, "missing"), http.StatusNotFound, "entity.not_found")
}

// Concurrent registrations of one username and email: exactly one wins, the others get Logto's
// 422, never a 500. On PostgreSQL the transactions overlap, so some pass the pre-check and are
// stopped by the unique indexes; both paths must answer alike.
func TestConcurrentCreateSameIdentifiers(t *testing.T) {
	for _, dialect := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gh.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDatabase(t) }},
	} {
		t.Run(dialect.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := sqlstore.Open(ctx, dialect.url(t), sqlstore.Options{Migrate: true, PoolSize: 8})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			clk := clock.System{}
			svc := New(st, store.NewFreshness(st, clk, time.Second), clk, nil, Options{Passwords: &countingHasher{}})
			if _, err := svc.Seed(ctx, seed.SeedOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				in   func(i int) users.CreateUserInput
				code string
			}{
				{"username", func(int) users.CreateUserInput { return users.CreateUserInput{Username: ptrTo("race"), Password: "pw"} },
					"user.username_already_in_use"},
				{"email in any case", func(i int) users.CreateUserInput {
					return users.CreateUserInput{PrimaryEmail: ptrTo([]string{"Race@Example.com", "race@example.COM"}[i%2])}
				}, "user.email_already_in_use"},
			} {
				const n = 8
				var (
					wg   sync.WaitGroup
					wins atomic.Int32
					errs = make(chan error, n)
				)
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := svc.CreateUser(ctx, model.DefaultTenantID, tc.in(i)); err != nil {
							errs <- err
							return
						}
						wins.Add(1)
					}()
				}
				wg.Wait()
				close(errs)
				if wins.Load() != 1 {
					t.Fatalf("%s: %d creations succeeded; want exactly 1", tc.name, wins.Load())
				}
				for err := range errs {
					wantCode(t, err, http.StatusUnprocessableEntity, tc.code)
				}
			}
		})
	}
}
