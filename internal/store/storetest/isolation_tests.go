package storetest

import (
	"encoding/json"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testTenantIsolation(t *testing.T, open func(t *testing.T) store.Store) {
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
		s.app = f.newApp(f.a, "Shared name", func(a *model.Application) { a.ID = "same-app-id" })
		mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: s.app.ID, Name: "Default secret", Value: "secret-a", CreatedAt: f.tick()}), "Create secret")
		s.res = model.Resource{ID: "same-res-id", Name: "API", Indicator: "https://api.example.com", AccessTokenTTL: 3600}
		mustOK(t, f.a.Resources().Create(f.ctx, s.res), "Create resource")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, s.res.ID, true), "SetDefault")
		s.scope = model.Scope{ID: "same-scope-id", ResourceID: s.res.ID, Name: "read", CreatedAt: f.tick()}
		mustOK(t, f.a.Scopes().Create(f.ctx, s.scope), "Create scope")
		s.role = model.Role{ID: "same-role-id", Name: "reader", Type: model.RoleMachineToMachine}
		mustOK(t, f.a.Roles().Create(f.ctx, s.role), "Create role")
		mustOK(t, f.a.Roles().AddScopes(f.ctx, s.role.ID, []string{s.scope.ID}), "AddScopes")
		mustOK(t, f.a.Roles().AddApplications(f.ctx, s.role.ID, []string{s.app.ID}), "AddApplications")
		mustOK(t, f.a.Configs().Put(f.ctx, "k", json.RawMessage(`{"tenant":"a"}`)), "Put config")
		return s
	}
	// unchanged checks tenant A's data is exactly as seeded.
	unchanged := func(t *testing.T, s seeded) {
		t.Helper()
		a := s.a
		app, err := a.Applications().Get(s.ctx, s.app.ID)
		mustOK(t, err, "A's application")
		wantSameApp(t, app, s.app, "A's application")
		secrets, err := a.Secrets().List(s.ctx, s.app.ID)
		mustOK(t, err, "A's secrets")
		wantEqual(t, len(secrets), 1, "A's secret count")
		wantEqual(t, secrets[0].Name, "Default secret", "A's secret name")
		res, err := a.Resources().Get(s.ctx, s.res.ID)
		mustOK(t, err, "A's resource")
		wantEqual(t, []any{res.Name, res.Indicator, res.IsDefault}, []any{"API", "https://api.example.com", true}, "A's resource")
		scope, err := a.Scopes().Get(s.ctx, s.scope.ID)
		mustOK(t, err, "A's scope")
		wantEqual(t, scope.Name, "read", "A's scope name")
		role, err := a.Roles().Get(s.ctx, s.role.ID)
		mustOK(t, err, "A's role")
		wantEqual(t, role.Name, "reader", "A's role name")
		names, err := a.Roles().ApplicationScopeNames(s.ctx, s.app.ID, s.res.ID)
		mustOK(t, err, "A's scope names")
		wantEqual(t, names, []string{"read"}, "A's scope names")
		cfg, err := a.Configs().Get(s.ctx, "k")
		mustOK(t, err, "A's config")
		wantEqual(t, string(canonicalJSON(t, cfg)), `{"tenant":"a"}`, "A's config")
	}

	t.Run("rows of another tenant are invisible", func(t *testing.T) {
		s := seed(t)
		b := s.b
		_, err := b.Applications().Get(s.ctx, s.app.ID)
		wantNotFound(t, err, "Applications.Get")
		_, err = b.Resources().Get(s.ctx, s.res.ID)
		wantNotFound(t, err, "Resources.Get")
		_, err = b.Resources().GetByIndicator(s.ctx, s.res.Indicator)
		wantNotFound(t, err, "Resources.GetByIndicator")
		_, err = b.Scopes().Get(s.ctx, s.scope.ID)
		wantNotFound(t, err, "Scopes.Get")
		_, err = b.Roles().Get(s.ctx, s.role.ID)
		wantNotFound(t, err, "Roles.Get")
		_, err = b.Roles().GetByName(s.ctx, s.role.Name)
		wantNotFound(t, err, "Roles.GetByName")
		_, err = b.Configs().Get(s.ctx, "k")
		wantNotFound(t, err, "Configs.Get")
		_, _, err = b.Roles().Scopes(s.ctx, s.role.ID, store.ScopeFilter{}, store.Page{})
		wantNotFound(t, err, "Roles.Scopes")
		_, _, err = b.Roles().Applications(s.ctx, s.role.ID, store.Page{})
		wantNotFound(t, err, "Roles.Applications")
		_, _, err = b.Roles().OfApplication(s.ctx, s.app.ID, store.Page{})
		wantNotFound(t, err, "Roles.OfApplication")

		scopes, err := b.Scopes().GetMany(s.ctx, []string{s.scope.ID})
		mustOK(t, err, "Scopes.GetMany")
		wantEqual(t, len(scopes), 0, "Scopes.GetMany")
		secrets, err := b.Secrets().List(s.ctx, s.app.ID)
		mustOK(t, err, "Secrets.List")
		wantEqual(t, len(secrets), 0, "Secrets.List")
		names, err := b.Roles().ApplicationScopeNames(s.ctx, s.app.ID, s.res.ID)
		mustOK(t, err, "ApplicationScopeNames")
		wantEqual(t, names, []string{}, "ApplicationScopeNames")

		_, n, err := b.Applications().List(s.ctx, store.ApplicationFilter{}, store.Page{})
		mustOK(t, err, "Applications.List")
		wantEqual(t, n, 0, "Applications.List total")
		_, n, err = b.Resources().List(s.ctx, store.Page{})
		mustOK(t, err, "Resources.List")
		wantEqual(t, n, 0, "Resources.List total")
		_, n, err = b.Scopes().List(s.ctx, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes.List")
		wantEqual(t, n, 0, "Scopes.List total")
		_, n, err = b.Roles().List(s.ctx, store.RoleFilter{IDs: []string{s.role.ID}}, store.Page{})
		mustOK(t, err, "Roles.List")
		wantEqual(t, n, 0, "Roles.List total")
	})

	t.Run("rows of another tenant cannot be changed", func(t *testing.T) {
		s := seed(t)
		b, ctx := s.b, s.ctx
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
			wantNotFound(t, tc.err, tc.name)
		}
		// B's own role cannot link A's scope or application either.
		own := s.newRole(b, "own", model.RoleMachineToMachine)
		wantNotFound(t, b.Roles().AddScopes(ctx, own.ID, []string{s.scope.ID}), "AddScopes of A's scope")
		wantNotFound(t, b.Roles().AddApplications(ctx, own.ID, []string{s.app.ID}), "AddApplications of A's application")
		unchanged(t, s)
	})

	t.Run("the same ids, names and indicators are allowed in both tenants", func(t *testing.T) {
		s := seed(t)
		b, ctx := s.b, s.ctx
		app := s.app
		app.TenantID, app.Name = tenantB, "B's app"
		mustOK(t, b.Applications().Create(ctx, app), "same application id")
		mustOK(t, b.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "secret-b", CreatedAt: 1}), "same secret name")
		mustOK(t, b.Resources().Create(ctx, s.res), "same resource id and indicator")
		mustOK(t, b.Resources().SetDefault(ctx, s.res.ID, true), "a default resource in each tenant")
		mustOK(t, b.Scopes().Create(ctx, s.scope), "same scope id and name")
		mustOK(t, b.Roles().Create(ctx, s.role), "same role id and name")
		mustOK(t, b.Roles().AddScopes(ctx, s.role.ID, []string{s.scope.ID}), "same role-scope link")
		mustOK(t, b.Roles().AddApplications(ctx, s.role.ID, []string{app.ID}), "same application-role link")
		mustOK(t, b.Configs().Put(ctx, "k", json.RawMessage(`{"tenant":"b"}`)), "same config key")

		got, err := b.Applications().Get(ctx, app.ID)
		mustOK(t, err, "B's application")
		wantEqual(t, []string{got.TenantID, got.Name}, []string{tenantB, "B's app"}, "B's application")
		secrets, err := b.Secrets().List(ctx, app.ID)
		mustOK(t, err, "B's secrets")
		wantEqual(t, secrets[0].Value, "secret-b", "B's secret")
		cfg, err := b.Configs().Get(ctx, "k")
		mustOK(t, err, "B's config")
		wantEqual(t, string(canonicalJSON(t, cfg)), `{"tenant":"b"}`, "B's config")

		// Deleting B's copies leaves A's alone.
		mustOK(t, b.Applications().Delete(ctx, app.ID), "delete B's application")
		mustOK(t, b.Resources().Delete(ctx, s.res.ID), "delete B's resource")
		mustOK(t, b.Roles().Delete(ctx, s.role.ID), "delete B's role")
		unchanged(t, s)
	})
}
