package eventsuite

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Connectors is the conformance suite of its repository.
func Connectors(t *testing.T, open fx.Open) {
	t.Run("configs round trip sealed, per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		const secret = "gh-client-secret-0123456789"
		c := model.Connector{TenantID: fx.TenantA, ID: "abc123def456", ConnectorID: "oauth2",
			Config:   json.RawMessage(`{"clientId":"id","clientSecret":"` + secret + `"}`),
			Metadata: json.RawMessage(`{"target":"linuxdo","name":{"en":"LINUX DO"}}`), SyncProfile: true, CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Connectors().Create(f.Ctx, c), "create connector")
		got, err := f.A.Connectors().Get(f.Ctx, c.ID)
		fx.MustOK(t, err, "get connector")
		if string(got.Config) != string(c.Config) || !got.SyncProfile || got.ConnectorID != "oauth2" || !strings.Contains(string(got.Metadata), "linuxdo") {
			t.Fatalf("connector = %+v", got)
		}
		if stored := fx.RawOf(f.Fixture).Value("SELECT config FROM connectors WHERE id = ?", c.ID); strings.Contains(stored, secret) {
			t.Fatalf("the config is stored in clear: %q", stored)
		}
		if err := f.A.Connectors().Create(f.Ctx, c); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second connector with the id: %v", err)
		}
		second := c
		second.ID, second.CreatedAt, second.Metadata = "zzz999", f.Tick(), nil
		fx.MustOK(t, f.A.Connectors().Create(f.Ctx, second), "create a second")
		got.Config, got.SyncProfile = json.RawMessage(`{"clientId":"id2"}`), false
		fx.MustOK(t, f.A.Connectors().Update(f.Ctx, got), "update")
		list, err := f.A.Connectors().List(f.Ctx)
		fx.MustOK(t, err, "list")
		if len(list) != 2 || list[0].ID != c.ID || string(list[0].Config) != `{"clientId":"id2"}` || list[0].SyncProfile || string(list[1].Metadata) != "{}" {
			t.Fatalf("list = %+v", list)
		}
		if _, err := f.B.Connectors().Get(f.Ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant reads the connector: %v", err)
		}
		if err := f.A.Connectors().Create(f.Ctx, model.Connector{ID: "x", ConnectorID: "oauth2", Config: json.RawMessage(`[1]`)}); err == nil {
			t.Fatal("a config that is not an object was stored")
		}
		fx.MustOK(t, f.A.Connectors().Delete(f.Ctx, c.ID), "delete")
		fx.WantNotFound(t, f.A.Connectors().Delete(f.Ctx, c.ID), "delete again")
	})
}
