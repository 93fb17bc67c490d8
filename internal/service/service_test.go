package service

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// testEnv is a Service over a fresh SQLite database with both tenants seeded.
type testEnv struct {
	svc *Service
	st  store.Store
	clk *clock.Fake
	ctx context.Context
}

func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	env := newEnvNoSeed(t, opts)
	if seeded, err := env.svc.Seed(env.ctx, seed.SeedOptions{}); err != nil || !seeded {
		t.Fatalf("Seed = %v, %v; want true, nil", seeded, err)
	}
	return env
}

func newEnvNoSeed(t *testing.T, opts Options) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	fresh := store.NewFreshness(st, clk, time.Second)
	svc := New(st, fresh, clk, nil, opts)
	return &testEnv{svc: svc, st: st, clk: clk, ctx: ctx}
}

// wantCode fails unless err is an *apperr.Error with the given status and code.
func wantCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("err = %v; want %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("err = %d %s (%s); want %d %s", e.Status, e.Code, e.Message, status, code)
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSeedCreatesLogtoData(t *testing.T) {
	env := newEnv(t, Options{})
	ctx := env.ctx

	// Default tenant: the Management API with its fixed ids and the M2M access role holding `all`.
	def := env.st.Tenant(model.DefaultTenantID)
	mapi, err := def.Resources().Get(ctx, "management-api")
	mustNoErr(t, err)
	if mapi.Indicator != "https://default.logto.app/api" || mapi.Name != "Logto Management API" {
		t.Errorf("management api = %+v", mapi)
	}
	all, err := def.Scopes().Get(ctx, "management-api-all")
	mustNoErr(t, err)
	if all.Name != "all" || all.ResourceID != "management-api" {
		t.Errorf("scope = %+v", all)
	}
	role, err := def.Roles().GetByName(ctx, model.ManagementAPIAccessRoleName)
	mustNoErr(t, err)
	if role.Type != model.RoleMachineToMachine || role.Description != "This default role grants access to the Logto management API." {
		t.Errorf("access role = %+v", role)
	}
	scopes, _, err := def.Roles().Scopes(ctx, role.ID, model.ScopeFilter{}, model.Page{})
	mustNoErr(t, err)
	if len(scopes) != 1 || scopes[0].ID != "management-api-all" {
		t.Errorf("access role scopes = %+v", scopes)
	}

	// Admin tenant: three resources and Logto's roles.
	adm := env.st.Tenant(model.AdminTenantID)
	for _, ind := range []string{"https://default.logto.app/api", "https://admin.logto.app/api", "https://admin.logto.app/me"} {
		if _, err := adm.Resources().GetByIndicator(ctx, ind); err != nil {
			t.Errorf("admin resource %s: %v", ind, err)
		}
	}
	for name, typ := range map[string]model.RoleType{
		"machine:mapi:default": model.RoleMachineToMachine, "machine:mapi:admin": model.RoleMachineToMachine,
		"default:admin": model.RoleUser, "user": model.RoleUser,
	} {
		r, err := adm.Roles().GetByName(ctx, name)
		if err != nil {
			t.Errorf("admin role %s: %v", name, err)
			continue
		}
		if r.Type != typ {
			t.Errorf("admin role %s type %s; want %s", name, r.Type, typ)
		}
	}
	if r, _ := adm.Roles().GetByName(ctx, "machine:mapi:admin"); r.ID != "m-admin" {
		t.Errorf("machine:mapi:admin id = %q; want m-admin", r.ID)
	}

	// Both tenants have one EC signing key (Current) and a cookie key.
	for _, tenant := range []string{model.DefaultTenantID, model.AdminTenantID} {
		keys, err := env.svc.ListKeys(ctx, tenant, keyring.KeyTypePrivateKeys)
		mustNoErr(t, err)
		if len(keys) != 1 || keys[0].Status != model.KeyCurrent || keys[0].SigningKeyAlgorithm != "EC" {
			t.Errorf("%s private keys = %+v", tenant, keys)
		}
		cookies, err := env.svc.ListKeys(ctx, tenant, keyring.KeyTypeCookieKeys)
		mustNoErr(t, err)
		if len(cookies) != 1 || cookies[0].Status != "" || cookies[0].SigningKeyAlgorithm != "" {
			t.Errorf("%s cookie keys = %+v", tenant, cookies)
		}
	}

	// A second seed skips or refuses.
	seeded, err := env.svc.Seed(ctx, seed.SeedOptions{SkipWhenExists: true})
	if err != nil || seeded {
		t.Errorf("Seed(swe) again = %v, %v; want false, nil", seeded, err)
	}
	if _, err := env.svc.Seed(ctx, seed.SeedOptions{}); !errors.Is(err, seed.ErrAlreadySeeded) {
		t.Errorf("Seed again = %v; want seed.ErrAlreadySeeded", err)
	}
}
