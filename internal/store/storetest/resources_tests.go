package storetest

import (
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testResources(t *testing.T, open fx.Open) {
	t.Run("round trip, get by id and indicator", func(t *testing.T) {
		f := newFixture(t, open)
		want := model.Resource{TenantID: fx.TenantA, ID: "res-1", Name: "Orders API", Indicator: "https://api.example.com/orders", AccessTokenTTL: 600}
		fx.MustOK(t, f.A.Resources().Create(f.Ctx, want), "Create")
		got, err := f.A.Resources().Get(f.Ctx, want.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got, want, "Get")
		got, err = f.A.Resources().GetByIndicator(f.Ctx, want.Indicator)
		fx.MustOK(t, err, "GetByIndicator")
		fx.WantEqual(t, got, want, "GetByIndicator")

		_, err = f.A.Resources().Get(f.Ctx, "missing")
		fx.WantNotFound(t, err, "Get missing")
		_, err = f.A.Resources().GetByIndicator(f.Ctx, "https://api.example.com/ORDERS")
		fx.WantNotFound(t, err, "GetByIndicator is exact")
	})

	t.Run("conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://api.example.com")
		fx.WantConflict(t, f.A.Resources().Create(f.Ctx, model.Resource{ID: "other-id", Name: "x", Indicator: r.Indicator}), store.UniqueResourceIndicator, "same indicator")
		fx.WantConflict(t, f.A.Resources().Create(f.Ctx, model.Resource{ID: r.ID, Name: "x", Indicator: "https://other"}), store.UniqueResourceID, "same id")
		other := f.NewResource(f.A, "https://second.example.com")
		other.Indicator = r.Indicator
		fx.WantConflict(t, f.A.Resources().Update(f.Ctx, other), store.UniqueResourceIndicator, "Update onto an existing indicator")
		got, err := f.A.Resources().Get(f.Ctx, other.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got.Indicator, "https://second.example.com", "indicator after conflicting update")
	})

	t.Run("update", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://before")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r.ID, true), "SetDefault")
		changed := model.Resource{TenantID: fx.TenantA, ID: r.ID, Name: "After", Indicator: "https://after", AccessTokenTTL: 60, IsDefault: false}
		fx.MustOK(t, f.A.Resources().Update(f.Ctx, changed), "Update")
		got, err := f.A.Resources().Get(f.Ctx, r.ID)
		fx.MustOK(t, err, "Get")
		changed.IsDefault = true // Update leaves isDefault to SetDefault
		fx.WantEqual(t, got, changed, "Get after Update")
		_, err = f.A.Resources().GetByIndicator(f.Ctx, "https://before")
		fx.WantNotFound(t, err, "old indicator")
		fx.WantNotFound(t, f.A.Resources().Update(f.Ctx, model.Resource{ID: "missing", Indicator: "https://x"}), "Update missing")
	})

	t.Run("list in creation order with pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		// Indicators out of alphabetical order, so creation order is what is checked.
		indicators := []string{"https://c", "https://a", "https://d", "https://b"}
		for _, ind := range indicators {
			f.NewResource(f.A, ind)
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
			got, total, err := f.A.Resources().List(f.Ctx, tc.page)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, fx.ResourceIndicators(got), tc.want, tc.name)
			fx.WantEqual(t, total, 4, tc.name+": total")
		}
	})

	t.Run("one default resource per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		r1 := f.NewResource(f.A, "https://one")
		r2 := f.NewResource(f.A, "https://two")
		other := f.NewResource(f.B, "https://one")
		fx.MustOK(t, f.B.Resources().SetDefault(f.Ctx, other.ID, true), "SetDefault in tenant B")

		defaults := func() []string {
			t.Helper()
			list, _, err := f.A.Resources().List(f.Ctx, store.Page{})
			fx.MustOK(t, err, "List")
			out := []string{}
			for _, r := range list {
				if r.IsDefault {
					out = append(out, r.ID)
				}
			}
			return out
		}
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r1.ID, true), "SetDefault r1")
		fx.WantEqual(t, defaults(), []string{r1.ID}, "defaults after r1")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r2.ID, true), "SetDefault r2")
		fx.WantEqual(t, defaults(), []string{r2.ID}, "defaults after r2")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r2.ID, true), "SetDefault r2 again")
		fx.WantEqual(t, defaults(), []string{r2.ID}, "defaults after r2 again")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r1.ID, false), "unset r1 (not default)")
		fx.WantEqual(t, defaults(), []string{r2.ID}, "defaults after unsetting a non-default")
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r2.ID, false), "unset r2")
		fx.WantEqual(t, defaults(), []string{}, "defaults after unset")

		r3 := model.Resource{ID: "res-3", Name: "Three", Indicator: "https://three", IsDefault: true, AccessTokenTTL: 3600}
		fx.MustOK(t, f.A.Resources().SetDefault(f.Ctx, r1.ID, true), "SetDefault r1")
		fx.MustOK(t, f.A.Resources().Create(f.Ctx, r3), "Create a default resource")
		fx.WantEqual(t, defaults(), []string{r3.ID}, "defaults after creating a default resource")

		fx.WantNotFound(t, f.A.Resources().SetDefault(f.Ctx, "missing", true), "SetDefault missing")
		fx.WantEqual(t, defaults(), []string{r3.ID}, "defaults after SetDefault of a missing resource")
		got, err := f.B.Resources().Get(f.Ctx, other.ID)
		fx.MustOK(t, err, "Get in tenant B")
		fx.WantEqual(t, got.IsDefault, true, "tenant B's default untouched")
	})

	t.Run("delete cascades to scopes and role links", func(t *testing.T) {
		f := newFixture(t, open)
		r := f.NewResource(f.A, "https://doomed")
		keep := f.NewResource(f.A, "https://kept")
		s1 := f.NewScope(f.A, r.ID, "read")
		s2 := f.NewScope(f.A, keep.ID, "write")
		role := f.NewRole(f.A, "worker", model.RoleMachineToMachine)
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, role.ID, []string{s1.ID, s2.ID}), "AddScopes")

		fx.MustOK(t, f.A.Resources().Delete(f.Ctx, r.ID), "Delete")
		_, err := f.A.Resources().Get(f.Ctx, r.ID)
		fx.WantNotFound(t, err, "Get deleted")
		_, err = f.A.Scopes().Get(f.Ctx, s1.ID)
		fx.WantNotFound(t, err, "scope of deleted resource")
		linked, total, err := f.A.Roles().Scopes(f.Ctx, role.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "role scopes")
		fx.WantEqual(t, fx.ScopeNames(linked), []string{"write"}, "role scopes after delete")
		fx.WantEqual(t, total, 1, "role scope total after delete")
		fx.WantNotFound(t, f.A.Resources().Delete(f.Ctx, r.ID), "Delete twice")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		fx.WantInvalid(t, f.A.Resources().Create(f.Ctx, model.Resource{ID: "", Indicator: "https://x"}), "empty id")
		fx.WantInvalid(t, f.A.Resources().Create(f.Ctx, model.Resource{ID: "r", Indicator: ""}), "empty indicator")
		fx.WantInvalid(t, f.A.Resources().Create(f.Ctx, model.Resource{ID: "0123456789012345678901", Indicator: "https://x"}), "id longer than 21")
		list, total, err := f.A.Resources().List(f.Ctx, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, total, 0, "total after refused creates")
		fx.WantEqual(t, len(list), 0, "resources after refused creates")
	})
}
