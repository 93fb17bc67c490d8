package storetest

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testRoles(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("round trip, get by id and name", func(t *testing.T) {
		f := newFixture(t, open)
		for _, want := range []model.Role{
			{TenantID: tenantA, ID: "role-1", Name: "Logto Management API access", Description: "M2M access", Type: model.RoleMachineToMachine},
			{TenantID: tenantA, ID: "role-2", Name: "Member", Description: "", Type: model.RoleUser, IsDefault: true},
		} {
			mustOK(t, f.a.Roles().Create(f.ctx, want), "Create "+want.Name)
			got, err := f.a.Roles().Get(f.ctx, want.ID)
			mustOK(t, err, "Get "+want.Name)
			wantEqual(t, got, want, "Get "+want.Name)
			got, err = f.a.Roles().GetByName(f.ctx, want.Name)
			mustOK(t, err, "GetByName "+want.Name)
			wantEqual(t, got, want, "GetByName "+want.Name)
		}
		_, err := f.a.Roles().Get(f.ctx, "missing")
		wantNotFound(t, err, "Get missing")
		_, err = f.a.Roles().GetByName(f.ctx, "member")
		wantNotFound(t, err, "GetByName is exact")
	})

	t.Run("conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newRole(f.a, "admin", model.RoleUser)
		wantConflict(t, f.a.Roles().Create(f.ctx, model.Role{ID: "other", Name: "admin", Type: model.RoleMachineToMachine}), store.UniqueRoleName, "same name")
		wantConflict(t, f.a.Roles().Create(f.ctx, model.Role{ID: r.ID, Name: "other", Type: model.RoleUser}), store.UniqueRoleID, "same id")
		second := f.newRole(f.a, "viewer", model.RoleUser)
		second.Name = "admin"
		wantConflict(t, f.a.Roles().Update(f.ctx, second), store.UniqueRoleName, "Update onto an existing name")
	})

	t.Run("update keeps the type", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newRole(f.a, "before", model.RoleMachineToMachine)
		changed := model.Role{ID: r.ID, Name: "after", Description: "new", Type: model.RoleUser, IsDefault: true}
		mustOK(t, f.a.Roles().Update(f.ctx, changed), "Update")
		got, err := f.a.Roles().Get(f.ctx, r.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got, model.Role{TenantID: tenantA, ID: r.ID, Name: "after", Description: "new", Type: model.RoleMachineToMachine, IsDefault: true}, "Get after Update")
		_, err = f.a.Roles().GetByName(f.ctx, "before")
		wantNotFound(t, err, "old name")
		wantNotFound(t, f.a.Roles().Update(f.ctx, model.Role{ID: "missing", Name: "x"}), "Update missing")
	})

	t.Run("delete cascades to links", func(t *testing.T) {
		f := newFixture(t, open)
		res := f.newResource(f.a, "https://api")
		s := f.newScope(f.a, res.ID, "read")
		app := f.newApp(f.a, "Worker")
		r := f.newRole(f.a, "doomed", model.RoleMachineToMachine)
		mustOK(t, f.a.Roles().AddScopes(f.ctx, r.ID, []string{s.ID}), "AddScopes")
		mustOK(t, f.a.Roles().AddApplications(f.ctx, r.ID, []string{app.ID}), "AddApplications")

		mustOK(t, f.a.Roles().Delete(f.ctx, r.ID), "Delete")
		_, err := f.a.Roles().Get(f.ctx, r.ID)
		wantNotFound(t, err, "Get deleted")
		wantNotFound(t, f.a.Roles().Delete(f.ctx, r.ID), "Delete twice")
		held, total, err := f.a.Roles().OfApplication(f.ctx, app.ID, store.Page{})
		mustOK(t, err, "OfApplication")
		wantEqual(t, total, 0, "roles of the application after delete")
		wantEqual(t, len(held), 0, "roles listed after delete")
		names, err := f.a.Roles().ApplicationScopeNames(f.ctx, app.ID, res.ID)
		mustOK(t, err, "ApplicationScopeNames")
		wantEqual(t, names, []string{}, "scope names after delete")
		// The scope itself stays.
		_, err = f.a.Scopes().Get(f.ctx, s.ID)
		mustOK(t, err, "scope survives its role")
	})

	t.Run("list: filters, search, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		admin := f.newRole(f.a, "Admin", model.RoleUser)
		viewer := f.newRole(f.a, "viewer_ro", model.RoleUser)
		m2m := f.newRole(f.a, "M2M sync", model.RoleMachineToMachine)
		ops := f.newRole(f.a, "ops 100%", model.RoleMachineToMachine)
		app := f.newApp(f.a, "Worker")
		mustOK(t, f.a.Roles().AddApplications(f.ctx, m2m.ID, []string{app.ID}), "AddApplications")

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
			got, total, err := f.a.Roles().List(f.ctx, tc.filter, tc.page)
			mustOK(t, err, tc.name)
			wantEqual(t, roleNames(got), tc.want, tc.name)
			wantEqual(t, total, tc.total, tc.name+": total")
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
			wantInvalid(t, f.a.Roles().Create(f.ctx, tc.role), tc.name)
		}
		_, total, err := f.a.Roles().List(f.ctx, store.RoleFilter{}, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, total, 0, "roles after refused creates")

		r := f.newRole(f.a, "ok", model.RoleUser)
		wantInvalid(t, f.a.Roles().Update(f.ctx, model.Role{ID: r.ID, Name: ""}), "Update to empty name")
		got, err := f.a.Roles().Get(f.ctx, r.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got, r, "role after refused update")
	})
}

func testRoleLinks(t *testing.T, open func(t *testing.T) store.Store) {
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
		w.api = f.newResource(f.a, "https://api")
		w.other = f.newResource(f.a, "https://other")
		w.read = f.newScope(f.a, w.api.ID, "read")
		w.write = f.newScope(f.a, w.api.ID, "write")
		w.archive = f.newScope(f.a, w.api.ID, "archive")
		w.otherScope = f.newScope(f.a, w.other.ID, "read")
		w.reader = f.newRole(f.a, "reader", model.RoleMachineToMachine)
		w.writer = f.newRole(f.a, "writer", model.RoleMachineToMachine)
		w.app1 = f.newApp(f.a, "App one")
		w.app2 = f.newApp(f.a, "App two")
		return w
	}

	t.Run("role scopes: add, list, remove", func(t *testing.T) {
		w := build(t)
		mustOK(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.archive.ID, w.read.ID, w.otherScope.ID}), "AddScopes")
		mustOK(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, nil), "AddScopes of none")

		got, total, err := w.a.Roles().Scopes(w.ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes")
		wantEqual(t, got, []model.Scope{w.read, w.archive, w.otherScope}, "Scopes (creation order of the scopes)")
		wantEqual(t, total, 3, "total")

		got, total, err = w.a.Roles().Scopes(w.ctx, w.reader.ID, store.ScopeFilter{ResourceID: w.api.ID}, store.Page{Limit: 1, Offset: 1})
		mustOK(t, err, "Scopes filtered and paged")
		wantEqual(t, scopeNames(got), []string{"archive"}, "filtered page")
		wantEqual(t, total, 2, "filtered total")
		got, total, err = w.a.Roles().Scopes(w.ctx, w.reader.ID, store.ScopeFilter{Search: "ARCH"}, store.Page{})
		mustOK(t, err, "Scopes searched")
		wantEqual(t, scopeNames(got), []string{"archive"}, "searched")
		wantEqual(t, total, 1, "searched total")

		mustOK(t, w.a.Roles().RemoveScope(w.ctx, w.reader.ID, w.read.ID), "RemoveScope")
		wantNotFound(t, w.a.Roles().RemoveScope(w.ctx, w.reader.ID, w.read.ID), "RemoveScope twice")
		wantNotFound(t, w.a.Roles().RemoveScope(w.ctx, w.writer.ID, w.archive.ID), "RemoveScope never linked")
		got, _, err = w.a.Roles().Scopes(w.ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes")
		wantEqual(t, scopeNames(got), []string{"archive", "read"}, "after RemoveScope")

		_, _, err = w.a.Roles().Scopes(w.ctx, "missing", store.ScopeFilter{}, store.Page{})
		wantNotFound(t, err, "Scopes of a missing role")
		none, total, err := w.a.Roles().Scopes(w.ctx, w.writer.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes of a role without scopes")
		if none == nil || len(none) != 0 || total != 0 {
			t.Fatalf("Scopes of a role without scopes = %#v, %d; want empty non-nil, 0", none, total)
		}
	})

	t.Run("role scopes: a failed add links none", func(t *testing.T) {
		w := build(t)
		mustOK(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.read.ID}), "AddScopes")
		wantConflict(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.write.ID, w.read.ID}), store.UniqueRoleScope, "AddScopes with a linked scope")
		wantConflict(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.archive.ID, w.archive.ID}), store.UniqueRoleScope, "AddScopes with a scope twice")
		wantNotFound(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.write.ID, "missing"}), "AddScopes with a missing scope")
		wantNotFound(t, w.a.Roles().AddScopes(w.ctx, "missing", []string{w.write.ID}), "AddScopes to a missing role")
		got, _, err := w.a.Roles().Scopes(w.ctx, w.reader.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes")
		wantEqual(t, scopeNames(got), []string{"read"}, "scopes after failed adds")
	})

	t.Run("role applications: add, list, remove", func(t *testing.T) {
		w := build(t)
		mustOK(t, w.a.Roles().AddApplications(w.ctx, w.reader.ID, []string{w.app1.ID, w.app2.ID}), "AddApplications")
		mustOK(t, w.a.Roles().AddApplications(w.ctx, w.writer.ID, []string{w.app1.ID}), "AddApplications writer")
		mustOK(t, w.a.Roles().AddApplications(w.ctx, w.writer.ID, []string{}), "AddApplications of none")

		apps, total, err := w.a.Roles().Applications(w.ctx, w.reader.ID, store.Page{})
		mustOK(t, err, "Applications")
		wantEqual(t, appIDs(apps), []string{w.app2.ID, w.app1.ID}, "Applications, newest first")
		wantEqual(t, total, 2, "total")
		wantSameApp(t, apps[1], w.app1, "listed application")
		apps, total, err = w.a.Roles().Applications(w.ctx, w.reader.ID, store.Page{Limit: 1, Offset: 1})
		mustOK(t, err, "Applications paged")
		wantEqual(t, appIDs(apps), []string{w.app1.ID}, "paged")
		wantEqual(t, total, 2, "paged total")

		held, total, err := w.a.Roles().OfApplication(w.ctx, w.app1.ID, store.Page{})
		mustOK(t, err, "OfApplication")
		wantEqual(t, held, []model.Role{w.reader, w.writer}, "OfApplication, creation order")
		wantEqual(t, total, 2, "OfApplication total")
		held, total, err = w.a.Roles().OfApplication(w.ctx, w.app1.ID, store.Page{Limit: 1})
		mustOK(t, err, "OfApplication paged")
		wantEqual(t, roleNames(held), []string{"reader"}, "OfApplication paged")
		wantEqual(t, total, 2, "OfApplication paged total")

		wantConflict(t, w.a.Roles().AddApplications(w.ctx, w.writer.ID, []string{w.app2.ID, w.app1.ID}), store.UniqueApplicationRole, "AddApplications with a holder")
		held, _, err = w.a.Roles().OfApplication(w.ctx, w.app2.ID, store.Page{})
		mustOK(t, err, "OfApplication")
		wantEqual(t, roleNames(held), []string{"reader"}, "a failed add links none")
		wantNotFound(t, w.a.Roles().AddApplications(w.ctx, w.writer.ID, []string{"missing"}), "AddApplications with a missing application")

		mustOK(t, w.a.Roles().RemoveApplication(w.ctx, w.reader.ID, w.app1.ID), "RemoveApplication")
		wantNotFound(t, w.a.Roles().RemoveApplication(w.ctx, w.reader.ID, w.app1.ID), "RemoveApplication twice")
		apps, _, err = w.a.Roles().Applications(w.ctx, w.reader.ID, store.Page{})
		mustOK(t, err, "Applications")
		wantEqual(t, appIDs(apps), []string{w.app2.ID}, "after RemoveApplication")

		_, _, err = w.a.Roles().Applications(w.ctx, "missing", store.Page{})
		wantNotFound(t, err, "Applications of a missing role")
		_, _, err = w.a.Roles().OfApplication(w.ctx, "missing", store.Page{})
		wantNotFound(t, err, "OfApplication of a missing application")

		mustOK(t, w.a.Applications().Delete(w.ctx, w.app2.ID), "delete application")
		apps, total, err = w.a.Roles().Applications(w.ctx, w.reader.ID, store.Page{})
		mustOK(t, err, "Applications")
		wantEqual(t, total, 0, "holders after the application's delete")
		wantEqual(t, len(apps), 0, "holders listed after the application's delete")
	})

	t.Run("application scope names", func(t *testing.T) {
		w := build(t)
		// reader: read + archive; writer: write + read (shared) + a scope of another resource.
		mustOK(t, w.a.Roles().AddScopes(w.ctx, w.reader.ID, []string{w.read.ID, w.archive.ID}), "AddScopes reader")
		mustOK(t, w.a.Roles().AddScopes(w.ctx, w.writer.ID, []string{w.write.ID, w.read.ID, w.otherScope.ID}), "AddScopes writer")
		mustOK(t, w.a.Roles().AddApplications(w.ctx, w.reader.ID, []string{w.app1.ID, w.app2.ID}), "AddApplications reader")
		mustOK(t, w.a.Roles().AddApplications(w.ctx, w.writer.ID, []string{w.app1.ID}), "AddApplications writer")

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
			got, err := w.a.Roles().ApplicationScopeNames(w.ctx, tc.app, tc.resID)
			mustOK(t, err, tc.name)
			wantEqual(t, got, tc.want, tc.name)
		}
	})
}
