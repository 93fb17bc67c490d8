package storetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testResources(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("round trip, get by id and indicator", func(t *testing.T) {
		f := newFixture(t, open)
		want := model.Resource{TenantID: tenantA, ID: "res-1", Name: "Orders API", Indicator: "https://api.example.com/orders", AccessTokenTTL: 600}
		mustOK(t, f.a.Resources().Create(f.ctx, want), "Create")
		got, err := f.a.Resources().Get(f.ctx, want.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got, want, "Get")
		got, err = f.a.Resources().GetByIndicator(f.ctx, want.Indicator)
		mustOK(t, err, "GetByIndicator")
		wantEqual(t, got, want, "GetByIndicator")

		_, err = f.a.Resources().Get(f.ctx, "missing")
		wantNotFound(t, err, "Get missing")
		_, err = f.a.Resources().GetByIndicator(f.ctx, "https://api.example.com/ORDERS")
		wantNotFound(t, err, "GetByIndicator is exact")
	})

	t.Run("conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://api.example.com")
		wantConflict(t, f.a.Resources().Create(f.ctx, model.Resource{ID: "other-id", Name: "x", Indicator: r.Indicator}), store.UniqueResourceIndicator, "same indicator")
		wantConflict(t, f.a.Resources().Create(f.ctx, model.Resource{ID: r.ID, Name: "x", Indicator: "https://other"}), store.UniqueResourceID, "same id")
		other := f.newResource(f.a, "https://second.example.com")
		other.Indicator = r.Indicator
		wantConflict(t, f.a.Resources().Update(f.ctx, other), store.UniqueResourceIndicator, "Update onto an existing indicator")
		got, err := f.a.Resources().Get(f.ctx, other.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got.Indicator, "https://second.example.com", "indicator after conflicting update")
	})

	t.Run("update", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://before")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r.ID, true), "SetDefault")
		changed := model.Resource{TenantID: tenantA, ID: r.ID, Name: "After", Indicator: "https://after", AccessTokenTTL: 60, IsDefault: false}
		mustOK(t, f.a.Resources().Update(f.ctx, changed), "Update")
		got, err := f.a.Resources().Get(f.ctx, r.ID)
		mustOK(t, err, "Get")
		changed.IsDefault = true // Update leaves isDefault to SetDefault
		wantEqual(t, got, changed, "Get after Update")
		_, err = f.a.Resources().GetByIndicator(f.ctx, "https://before")
		wantNotFound(t, err, "old indicator")
		wantNotFound(t, f.a.Resources().Update(f.ctx, model.Resource{ID: "missing", Indicator: "https://x"}), "Update missing")
	})

	t.Run("list in creation order with pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		// Indicators out of alphabetical order, so creation order is what is checked.
		indicators := []string{"https://c", "https://a", "https://d", "https://b"}
		for _, ind := range indicators {
			f.newResource(f.a, ind)
		}
		for _, tc := range []struct {
			name string
			page store.Page
			want []string
		}{
			{"all", store.Page{}, indicators},
			{"first two", store.Page{Limit: 2}, indicators[:2]},
			{"next two", store.Page{Limit: 2, Offset: 2}, indicators[2:]},
			{"offset only", store.Page{Offset: 1}, indicators[1:]},
			{"past the end", store.Page{Limit: 5, Offset: 4}, []string{}},
		} {
			got, total, err := f.a.Resources().List(f.ctx, tc.page)
			mustOK(t, err, tc.name)
			wantEqual(t, resourceIndicators(got), tc.want, tc.name)
			wantEqual(t, total, 4, tc.name+": total")
		}
	})

	t.Run("one default resource per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		r1 := f.newResource(f.a, "https://one")
		r2 := f.newResource(f.a, "https://two")
		other := f.newResource(f.b, "https://one")
		mustOK(t, f.b.Resources().SetDefault(f.ctx, other.ID, true), "SetDefault in tenant B")

		defaults := func() []string {
			t.Helper()
			list, _, err := f.a.Resources().List(f.ctx, store.Page{})
			mustOK(t, err, "List")
			out := []string{}
			for _, r := range list {
				if r.IsDefault {
					out = append(out, r.ID)
				}
			}
			return out
		}
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r1.ID, true), "SetDefault r1")
		wantEqual(t, defaults(), []string{r1.ID}, "defaults after r1")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r2.ID, true), "SetDefault r2")
		wantEqual(t, defaults(), []string{r2.ID}, "defaults after r2")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r2.ID, true), "SetDefault r2 again")
		wantEqual(t, defaults(), []string{r2.ID}, "defaults after r2 again")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r1.ID, false), "unset r1 (not default)")
		wantEqual(t, defaults(), []string{r2.ID}, "defaults after unsetting a non-default")
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r2.ID, false), "unset r2")
		wantEqual(t, defaults(), []string{}, "defaults after unset")

		r3 := model.Resource{ID: "res-3", Name: "Three", Indicator: "https://three", IsDefault: true, AccessTokenTTL: 3600}
		mustOK(t, f.a.Resources().SetDefault(f.ctx, r1.ID, true), "SetDefault r1")
		mustOK(t, f.a.Resources().Create(f.ctx, r3), "Create a default resource")
		wantEqual(t, defaults(), []string{r3.ID}, "defaults after creating a default resource")

		wantNotFound(t, f.a.Resources().SetDefault(f.ctx, "missing", true), "SetDefault missing")
		wantEqual(t, defaults(), []string{r3.ID}, "defaults after SetDefault of a missing resource")
		got, err := f.b.Resources().Get(f.ctx, other.ID)
		mustOK(t, err, "Get in tenant B")
		wantEqual(t, got.IsDefault, true, "tenant B's default untouched")
	})

	t.Run("delete cascades to scopes and role links", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.newResource(f.a, "https://doomed")
		keep := f.newResource(f.a, "https://kept")
		s1 := f.newScope(f.a, r.ID, "read")
		s2 := f.newScope(f.a, keep.ID, "write")
		role := f.newRole(f.a, "worker", model.RoleMachineToMachine)
		mustOK(t, f.a.Roles().AddScopes(f.ctx, role.ID, []string{s1.ID, s2.ID}), "AddScopes")

		mustOK(t, f.a.Resources().Delete(f.ctx, r.ID), "Delete")
		_, err := f.a.Resources().Get(f.ctx, r.ID)
		wantNotFound(t, err, "Get deleted")
		_, err = f.a.Scopes().Get(f.ctx, s1.ID)
		wantNotFound(t, err, "scope of deleted resource")
		linked, total, err := f.a.Roles().Scopes(f.ctx, role.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "role scopes")
		wantEqual(t, scopeNames(linked), []string{"write"}, "role scopes after delete")
		wantEqual(t, total, 1, "role scope total after delete")
		wantNotFound(t, f.a.Resources().Delete(f.ctx, r.ID), "Delete twice")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		wantInvalid(t, f.a.Resources().Create(f.ctx, model.Resource{ID: "", Indicator: "https://x"}), "empty id")
		wantInvalid(t, f.a.Resources().Create(f.ctx, model.Resource{ID: "r", Indicator: ""}), "empty indicator")
		wantInvalid(t, f.a.Resources().Create(f.ctx, model.Resource{ID: "0123456789012345678901", Indicator: "https://x"}), "id longer than 21")
		list, total, err := f.a.Resources().List(f.ctx, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, total, 0, "total after refused creates")
		wantEqual(t, len(list), 0, "resources after refused creates")
	})
}
