package storetest

import (
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testStore(t *testing.T, open fx.Open) {
	t.Run("fresh store has no tenants", func(t *testing.T) {
		st := open(t)
		got, err := st.Tenants(t.Context())
		fx.MustOK(t, err, "Tenants")
		if len(got) != 0 {
			t.Fatalf("fresh store has tenants %+v", got)
		}
	})

	t.Run("dialect and ping", func(t *testing.T) {
		st := open(t)
		if d := st.Dialect(); d != "sqlite" && d != "postgres" {
			t.Fatalf("Dialect() = %q, want sqlite or postgres", d)
		}
		fx.MustOK(t, st.Ping(t.Context()), "Ping")
	})

	t.Run("tenants are listed oldest first", func(t *testing.T) {
		st := open(t)
		ctx := t.Context()
		want := []model.Tenant{
			{ID: "default", Name: "Default", CreatedAt: 1000},
			{ID: "admin", Name: "Admin", CreatedAt: 2000},
			{ID: "zeta", Name: "", CreatedAt: 3000},
		}
		for _, i := range []int{1, 2, 0} {
			fx.MustOK(t, st.CreateTenant(ctx, want[i]), "CreateTenant "+want[i].ID)
		}
		got, err := st.Tenants(ctx)
		fx.MustOK(t, err, "Tenants")
		fx.WantEqual(t, got, want, "Tenants()")
	})

	t.Run("duplicate tenant conflicts", func(t *testing.T) {
		st := open(t)
		ctx := t.Context()
		fx.MustOK(t, st.CreateTenant(ctx, model.Tenant{ID: "default", Name: "one", CreatedAt: 1}), "CreateTenant")
		fx.WantConflict(t, st.CreateTenant(ctx, model.Tenant{ID: "default", Name: "two", CreatedAt: 2}), store.UniqueTenantID, "second CreateTenant")
		got, err := st.Tenants(ctx)
		fx.MustOK(t, err, "Tenants")
		fx.WantEqual(t, got, []model.Tenant{{ID: "default", Name: "one", CreatedAt: 1}}, "Tenants() after conflict")
	})

	t.Run("invalid tenants are refused", func(t *testing.T) {
		st := open(t)
		for _, tc := range []struct {
			name   string
			tenant model.Tenant
		}{
			{"empty id", model.Tenant{ID: "", Name: "x"}},
			{"id longer than 21", model.Tenant{ID: strings.Repeat("a", 22), Name: "x"}},
			{"name longer than 128", model.Tenant{ID: "t1", Name: strings.Repeat("é", 129)}},
		} {
			fx.WantInvalid(t, st.CreateTenant(t.Context(), tc.tenant), tc.name)
		}
		got, err := st.Tenants(t.Context())
		fx.MustOK(t, err, "Tenants")
		if len(got) != 0 {
			t.Fatalf("refused tenants were stored: %+v", got)
		}
	})

	t.Run("generation of an unknown tenant is not found", func(t *testing.T) {
		st := open(t)
		_, err := st.Generation(t.Context(), "nobody")
		fx.WantNotFound(t, err, "Generation(nobody)")
	})

	t.Run("writes in an unknown tenant are not found", func(t *testing.T) {
		st := open(t)
		tn := st.Tenant("nobody")
		err := tn.Roles().Create(t.Context(), model.Role{ID: "r1", Name: "r", Type: model.RoleUser})
		fx.WantNotFound(t, err, "create role in unknown tenant")
		err = tn.Configs().Put(t.Context(), "k", []byte(`{}`))
		fx.WantNotFound(t, err, "put config in unknown tenant")
		if tn.ID() != "nobody" {
			t.Fatalf("Tenant(nobody).ID() = %q", tn.ID())
		}
	})
}
