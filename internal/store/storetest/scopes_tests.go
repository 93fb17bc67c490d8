package storetest

import (
	"sort"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testScopes(t *testing.T, open fx.Open) {
	t.Run("round trip with and without description", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://api")
		for _, want := range []model.Scope{
			{TenantID: fx.TenantA, ID: "scope-1", ResourceID: r.ID, Name: "read:orders", Description: fx.Ptr("Read orders"), CreatedAt: f.Tick()},
			{TenantID: fx.TenantA, ID: "scope-2", ResourceID: r.ID, Name: "write:orders", Description: nil, CreatedAt: f.Tick()},
			{TenantID: fx.TenantA, ID: "scope-3", ResourceID: r.ID, Name: "admin", Description: fx.Ptr(""), CreatedAt: f.Tick()},
		} {
			fx.MustOK(t, f.A.Scopes().Create(f.Ctx, want), "Create "+want.Name)
			got, err := f.A.Scopes().Get(f.Ctx, want.ID)
			fx.MustOK(t, err, "Get "+want.Name)
			fx.WantEqual(t, got, want, "Get "+want.Name)
		}
		_, err := f.A.Scopes().Get(f.Ctx, "missing")
		fx.WantNotFound(t, err, "Get missing")
	})

	t.Run("conflicts and missing resource", func(t *testing.T) {
		f := newFixture(t, open)
		r1 := f.NewResource(f.A, "https://one")
		r2 := f.NewResource(f.A, "https://two")
		s := f.NewScope(f.A, r1.ID, "read")
		fx.WantConflict(t, f.A.Scopes().Create(f.Ctx, model.Scope{ID: "other", ResourceID: r1.ID, Name: "read"}), store.UniqueScopeName, "same name, same resource")
		fx.WantConflict(t, f.A.Scopes().Create(f.Ctx, model.Scope{ID: s.ID, ResourceID: r2.ID, Name: "x"}), store.UniqueScopeID, "same id")
		f.NewScope(f.A, r2.ID, "read") // same name on another resource is fine
		write := f.NewScope(f.A, r1.ID, "write")
		write.Name = "read"
		fx.WantConflict(t, f.A.Scopes().Update(f.Ctx, write), store.UniqueScopeName, "Update onto an existing name")
		fx.WantNotFound(t, f.A.Scopes().Create(f.Ctx, model.Scope{ID: "orphan", ResourceID: "missing", Name: "x"}), "Create for missing resource")
	})

	t.Run("update and delete", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://api")
		s := f.NewScope(f.A, r.ID, "read")
		role := f.NewRole(f.A, "reader", model.RoleUser)
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, role.ID, []string{s.ID}), "AddScopes")

		changed := s
		changed.Name, changed.Description = "read:all", nil
		changed.CreatedAt, changed.ResourceID = 1, "ignored" // not mutable
		fx.MustOK(t, f.A.Scopes().Update(f.Ctx, changed), "Update")
		got, err := f.A.Scopes().Get(f.Ctx, s.ID)
		fx.MustOK(t, err, "Get")
		want := s
		want.Name, want.Description = "read:all", nil
		fx.WantEqual(t, got, want, "Get after Update")
		fx.WantNotFound(t, f.A.Scopes().Update(f.Ctx, model.Scope{ID: "missing", Name: "x"}), "Update missing")

		fx.MustOK(t, f.A.Scopes().Delete(f.Ctx, s.ID), "Delete")
		_, err = f.A.Scopes().Get(f.Ctx, s.ID)
		fx.WantNotFound(t, err, "Get deleted")
		fx.WantNotFound(t, f.A.Scopes().Delete(f.Ctx, s.ID), "Delete twice")
		_, total, err := f.A.Roles().Scopes(f.Ctx, role.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "role scopes")
		fx.WantEqual(t, total, 0, "role's scopes after the scope's delete")
	})

	t.Run("get many", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://api")
		s1 := f.NewScope(f.A, r.ID, "one")
		s2 := f.NewScope(f.A, r.ID, "two")
		f.NewScope(f.A, r.ID, "three")
		foreign := f.NewScope(f.B, f.NewResource(f.B, "https://api").ID, "foreign")

		got, err := f.A.Scopes().GetMany(f.Ctx, []string{s2.ID, "missing", s1.ID, foreign.ID})
		fx.MustOK(t, err, "GetMany")
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
		fx.WantEqual(t, got, []model.Scope{s1, s2}, "GetMany")

		for _, in := range [][]string{nil, {}, {"missing"}} {
			got, err := f.A.Scopes().GetMany(f.Ctx, in)
			fx.MustOK(t, err, "GetMany of none")
			if got == nil || len(got) != 0 {
				t.Fatalf("GetMany(%v) = %#v, want empty non-nil", in, got)
			}
		}
	})

	t.Run("list: filters, search, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		orders := f.NewResource(f.A, "https://orders")
		users := f.NewResource(f.A, "https://users")
		names := []struct{ resource, name, desc string }{
			{orders.ID, "read:orders", "Read ORDERS"},
			{orders.ID, "write:orders", "Write 50% of orders"},
			{users.ID, "read:users", "Read users"},
			{users.ID, "manage_users", "Manage users"},
		}
		for _, n := range names {
			s := model.Scope{ID: "s-" + strings.NewReplacer(":", "-", "_", "-").Replace(n.name), ResourceID: n.resource, Name: n.name, Description: fx.Ptr(n.desc), CreatedAt: f.Tick()}
			fx.MustOK(t, f.A.Scopes().Create(f.Ctx, s), "Create "+n.name)
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
			got, total, err := f.A.Scopes().List(f.Ctx, tc.filter, tc.page)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, fx.ScopeNames(got), tc.want, tc.name)
			fx.WantEqual(t, total, tc.total, tc.name+": total")
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://api")
		for _, tc := range []struct {
			name  string
			scope model.Scope
		}{
			{"empty name", model.Scope{ID: "s", ResourceID: r.ID, Name: ""}},
			{"name longer than 256", model.Scope{ID: "s", ResourceID: r.ID, Name: strings.Repeat("n", 257)}},
			{"empty id", model.Scope{ID: "", ResourceID: r.ID, Name: "n"}},
			{"empty resource id", model.Scope{ID: "s", ResourceID: "", Name: "n"}},
		} {
			fx.WantInvalid(t, f.A.Scopes().Create(f.Ctx, tc.scope), tc.name)
		}
		_, total, err := f.A.Scopes().List(f.Ctx, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, total, 0, "scopes after refused creates")
	})
}
