package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testConnectors(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("configs round trip sealed, per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		const secret = "gh-client-secret-0123456789"
		c := model.Connector{TenantID: tenantA, ID: "abc123def456", ConnectorID: "oauth2",
			Config:   json.RawMessage(`{"clientId":"id","clientSecret":"` + secret + `"}`),
			Metadata: json.RawMessage(`{"target":"linuxdo","name":{"en":"LINUX DO"}}`), SyncProfile: true, CreatedAt: f.tick()}
		mustOK(t, f.a.Connectors().Create(f.ctx, c), "create connector")
		got, err := f.a.Connectors().Get(f.ctx, c.ID)
		mustOK(t, err, "get connector")
		if string(got.Config) != string(c.Config) || !got.SyncProfile || got.ConnectorID != "oauth2" || !strings.Contains(string(got.Metadata), "linuxdo") {
			t.Fatalf("connector = %+v", got)
		}
		if stored := rawOf(f).value("SELECT config FROM connectors WHERE id = ?", c.ID); strings.Contains(stored, secret) {
			t.Fatalf("the config is stored in clear: %q", stored)
		}
		if err := f.a.Connectors().Create(f.ctx, c); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second connector with the id: %v", err)
		}
		second := c
		second.ID, second.CreatedAt, second.Metadata = "zzz999", f.tick(), nil
		mustOK(t, f.a.Connectors().Create(f.ctx, second), "create a second")
		got.Config, got.SyncProfile = json.RawMessage(`{"clientId":"id2"}`), false
		mustOK(t, f.a.Connectors().Update(f.ctx, got), "update")
		list, err := f.a.Connectors().List(f.ctx)
		mustOK(t, err, "list")
		if len(list) != 2 || list[0].ID != c.ID || string(list[0].Config) != `{"clientId":"id2"}` || list[0].SyncProfile || string(list[1].Metadata) != "{}" {
			t.Fatalf("list = %+v", list)
		}
		if _, err := f.b.Connectors().Get(f.ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant reads the connector: %v", err)
		}
		if err := f.a.Connectors().Create(f.ctx, model.Connector{ID: "x", ConnectorID: "oauth2", Config: json.RawMessage(`[1]`)}); err == nil {
			t.Fatal("a config that is not an object was stored")
		}
		mustOK(t, f.a.Connectors().Delete(f.ctx, c.ID), "delete")
		wantNotFound(t, f.a.Connectors().Delete(f.ctx, c.ID), "delete again")
	})
}
