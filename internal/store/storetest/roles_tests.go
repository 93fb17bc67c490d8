package storetest

import (
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testRoles(t *testing.T, open fx.Open) {
	t.Run("round trip, get by id and name", func(t *testing.T) {
		f := newFixture(t, open)
		for _, want := range []model.Role{
			{TenantID: fx.TenantA, ID: "role-1", Name: "Logto Management API access", Description: "M2M access", Type: model.RoleMachineToMachine},
			{TenantID: fx.TenantA, ID: "role-2", Name: "Member", Description: "", Type: model.RoleUser, IsDefault: true},
		} {
			fx.MustOK(t, f.A.Roles().Create(f.Ctx, want), "Create "+want.Name)
			got, err := f.A.Roles().Get(f.Ctx, want.ID)
			fx.MustOK(t, err, "Get "+want.Name)
			fx.WantEqual(t, got, want, "Get "+want.Name)
			got, err = f.A.Roles().GetByName(f.Ctx, want.Name)
			fx.MustOK(t, err, "GetByName "+want.Name)
			fx.WantEqual(t, got, want, "GetByName "+want.Name)
		}
		_, err := f.A.Roles().Get(f.Ctx, "missing")
		fx.WantNotFound(t, err, "Get missing")
		_, err = f.A.Roles().GetByName(f.Ctx, "member")
		fx.WantNotFound(t, err, "GetByName is exact")
	})

	t.Run("conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewRole(f.A, "admin", model.RoleUser)
		fx.WantConflict(t, f.A.Roles().Create(f.Ctx, model.Role{ID: "other", Name: "admin", Type: model.RoleMachineToMachine}), store.UniqueRoleName, "same name")
		fx.WantConflict(t, f.A.Roles().Create(f.Ctx, model.Role{ID: r.ID, Name: "other", Type: model.RoleUser}), store.UniqueRoleID, "same id")
		second := f.NewRole(f.A, "viewer", model.RoleUser)
		second.Name = "admin"
		fx.WantConflict(t, f.A.Roles().Update(f.Ctx, second), store.UniqueRoleName, "Update onto an existing name")
	})

	t.Run("update keeps the type", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewRole(f.A, "before", model.RoleMachineToMachine)
		changed := model.Role{ID: r.ID, Name: "after", Description: "new", Type: model.RoleUser, IsDefault: true}
		fx.MustOK(t, f.A.Roles().Update(f.Ctx, changed), "Update")
		got, err := f.A.Roles().Get(f.Ctx, r.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got, model.Role{TenantID: fx.TenantA, ID: r.ID, Name: "after", Description: "new", Type: model.RoleMachineToMachine, IsDefault: true}, "Get after Update")
		_, err = f.A.Roles().GetByName(f.Ctx, "before")
		fx.WantNotFound(t, err, "old name")
		fx.WantNotFound(t, f.A.Roles().Update(f.Ctx, model.Role{ID: "missing", Name: "x"}), "Update missing")
	})

	t.Run("delete cascades to links", func(t *testing.T) {
		f := newFixture(t, open)
		res := f.NewResource(f.A, "https://api")
		s := f.NewScope(f.A, res.ID, "read")
		app := f.NewApp(f.A, "Worker")
		r := f.NewRole(f.A, "doomed", model.RoleMachineToMachine)
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, r.ID, []string{s.ID}), "AddScopes")
		fx.MustOK(t, f.A.Roles().AddApplications(f.Ctx, r.ID, []string{app.ID}), "AddApplications")

		fx.MustOK(t, f.A.Roles().Delete(f.Ctx, r.ID), "Delete")
		_, err := f.A.Roles().Get(f.Ctx, r.ID)
		fx.WantNotFound(t, err, "Get deleted")
		fx.WantNotFound(t, f.A.Roles().Delete(f.Ctx, r.ID), "Delete twice")
		held, total, err := f.A.Roles().OfApplication(f.Ctx, app.ID, store.Page{})
		fx.MustOK(t, err, "OfApplication")
		fx.WantEqual(t, total, 0, "roles of the application after delete")
		fx.WantEqual(t, len(held), 0, "roles listed after delete")
		names, err := f.A.Roles().ApplicationScopeNames(f.Ctx, app.ID, res.ID)
		fx.MustOK(t, err, "ApplicationScopeNames")
		fx.WantEqual(t, names, []string{}, "scope names after delete")
		// The scope itself stays.
		_, err = f.A.Scopes().Get(f.Ctx, s.ID)
		fx.MustOK(t, err, "scope survives its role")
	})

	t.Run("list: filters, search, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		admin := f.NewRole(f.A, "Admin", model.RoleUser)
		viewer := f.NewRole(f.A, "viewer_ro", model.RoleUser)
		m2m := f.NewRole(f.A, "M2M sync", model.RoleMachineToMachine)
		ops := f.NewRole(f.A, "ops 100%", model.RoleMachineToMachine)
		app := f.NewApp(f.A, "Worker")
		fx.MustOK(t, f.A.Roles().AddApplications(f.Ctx, m2m.ID, []string{app.ID}), "AddApplications")

		for _, tc := range []struct {
			name   string
			filter store.RoleFilter
			page   store.Page
			want   []string
			total  int
		}{
			{"all in creation order", store.RoleFilter{}, store.Page{}, []string{"Admin", "viewer_ro", "M2M sync", "ops 100%"}, 4},
			{"user roles", store.RoleFilter{Type: model.RoleUser}, store.Page{}, []string{"Admin", "viewer_ro"}, 2},
			{"m2m roles", store.RoleFilter{Type: model.RoleMachineToMachine}, store.Page{}, []string{"M2M sync", "ops 100%"}, 2},
			{"search, other case", store.RoleFilter{Search: "m2m S"}, store.Page{}, []string{"M2M sync"}, 1},
			{"search description", store.RoleFilter{Search: "ROLE ADMIN"}, store.Page{}, []string{"Admin"}, 1},
			{"search id", store.RoleFilter{Search: strings.ToUpper(viewer.ID)}, store.Page{}, []string{"viewer_ro"}, 1},
			{"search literal percent", store.RoleFilter{Search: "0%"}, store.Page{}, []string{"ops 100%"}, 1},
			{"search literal underscore", store.RoleFilter{Search: "r_r"}, store.Page{}, []string{"viewer_ro"}, 1},
			{"underscore is not a wildcard", store.RoleFilter{Search: "m_n"}, store.Page{}, []string{}, 0},
			{"exclude an application's roles", store.RoleFilter{Type: model.RoleMachineToMachine, ExcludeApplicationID: app.ID}, store.Page{}, []string{"ops 100%"}, 1},
			{"only ids", store.RoleFilter{IDs: []string{ops.ID, admin.ID, "missing"}}, store.Page{}, []string{"Admin", "ops 100%"}, 2},
			{"empty id list matches none", store.RoleFilter{IDs: []string{}}, store.Page{}, []string{}, 0},
			{"page", store.RoleFilter{}, store.Page{Limit: 2, Offset: 1}, []string{"viewer_ro", "M2M sync"}, 4},
			{"filtered page", store.RoleFilter{Type: model.RoleUser}, store.Page{Limit: 1, Offset: 1}, []string{"viewer_ro"}, 2},
		} {
			got, total, err := f.A.Roles().List(f.Ctx, tc.filter, tc.page)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, fx.RoleNames(got), tc.want, tc.name)
			fx.WantEqual(t, total, tc.total, tc.name+": total")
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		for _, tc := range []struct {
			name string
			role model.Role
		}{
			{"unknown type", model.Role{ID: "r", Name: "n", Type: "Robot"}},
			{"empty type", model.Role{ID: "r", Name: "n"}},
			{"empty name", model.Role{ID: "r", Name: "", Type: model.RoleUser}},
			{"name longer than 128", model.Role{ID: "r", Name: strings.Repeat("n", 129), Type: model.RoleUser}},
			{"description longer than 128", model.Role{ID: "r", Name: "n", Description: strings.Repeat("d", 129), Type: model.RoleUser}},
			{"empty id", model.Role{ID: "", Name: "n", Type: model.RoleUser}},
		} {
			fx.WantInvalid(t, f.A.Roles().Create(f.Ctx, tc.role), tc.name)
		}
		_, total, err := f.A.Roles().List(f.Ctx, store.RoleFilter{}, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, total, 0, "roles after refused creates")

		r := f.NewRole(f.A, "ok", model.RoleUser)
		fx.WantInvalid(t, f.A.Roles().Update(f.Ctx, model.Role{ID: r.ID, Name: ""}), "Update to empty name")
		got, err := f.A.Roles().Get(f.Ctx, r.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got, r, "role after refused update")
	})
}

func testRoleLinks(t *testing.T, open fx.Open) {
	// world is a resource with scopes, two M2M roles and applications.
	type world struct {
		*fixture
		api, other           model.Resource
		read, write, archive model.Scope
		otherScope           model.Scope
		reader, writer       model.Role
		app1, app2           model.Application
	}
	build := func(t *testing.T) world {
		f := newFixture(t, open)
		w := world{fixture: f}
		w.api = f.NewResource(f.A, "https://api")
		w.other = f.NewResource(f.A, "https://other")
		w.read = f.NewScope(f.A, w.api.ID, "read")
		w.write = f.NewScope(f.A, w.api.ID, "write")
		w.archive = f.NewScope(f.A, w.api.ID, "archive")
		w.otherScope = f.NewScope(f.A, w.other.ID, "read")
		w.reader = f.NewRole(f.A, "reader", model.RoleMachineToMachine)
		w.writer = f.NewRole(f.A, "writer", model.RoleMachineToMachine)
		w.app1 = f.NewApp(f.A, "App one")
		w.app2 = f.NewApp(f.A, "App two")
		return w
	}

	t.Run("role scopes: add, list, remove", func(t *testing.T) {
		w := build(t)
		fx.MustOK(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.archive.ID, w.read.ID, w.otherScope.ID}), "AddScopes")
		fx.MustOK(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, nil), "AddScopes of none")

		got, total, err := w.A.Roles().Scopes(w.Ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes")
		fx.WantEqual(t, got, []model.Scope{w.read, w.archive, w.otherScope}, "Scopes (creation order of the scopes)")
		fx.WantEqual(t, total, 3, "total")

		got, total, err = w.A.Roles().Scopes(w.Ctx, w.reader.ID, store.ScopeFilter{ResourceID: w.api.ID}, store.Page{Limit: 1, Offset: 1})
		fx.MustOK(t, err, "Scopes filtered and paged")
		fx.WantEqual(t, fx.ScopeNames(got), []string{"archive"}, "filtered page")
		fx.WantEqual(t, total, 2, "filtered total")
		got, total, err = w.A.Roles().Scopes(w.Ctx, w.reader.ID, store.ScopeFilter{Search: "ARCH"}, store.Page{})
		fx.MustOK(t, err, "Scopes searched")
		fx.WantEqual(t, fx.ScopeNames(got), []string{"archive"}, "searched")
		fx.WantEqual(t, total, 1, "searched total")

		fx.MustOK(t, w.A.Roles().RemoveScope(w.Ctx, w.reader.ID, w.read.ID), "RemoveScope")
		fx.WantNotFound(t, w.A.Roles().RemoveScope(w.Ctx, w.reader.ID, w.read.ID), "RemoveScope twice")
		fx.WantNotFound(t, w.A.Roles().RemoveScope(w.Ctx, w.writer.ID, w.archive.ID), "RemoveScope never linked")
		got, _, err = w.A.Roles().Scopes(w.Ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes")
		fx.WantEqual(t, fx.ScopeNames(got), []string{"archive", "read"}, "after RemoveScope")

		_, _, err = w.A.Roles().Scopes(w.Ctx, "missing", store.ScopeFilter{}, store.Page{})
		fx.WantNotFound(t, err, "Scopes of a missing role")
		none, total, err := w.A.Roles().Scopes(w.Ctx, w.writer.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes of a role without scopes")
		if none == nil || len(none) != 0 || total != 0 {
			t.Fatalf("Scopes of a role without scopes = %#v, %d; want empty non-nil, 0", none, total)
		}
	})

	t.Run("role scopes: a failed add links none", func(t *testing.T) {
		w := build(t)
		fx.MustOK(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.read.ID}), "AddScopes")
		fx.WantConflict(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.write.ID, w.read.ID}), store.UniqueRoleScope, "AddScopes with a linked scope")
		fx.WantConflict(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.archive.ID, w.archive.ID}), store.UniqueRoleScope, "AddScopes with a scope twice")
		fx.WantNotFound(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.write.ID, "missing"}), "AddScopes with a missing scope")
		fx.WantNotFound(t, w.A.Roles().AddScopes(w.Ctx, "missing", []string{w.write.ID}), "AddScopes to a missing role")
		got, _, err := w.A.Roles().Scopes(w.Ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes")
		fx.WantEqual(t, fx.ScopeNames(got), []string{"read"}, "scopes after failed adds")
	})

	t.Run("role applications: add, list, remove", func(t *testing.T) {
		w := build(t)
		fx.MustOK(t, w.A.Roles().AddApplications(w.Ctx, w.reader.ID, []string{w.app1.ID, w.app2.ID}), "AddApplications")
		fx.MustOK(t, w.A.Roles().AddApplications(w.Ctx, w.writer.ID, []string{w.app1.ID}), "AddApplications writer")
		fx.MustOK(t, w.A.Roles().AddApplications(w.Ctx, w.writer.ID, []string{}), "AddApplications of none")

		apps, total, err := w.A.Roles().Applications(w.Ctx, w.reader.ID, store.Page{})
		fx.MustOK(t, err, "Applications")
		fx.WantEqual(t, fx.AppIDs(apps), []string{w.app2.ID, w.app1.ID}, "Applications, newest first")
		fx.WantEqual(t, total, 2, "total")
		fx.WantSameApp(t, apps[1], w.app1, "listed application")
		apps, total, err = w.A.Roles().Applications(w.Ctx, w.reader.ID, store.Page{Limit: 1, Offset: 1})
		fx.MustOK(t, err, "Applications paged")
		fx.WantEqual(t, fx.AppIDs(apps), []string{w.app1.ID}, "paged")
		fx.WantEqual(t, total, 2, "paged total")

		held, total, err := w.A.Roles().OfApplication(w.Ctx, w.app1.ID, store.Page{})
		fx.MustOK(t, err, "OfApplication")
		fx.WantEqual(t, held, []model.Role{w.reader, w.writer}, "OfApplication, creation order")
		fx.WantEqual(t, total, 2, "OfApplication total")
		held, total, err = w.A.Roles().OfApplication(w.Ctx, w.app1.ID, store.Page{Limit: 1})
		fx.MustOK(t, err, "OfApplication paged")
		fx.WantEqual(t, fx.RoleNames(held), []string{"reader"}, "OfApplication paged")
		fx.WantEqual(t, total, 2, "OfApplication paged total")

		fx.WantConflict(t, w.A.Roles().AddApplications(w.Ctx, w.writer.ID, []string{w.app2.ID, w.app1.ID}), store.UniqueApplicationRole, "AddApplications with a holder")
		held, _, err = w.A.Roles().OfApplication(w.Ctx, w.app2.ID, store.Page{})
		fx.MustOK(t, err, "OfApplication")
		fx.WantEqual(t, fx.RoleNames(held), []string{"reader"}, "a failed add links none")
		fx.WantNotFound(t, w.A.Roles().AddApplications(w.Ctx, w.writer.ID, []string{"missing"}), "AddApplications with a missing application")

		fx.MustOK(t, w.A.Roles().RemoveApplication(w.Ctx, w.reader.ID, w.app1.ID), "RemoveApplication")
		fx.WantNotFound(t, w.A.Roles().RemoveApplication(w.Ctx, w.reader.ID, w.app1.ID), "RemoveApplication twice")
		apps, _, err = w.A.Roles().Applications(w.Ctx, w.reader.ID, store.Page{})
		fx.MustOK(t, err, "Applications")
		fx.WantEqual(t, fx.AppIDs(apps), []string{w.app2.ID}, "after RemoveApplication")

		_, _, err = w.A.Roles().Applications(w.Ctx, "missing", store.Page{})
		fx.WantNotFound(t, err, "Applications of a missing role")
		_, _, err = w.A.Roles().OfApplication(w.Ctx, "missing", store.Page{})
		fx.WantNotFound(t, err, "OfApplication of a missing application")

		fx.MustOK(t, w.A.Applications().Delete(w.Ctx, w.app2.ID), "delete application")
		apps, total, err = w.A.Roles().Applications(w.Ctx, w.reader.ID, store.Page{})
		fx.MustOK(t, err, "Applications")
		fx.WantEqual(t, total, 0, "holders after the application's delete")
		fx.WantEqual(t, len(apps), 0, "holders listed after the application's delete")
	})

	t.Run("application scope names", func(t *testing.T) {
		w := build(t)
		// reader: read + archive; writer: write + read (shared) + a scope of another resource.
		fx.MustOK(t, w.A.Roles().AddScopes(w.Ctx, w.reader.ID, []string{w.read.ID, w.archive.ID}), "AddScopes reader")
		fx.MustOK(t, w.A.Roles().AddScopes(w.Ctx, w.writer.ID, []string{w.write.ID, w.read.ID, w.otherScope.ID}), "AddScopes writer")
		fx.MustOK(t, w.A.Roles().AddApplications(w.Ctx, w.reader.ID, []string{w.app1.ID, w.app2.ID}), "AddApplications reader")
		fx.MustOK(t, w.A.Roles().AddApplications(w.Ctx, w.writer.ID, []string{w.app1.ID}), "AddApplications writer")

		for _, tc := range []struct {
			name       string
			app, resID string
			want       []string
		}{
			{"two roles, distinct and sorted", w.app1.ID, w.api.ID, []string{"archive", "read", "write"}},
			{"one role", w.app2.ID, w.api.ID, []string{"archive", "read"}},
			{"another resource", w.app1.ID, w.other.ID, []string{"read"}},
			{"resource the roles do not cover", w.app2.ID, w.other.ID, []string{}},
			{"unknown application", "missing", w.api.ID, []string{}},
			{"unknown resource", w.app1.ID, "missing", []string{}},
		} {
			got, err := w.A.Roles().ApplicationScopeNames(w.Ctx, tc.app, tc.resID)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, got, tc.want, tc.name)
		}
	})
}
