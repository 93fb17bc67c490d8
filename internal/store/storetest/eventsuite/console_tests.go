package eventsuite

import (
	"errors"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// ConsoleSessions is the conformance suite of its repository.
func ConsoleSessions(t *testing.T, open fx.Open) {
	t.Run("create, read until expiry, delete, per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		now := f.Tick()
		s := model.ConsoleSession{TenantID: fx.TenantA, ID: "a1b2", UserID: "u1", IDToken: "eyJ.x.y", CSRF: "c", CreatedAt: now, ExpiresAt: now + 1000}
		fx.MustOK(t, f.A.ConsoleSessions().Create(f.Ctx, s), "create")
		got, err := f.A.ConsoleSessions().Get(f.Ctx, "a1b2", now+999)
		fx.MustOK(t, err, "get before expiry")
		if got.UserID != "u1" || got.IDToken != "eyJ.x.y" || got.CSRF != "c" || got.ExpiresAt != now+1000 {
			t.Fatalf("session = %+v", got)
		}
		if _, err := f.A.ConsoleSessions().Get(f.Ctx, "a1b2", now+1000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if _, err := f.B.ConsoleSessions().Get(f.Ctx, "a1b2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant's session: %v", err)
		}
		fx.MustOK(t, f.A.ConsoleSessions().Create(f.Ctx, model.ConsoleSession{ID: "old", UserID: "u1", CSRF: "c", CreatedAt: now, ExpiresAt: now + 10}), "create old")
		n, err := f.A.ConsoleSessions().DeleteExpired(f.Ctx, now+10)
		fx.MustOK(t, err, "delete expired")
		fx.WantEqual(t, n, int64(1), "expired sessions deleted")
		fx.MustOK(t, f.A.ConsoleSessions().Delete(f.Ctx, "a1b2"), "delete")
		if _, err := f.A.ConsoleSessions().Get(f.Ctx, "a1b2", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
	})
}
