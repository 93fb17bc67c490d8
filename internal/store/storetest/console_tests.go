package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testConsoleSessions(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("create, read until expiry, delete, per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		now := f.tick()
		s := model.ConsoleSession{TenantID: tenantA, ID: "a1b2", UserID: "u1", IDToken: "eyJ.x.y", CSRF: "c", CreatedAt: now, ExpiresAt: now + 1000}
		mustOK(t, f.a.ConsoleSessions().Create(f.ctx, s), "create")
		got, err := f.a.ConsoleSessions().Get(f.ctx, "a1b2", now+999)
		mustOK(t, err, "get before expiry")
		if got.UserID != "u1" || got.IDToken != "eyJ.x.y" || got.CSRF != "c" || got.ExpiresAt != now+1000 {
			t.Fatalf("session = %+v", got)
		}
		if _, err := f.a.ConsoleSessions().Get(f.ctx, "a1b2", now+1000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if _, err := f.b.ConsoleSessions().Get(f.ctx, "a1b2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant's session: %v", err)
		}
		mustOK(t, f.a.ConsoleSessions().Create(f.ctx, model.ConsoleSession{ID: "old", UserID: "u1", CSRF: "c", CreatedAt: now, ExpiresAt: now + 10}), "create old")
		n, err := f.a.ConsoleSessions().DeleteExpired(f.ctx, now+10)
		mustOK(t, err, "delete expired")
		wantEqual(t, n, int64(1), "expired sessions deleted")
		mustOK(t, f.a.ConsoleSessions().Delete(f.ctx, "a1b2"), "delete")
		if _, err := f.a.ConsoleSessions().Get(f.ctx, "a1b2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
	})
}
