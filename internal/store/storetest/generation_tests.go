package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testGeneration(t *testing.T, open fx.Open) {
	t.Run("every kind of write bumps its tenant's generation only", func(t *testing.T) {
		f := newFixture(t, open)
		a, ctx := f.A, f.Ctx
		app := model.Application{ID: "gen-app", Name: "App", Type: model.AppMachineToMachine, CreatedAt: f.Tick()}
		res := model.Resource{ID: "gen-res", Name: "API", Indicator: "https://gen", AccessTokenTTL: 3600}
		scope := model.Scope{ID: "gen-scope", ResourceID: res.ID, Name: "read", CreatedAt: f.Tick()}
		role := model.Role{ID: "gen-role", Name: "role", Type: model.RoleMachineToMachine}
		steps := []struct {
			name  string
			write func() error
		}{
			{"Applications.Create", func() error { return a.Applications().Create(ctx, app) }},
			{"Applications.Update", func() error { app.Name = "Renamed"; return a.Applications().Update(ctx, app) }},
			{"Secrets.Create", func() error {
				return a.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "s", Value: "v", CreatedAt: 1})
			}},
			{"Secrets.Rename", func() error { return a.Secrets().Rename(ctx, app.ID, "s", "s2") }},
			{"Secrets.Delete", func() error { return a.Secrets().Delete(ctx, app.ID, "s2") }},
			{"Resources.Create", func() error { return a.Resources().Create(ctx, res) }},
			{"Resources.Update", func() error { res.Name = "Renamed"; return a.Resources().Update(ctx, res) }},
			{"Resources.SetDefault", func() error { return a.Resources().SetDefault(ctx, res.ID, true) }},
			{"Scopes.Create", func() error { return a.Scopes().Create(ctx, scope) }},
			{"Scopes.Update", func() error { scope.Name = "write"; return a.Scopes().Update(ctx, scope) }},
			{"Roles.Create", func() error { return a.Roles().Create(ctx, role) }},
			{"Roles.Update", func() error { role.Description = "changed"; return a.Roles().Update(ctx, role) }},
			{"Roles.AddScopes", func() error { return a.Roles().AddScopes(ctx, role.ID, []string{scope.ID}) }},
			{"Roles.RemoveScope", func() error { return a.Roles().RemoveScope(ctx, role.ID, scope.ID) }},
			{"Roles.AddApplications", func() error { return a.Roles().AddApplications(ctx, role.ID, []string{app.ID}) }},
			{"Roles.RemoveApplication", func() error { return a.Roles().RemoveApplication(ctx, role.ID, app.ID) }},
			{"Configs.Put", func() error { return a.Configs().Put(ctx, "k", json.RawMessage(`{}`)) }},
			{"Configs.Put again", func() error { return a.Configs().Put(ctx, "k", json.RawMessage(`{"v":2}`)) }},
			{"Scopes.Delete", func() error { return a.Scopes().Delete(ctx, scope.ID) }},
			{"Roles.Delete", func() error { return a.Roles().Delete(ctx, role.ID) }},
			{"Resources.Delete", func() error { return a.Resources().Delete(ctx, res.ID) }},
			{"Applications.Delete", func() error { return a.Applications().Delete(ctx, app.ID) }},
		}
		genB := f.Generation(fx.TenantB)
		for _, step := range steps {
			before := f.Generation(fx.TenantA)
			fx.MustOK(t, step.write(), step.name)
			if after := f.Generation(fx.TenantA); after <= before {
				t.Errorf("%s: generation %d -> %d, want it to grow", step.name, before, after)
			}
		}
		if got := f.Generation(fx.TenantB); got != genB {
			t.Errorf("tenant B's generation moved %d -> %d on tenant A's writes", genB, got)
		}
	})

	t.Run("reads and refused writes do not bump", func(t *testing.T) {
		f := newFixture(t, open)
		a, ctx := f.A, f.Ctx
		app := f.NewApp(a, "App")
		res := f.NewResource(a, "https://api")
		scope := f.NewScope(a, res.ID, "read")
		role := f.NewRole(a, "role", model.RoleMachineToMachine)
		fx.MustOK(t, a.Roles().AddScopes(ctx, role.ID, []string{scope.ID}), "AddScopes")
		fx.MustOK(t, a.Configs().Put(ctx, "k", json.RawMessage(`{}`)), "Put")
		before := f.Generation(fx.TenantA)

		// ignore checks a read succeeded and forgets its result.
		ignore := func(results ...any) {
			t.Helper()
			if err, _ := results[len(results)-1].(error); err != nil {
				t.Fatalf("read failed: %v", err)
			}
		}
		ignore(a.Applications().Get(ctx, app.ID))
		ignore(a.Applications().List(ctx, store.ApplicationFilter{Search: "x"}, store.Page{Limit: 1}))
		ignore(a.Secrets().List(ctx, app.ID))
		ignore(a.Resources().Get(ctx, res.ID))
		ignore(a.Resources().GetByIndicator(ctx, res.Indicator))
		ignore(a.Resources().List(ctx, store.Page{}))
		ignore(a.Scopes().Get(ctx, scope.ID))
		ignore(a.Scopes().GetMany(ctx, []string{scope.ID}))
		ignore(a.Scopes().List(ctx, store.ScopeFilter{}, store.Page{}))
		ignore(a.Roles().Get(ctx, role.ID))
		ignore(a.Roles().GetByName(ctx, role.Name))
		ignore(a.Roles().List(ctx, store.RoleFilter{}, store.Page{}))
		ignore(a.Roles().Scopes(ctx, role.ID, store.ScopeFilter{}, store.Page{}))
		ignore(a.Roles().Applications(ctx, role.ID, store.Page{}))
		ignore(a.Roles().OfApplication(ctx, app.ID, store.Page{}))
		ignore(a.Roles().ApplicationScopeNames(ctx, app.ID, res.ID))
		ignore(a.Configs().Get(ctx, "k"))
		ignore(f.St.Tenants(ctx))
		if after := f.Generation(fx.TenantA); after != before {
			t.Fatalf("reads moved the generation %d -> %d", before, after)
		}

		for _, tc := range []struct {
			name string
			err  error
		}{
			{"conflicting create", a.Roles().Create(ctx, model.Role{ID: "other", Name: role.Name, Type: model.RoleUser})},
			{"update of a missing row", a.Scopes().Update(ctx, model.Scope{ID: "missing", Name: "x"})},
			{"delete of a missing row", a.Applications().Delete(ctx, "missing")},
			{"invalid input", a.Roles().Create(ctx, model.Role{ID: "r", Name: "", Type: model.RoleUser})},
			{"add of a missing scope", a.Roles().AddScopes(ctx, role.ID, []string{"missing"})},
		} {
			if tc.err == nil {
				t.Fatalf("%s succeeded", tc.name)
			}
			if after := f.Generation(fx.TenantA); after != before {
				t.Fatalf("%s moved the generation %d -> %d", tc.name, before, after)
			}
		}
	})

	t.Run("transactions bump on commit only", func(t *testing.T) {
		f := newFixture(t, open)
		before := f.Generation(fx.TenantA)
		errStop := errors.New("stop")
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			fx.MustOK(t, tx.Roles().Create(f.Ctx, model.Role{ID: "r1", Name: "one", Type: model.RoleUser}), "Create in tx")
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("InTx error = %v, want errStop", err)
		}
		if after := f.Generation(fx.TenantA); after != before {
			t.Fatalf("rolled back transaction moved the generation %d -> %d", before, after)
		}
		err = f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			for _, r := range []model.Role{{ID: "r1", Name: "one", Type: model.RoleUser}, {ID: "r2", Name: "two", Type: model.RoleUser}} {
				if err := tx.Roles().Create(context.WithoutCancel(f.Ctx), r); err != nil {
					return err
				}
			}
			return nil
		})
		fx.MustOK(t, err, "InTx")
		if after := f.Generation(fx.TenantA); after <= before {
			t.Fatalf("committed transaction left the generation at %d (was %d)", after, before)
		}
	})
}
