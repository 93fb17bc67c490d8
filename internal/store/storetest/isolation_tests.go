package storetest

import (
	"encoding/json"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testTenantIsolation(t *testing.T, open fx.Open) {
	// seeded is tenant A's data; every check below runs from tenant B.
	type seeded struct {
		*fixture
		app   model.Application
		res   model.Resource
		scope model.Scope
		role  model.Role
	}
	seed := func(t *testing.T) seeded {
		f := newFixture(t, open)
		s := seeded{fixture: f}
		s.app = f.NewApp(f.A, "Shared name", func(a *model.Application) { a.ID = "same-app-id" })
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: s.app.ID, Name: "Default secret", Value: "secret-a", CreatedAt: f.Tick()}), "Create secret")
		s.res = model.Resource{ID: "same-res-id", Name: "API", Indicator: "https://api.example.com", AccessTokenTTL: 3600}
		fx.MustOK(t, f.A.Resources().Create(f.Ctx, s.res), "Create resource")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, s.res.ID, true), "SetDefault")
		s.scope = model.Scope{ID: "same-scope-id", ResourceID: s.res.ID, Name: "read", CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Scopes().Create(f.Ctx, s.scope), "Create scope")
		s.role = model.Role{ID: "same-role-id", Name: "reader", Type: model.RoleMachineToMachine}
		fx.MustOK(t, f.A.Roles().Create(f.Ctx, s.role), "Create role")
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, s.role.ID, []string{s.scope.ID}), "AddScopes")
		fx.MustOK(t, f.A.Roles().AddApplications(f.Ctx, s.role.ID, []string{s.app.ID}), "AddApplications")
		fx.MustOK(t, f.A.Configs().Put(f.Ctx, "k", json.RawMessage(`{"tenant":"a"}`)), "Put config")
		return s
	}
	// unchanged checks tenant A's data is exactly as seeded.
	unchanged := func(t *testing.T, s seeded) {
		t.Helper()
		a := s.A
		app, err := a.Applications().Get(s.Ctx, s.app.ID)
		fx.MustOK(t, err, "A's application")
		fx.WantSameApp(t, app, s.app, "A's application")
		secrets, err := a.Secrets().List(s.Ctx, s.app.ID)
		fx.MustOK(t, err, "A's secrets")
		fx.WantEqual(t, len(secrets), 1, "A's secret count")
		fx.WantEqual(t, secrets[0].Name, "Default secret", "A's secret name")
		res, err := a.Resources().Get(s.Ctx, s.res.ID)
		fx.MustOK(t, err, "A's resource")
		fx.WantEqual(t, []any{res.Name, res.Indicator, res.IsDefault}, []any{"API", "https://api.example.com", true}, "A's resource")
		scope, err := a.Scopes().Get(s.Ctx, s.scope.ID)
		fx.MustOK(t, err, "A's scope")
		fx.WantEqual(t, scope.Name, "read", "A's scope name")
		role, err := a.Roles().Get(s.Ctx, s.role.ID)
		fx.MustOK(t, err, "A's role")
		fx.WantEqual(t, role.Name, "reader", "A's role name")
		names, err := a.Roles().ApplicationScopeNames(s.Ctx, s.app.ID, s.res.ID)
		fx.MustOK(t, err, "A's scope names")
		fx.WantEqual(t, names, []string{"read"}, "A's scope names")
		cfg, err := a.Configs().Get(s.Ctx, "k")
		fx.MustOK(t, err, "A's config")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, cfg)), `{"tenant":"a"}`, "A's config")
	}

	t.Run("rows of another tenant are invisible", func(t *testing.T) {
		s := seed(t)
		b := s.B
		_, err := b.Applications().Get(s.Ctx, s.app.ID)
		fx.WantNotFound(t, err, "Applications.Get")
		_, err = b.Resources().Get(s.Ctx, s.res.ID)
		fx.WantNotFound(t, err, "Resources.Get")
		_, err = b.Resources().GetByIndicator(s.Ctx, s.res.Indicator)
		fx.WantNotFound(t, err, "Resources.GetByIndicator")
		_, err = b.Scopes().Get(s.Ctx, s.scope.ID)
		fx.WantNotFound(t, err, "Scopes.Get")
		_, err = b.Roles().Get(s.Ctx, s.role.ID)
		fx.WantNotFound(t, err, "Roles.Get")
		_, err = b.Roles().GetByName(s.Ctx, s.role.Name)
		fx.WantNotFound(t, err, "Roles.GetByName")
		_, err = b.Configs().Get(s.Ctx, "k")
		fx.WantNotFound(t, err, "Configs.Get")
		_, _, err = b.Roles().Scopes(s.Ctx, s.role.ID, store.ScopeFilter{}, store.Page{})
		fx.WantNotFound(t, err, "Roles.Scopes")
		_, _, err = b.Roles().Applications(s.Ctx, s.role.ID, store.Page{})
		fx.WantNotFound(t, err, "Roles.Applications")
		_, _, err = b.Roles().OfApplication(s.Ctx, s.app.ID, store.Page{})
		fx.WantNotFound(t, err, "Roles.OfApplication")

		scopes, err := b.Scopes().GetMany(s.Ctx, []string{s.scope.ID})
		fx.MustOK(t, err, "Scopes.GetMany")
		fx.WantEqual(t, len(scopes), 0, "Scopes.GetMany")
		secrets, err := b.Secrets().List(s.Ctx, s.app.ID)
		fx.MustOK(t, err, "Secrets.List")
		fx.WantEqual(t, len(secrets), 0, "Secrets.List")
		names, err := b.Roles().ApplicationScopeNames(s.Ctx, s.app.ID, s.res.ID)
		fx.MustOK(t, err, "ApplicationScopeNames")
		fx.WantEqual(t, names, []string{}, "ApplicationScopeNames")

		_, n, err := b.Applications().List(s.Ctx, store.ApplicationFilter{}, store.Page{})
		fx.MustOK(t, err, "Applications.List")
		fx.WantEqual(t, n, 0, "Applications.List total")
		_, n, err = b.Resources().List(s.Ctx, store.Page{})
		fx.MustOK(t, err, "Resources.List")
		fx.WantEqual(t, n, 0, "Resources.List total")
		_, n, err = b.Scopes().List(s.Ctx, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes.List")
		fx.WantEqual(t, n, 0, "Scopes.List total")
		_, n, err = b.Roles().List(s.Ctx, store.RoleFilter{IDs: []string{s.role.ID}}, store.Page{})
		fx.MustOK(t, err, "Roles.List")
		fx.WantEqual(t, n, 0, "Roles.List total")
	})

	t.Run("rows of another tenant cannot be changed", func(t *testing.T) {
		s := seed(t)
		b, ctx := s.B, s.Ctx
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"Applications.Update", b.Applications().Update(ctx, model.Application{ID: s.app.ID, Name: "hijacked"})},
			{"Applications.Delete", b.Applications().Delete(ctx, s.app.ID)},
			{"Secrets.Create for A's application", b.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: s.app.ID, Name: "mine", Value: "v", CreatedAt: 1})},
			{"Secrets.Rename", b.Secrets().Rename(ctx, s.app.ID, "Default secret", "x")},
			{"Secrets.Delete", b.Secrets().Delete(ctx, s.app.ID, "Default secret")},
			{"Resources.Update", b.Resources().Update(ctx, model.Resource{ID: s.res.ID, Name: "x", Indicator: "https://x"})},
			{"Resources.SetDefault", b.Resources().SetDefault(ctx, s.res.ID, false)},
			{"Resources.Delete", b.Resources().Delete(ctx, s.res.ID)},
			{"Scopes.Create on A's resource", b.Scopes().Create(ctx, model.Scope{ID: "b-scope", ResourceID: s.res.ID, Name: "steal", CreatedAt: 1})},
			{"Scopes.Update", b.Scopes().Update(ctx, model.Scope{ID: s.scope.ID, Name: "x"})},
			{"Scopes.Delete", b.Scopes().Delete(ctx, s.scope.ID)},
			{"Roles.Update", b.Roles().Update(ctx, model.Role{ID: s.role.ID, Name: "x"})},
			{"Roles.Delete", b.Roles().Delete(ctx, s.role.ID)},
			{"Roles.AddScopes to A's role", b.Roles().AddScopes(ctx, s.role.ID, []string{s.scope.ID})},
			{"Roles.RemoveScope", b.Roles().RemoveScope(ctx, s.role.ID, s.scope.ID)},
			{"Roles.AddApplications to A's role", b.Roles().AddApplications(ctx, s.role.ID, []string{s.app.ID})},
			{"Roles.RemoveApplication", b.Roles().RemoveApplication(ctx, s.role.ID, s.app.ID)},
		} {
			fx.WantNotFound(t, tc.err, tc.name)
		}
		// B's own role cannot link A's scope or application either.
		own := s.NewRole(b, "own", model.RoleMachineToMachine)
		fx.WantNotFound(t, b.Roles().AddScopes(ctx, own.ID, []string{s.scope.ID}), "AddScopes of A's scope")
		fx.WantNotFound(t, b.Roles().AddApplications(ctx, own.ID, []string{s.app.ID}), "AddApplications of A's application")
		unchanged(t, s)
	})

	t.Run("the same ids, names and indicators are allowed in both tenants", func(t *testing.T) {
		s := seed(t)
		b, ctx := s.B, s.Ctx
		app := s.app
		app.TenantID, app.Name = fx.TenantB, "B's app"
		fx.MustOK(t, b.Applications().Create(ctx, app), "same application id")
		fx.MustOK(t, b.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "secret-b", CreatedAt: 1}), "same secret name")
		fx.MustOK(t, b.Resources().Create(ctx, s.res), "same resource id and indicator")
		fx.MustOK(t, b.Resources().SetDefault(ctx, s.res.ID, true), "a default resource in each tenant")
		fx.MustOK(t, b.Scopes().Create(ctx, s.scope), "same scope id and name")
		fx.MustOK(t, b.Roles().Create(ctx, s.role), "same role id and name")
		fx.MustOK(t, b.Roles().AddScopes(ctx, s.role.ID, []string{s.scope.ID}), "same role-scope link")
		fx.MustOK(t, b.Roles().AddApplications(ctx, s.role.ID, []string{app.ID}), "same application-role link")
		fx.MustOK(t, b.Configs().Put(ctx, "k", json.RawMessage(`{"tenant":"b"}`)), "same config key")

		got, err := b.Applications().Get(ctx, app.ID)
		fx.MustOK(t, err, "B's application")
		fx.WantEqual(t, []string{got.TenantID, got.Name}, []string{fx.TenantB, "B's app"}, "B's application")
		secrets, err := b.Secrets().List(ctx, app.ID)
		fx.MustOK(t, err, "B's secrets")
		fx.WantEqual(t, secrets[0].Value, "secret-b", "B's secret")
		cfg, err := b.Configs().Get(ctx, "k")
		fx.MustOK(t, err, "B's config")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, cfg)), `{"tenant":"b"}`, "B's config")

		// Deleting B's copies leaves A's alone.
		fx.MustOK(t, b.Applications().Delete(ctx, app.ID), "delete B's application")
		fx.MustOK(t, b.Resources().Delete(ctx, s.res.ID), "delete B's resource")
		fx.MustOK(t, b.Roles().Delete(ctx, s.role.ID), "delete B's role")
		unchanged(t, s)
	})
}
