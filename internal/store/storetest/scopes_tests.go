package storetest

import (
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testScopes(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("round trip with and without description", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://api")
		for _, want := range []model.Scope{
			{TenantID: tenantA, ID: "scope-1", ResourceID: r.ID, Name: "read:orders", Description: ptr("Read orders"), CreatedAt: f.tick()},
			{TenantID: tenantA, ID: "scope-2", ResourceID: r.ID, Name: "write:orders", Description: nil, CreatedAt: f.tick()},
			{TenantID: tenantA, ID: "scope-3", ResourceID: r.ID, Name: "admin", Description: ptr(""), CreatedAt: f.tick()},
		} {
			mustOK(t, f.a.Scopes().Create(f.ctx, want), "Create "+want.Name)
			got, err := f.a.Scopes().Get(f.ctx, want.ID)
			mustOK(t, err, "Get "+want.Name)
			wantEqual(t, got, want, "Get "+want.Name)
		}
		_, err := f.a.Scopes().Get(f.ctx, "missing")
		wantNotFound(t, err, "Get missing")
	})

	t.Run("conflicts and missing resource", func(t *testing.T) {
		f := newFixture(t, open)
		r1 := f.newResource(f.a, "https://one")
		r2 := f.newResource(f.a, "https://two")
		s := f.newScope(f.a, r1.ID, "read")
		wantConflict(t, f.a.Scopes().Create(f.ctx, model.Scope{ID: "other", ResourceID: r1.ID, Name: "read"}), store.UniqueScopeName, "same name, same resource")
		wantConflict(t, f.a.Scopes().Create(f.ctx, model.Scope{ID: s.ID, ResourceID: r2.ID, Name: "x"}), store.UniqueScopeID, "same id")
		f.newScope(f.a, r2.ID, "read") // same name on another resource is fine
		write := f.newScope(f.a, r1.ID, "write")
		write.Name = "read"
		wantConflict(t, f.a.Scopes().Update(f.ctx, write), store.UniqueScopeName, "Update onto an existing name")
		wantNotFound(t, f.a.Scopes().Create(f.ctx, model.Scope{ID: "orphan", ResourceID: "missing", Name: "x"}), "Create for missing resource")
	})

	t.Run("update and delete", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://api")
		s := f.newScope(f.a, r.ID, "read")
		role := f.newRole(f.a, "reader", model.RoleUser)
		mustOK(t, f.a.Roles().AddScopes(f.ctx, role.ID, []string{s.ID}), "AddScopes")

		changed := s
		changed.Name, changed.Description = "read:all", nil
		changed.CreatedAt, changed.ResourceID = 1, "ignored" // not mutable
		mustOK(t, f.a.Scopes().Update(f.ctx, changed), "Update")
		got, err := f.a.Scopes().Get(f.ctx, s.ID)
		mustOK(t, err, "Get")
		want := s
		want.Name, want.Description = "read:all", nil
		wantEqual(t, got, want, "Get after Update")
		wantNotFound(t, f.a.Scopes().Update(f.ctx, model.Scope{ID: "missing", Name: "x"}), "Update missing")

		mustOK(t, f.a.Scopes().Delete(f.ctx, s.ID), "Delete")
		_, err = f.a.Scopes().Get(f.ctx, s.ID)
		wantNotFound(t, err, "Get deleted")
		wantNotFound(t, f.a.Scopes().Delete(f.ctx, s.ID), "Delete twice")
		_, total, err := f.a.Roles().Scopes(f.ctx, role.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "role scopes")
		wantEqual(t, total, 0, "role's scopes after the scope's delete")
	})

	t.Run("get many", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://api")
		s1 := f.newScope(f.a, r.ID, "one")
		s2 := f.newScope(f.a, r.ID, "two")
		f.newScope(f.a, r.ID, "three")
		foreign := f.newScope(f.b, f.newResource(f.b, "https://api").ID, "foreign")

		got, err := f.a.Scopes().GetMany(f.ctx, []string{s2.ID, "missing", s1.ID, foreign.ID})
		mustOK(t, err, "GetMany")
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
		wantEqual(t, got, []model.Scope{s1, s2}, "GetMany")

		for _, in := range [][]string{nil, {}, {"missing"}} {
			got, err := f.a.Scopes().GetMany(f.ctx, in)
			mustOK(t, err, "GetMany of none")
			if got == nil || len(got) != 0 {
				t.Fatalf("GetMany(%v) = %#v, want empty non-nil", in, got)
			}
		}
	})

	t.Run("list: filters, search, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		orders := f.newResource(f.a, "https://orders")
		users := f.newResource(f.a, "https://users")
		names := []struct{ resource, name, desc string }{
			{orders.ID, "read:orders", "Read ORDERS"},
			{orders.ID, "write:orders", "Write 50% of orders"},
			{users.ID, "read:users", "Read users"},
			{users.ID, "manage_users", "Manage users"},
		}
		for _, n := range names {
			s := model.Scope{ID: "s-" + strings.NewReplacer(":", "-", "_", "-").Replace(n.name), ResourceID: n.resource, Name: n.name, Description: ptr(n.desc), CreatedAt: f.tick()}
			mustOK(t, f.a.Scopes().Create(f.ctx, s), "Create "+n.name)
		}
		for _, tc := range []struct {
			name   string
			filter store.ScopeFilter
			page   store.Page
			want   []string
			total  int
		}{
			{"all in creation order", store.ScopeFilter{}, store.Page{}, []string{"read:orders", "write:orders", "read:users", "manage_users"}, 4},
			{"one resource", store.ScopeFilter{ResourceID: users.ID}, store.Page{}, []string{"read:users", "manage_users"}, 2},
			{"search name", store.ScopeFilter{Search: "READ:"}, store.Page{}, []string{"read:orders", "read:users"}, 2},
			{"search description", store.ScopeFilter{Search: "orders"}, store.Page{}, []string{"read:orders", "write:orders"}, 2},
			{"search literal percent", store.ScopeFilter{Search: "50%"}, store.Page{}, []string{"write:orders"}, 1},
			{"search literal underscore", store.ScopeFilter{Search: "e_u"}, store.Page{}, []string{"manage_users"}, 1},
			{"underscore is not a wildcard", store.ScopeFilter{Search: "d_o"}, store.Page{}, []string{}, 0},
			{"resource and search", store.ScopeFilter{ResourceID: users.ID, Search: "read"}, store.Page{}, []string{"read:users"}, 1},
			{"page", store.ScopeFilter{}, store.Page{Limit: 2, Offset: 1}, []string{"write:orders", "read:users"}, 4},
			{"filtered page", store.ScopeFilter{Search: "users"}, store.Page{Limit: 1, Offset: 1}, []string{"manage_users"}, 2},
		} {
			got, total, err := f.a.Scopes().List(f.ctx, tc.filter, tc.page)
			mustOK(t, err, tc.name)
			wantEqual(t, scopeNames(got), tc.want, tc.name)
			wantEqual(t, total, tc.total, tc.name+": total")
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://api")
		for _, tc := range []struct {
			name  string
			scope model.Scope
		}{
			{"empty name", model.Scope{ID: "s", ResourceID: r.ID, Name: ""}},
			{"name longer than 256", model.Scope{ID: "s", ResourceID: r.ID, Name: strings.Repeat("n", 257)}},
			{"empty id", model.Scope{ID: "", ResourceID: r.ID, Name: "n"}},
			{"empty resource id", model.Scope{ID: "s", ResourceID: "", Name: "n"}},
		} {
			wantInvalid(t, f.a.Scopes().Create(f.ctx, tc.scope), tc.name)
		}
		_, total, err := f.a.Scopes().List(f.ctx, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, total, 0, "scopes after refused creates")
	})
}
