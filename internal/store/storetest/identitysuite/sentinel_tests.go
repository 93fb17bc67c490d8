package identitysuite

import (
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// passwordPool is the pool Logto counts password failures in.
var passwordPool = []string{store.SentinelActionPassword, store.SentinelActionVerificationCode, store.SentinelActionOneTimeToken}

func sentinelTarget(hash string) store.SentinelTarget {
	return store.SentinelTarget{Type: store.SentinelTargetUser, Hash: hash, Actions: passwordPool}
}

// attempt records one activity on tn and returns its id.
func (f *fixture) attempt(tn store.Tenant, hash, action, result string, at int64) string {
	f.T.Helper()
	id := ids.New()
	err := tn.Sentinel().Record(f.Ctx, store.SentinelActivity{
		ID: id, TargetType: store.SentinelTargetUser, TargetHash: hash, Action: action,
		ActionResult: result, Decision: store.SentinelDecisionAllowed, DecisionExpiresAt: at, CreatedAt: at,
	})
	fx.MustOK(f.T, err, "Record "+result)
	return id
}

func (f *fixture) failures(tn store.Tenant, hash string, since int64) int {
	f.T.Helper()
	n, err := tn.Sentinel().CountFailures(f.Ctx, sentinelTarget(hash), since)
	fx.MustOK(f.T, err, "CountFailures")
	return n
}

// Sentinel is the conformance suite of its repository.
func Sentinel(t *testing.T, open fx.Open) {
	const hashA = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	const hashB = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	const t0 = int64(1_700_000_000_000)

	t.Run("failures are counted per target, pool, window and tenant", func(t *testing.T) {
		f := newFixture(t, open)
		for i := range 3 {
			f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+int64(i)*1000)
		}
		f.attempt(f.A, hashA, store.SentinelActionVerificationCode, store.SentinelResultFailed, t0+3000)
		f.attempt(f.A, hashA, "MfaTotp", store.SentinelResultFailed, t0+4000) // another pool
		f.attempt(f.A, hashB, store.SentinelActionPassword, store.SentinelResultFailed, t0+5000)
		f.attempt(f.B, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+6000)

		for _, tc := range []struct {
			name  string
			tn    store.Tenant
			hash  string
			since int64
			want  int
		}{
			{"whole window, pooled actions only", f.A, hashA, 0, 4},
			{"window starts after the first failure", f.A, hashA, t0, 3},
			{"window after every failure", f.A, hashA, t0 + 10_000, 0},
			{"another target", f.A, hashB, 0, 1},
			{"another tenant", f.B, hashA, 0, 1},
			{"a target never seen", f.A, strings.Repeat("0", 64), 0, 0},
		} {
			fx.WantEqual(t, f.failures(tc.tn, tc.hash, tc.since), tc.want, tc.name)
		}
		only := store.SentinelTarget{Type: store.SentinelTargetUser, Hash: hashA, Actions: []string{"MfaTotp"}}
		n, err := f.A.Sentinel().CountFailures(f.Ctx, only, 0)
		fx.MustOK(t, err, "CountFailures MfaTotp")
		fx.WantEqual(t, n, 1, "isolated action pool")
	})

	t.Run("a success starts the count again", func(t *testing.T) {
		f := newFixture(t, open)
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 2, "before the success")
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultSuccess, t0+2000)
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 0, "right after the success")
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+3000)
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 1, "a failure after the success")
		// Another target's success does not help.
		f.attempt(f.A, hashB, store.SentinelActionPassword, store.SentinelResultFailed, t0+4000)
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultSuccess, t0+5000)
		fx.WantEqual(t, f.failures(f.A, hashB, 0), 1, "another target's success")
	})

	t.Run("a block locks the target until it expires and is not itself counted", func(t *testing.T) {
		f := newFixture(t, open)
		target := sentinelTarget(hashA)
		until, err := f.A.Sentinel().BlockedUntil(f.Ctx, target, t0)
		fx.MustOK(t, err, "BlockedUntil before any block")
		fx.WantEqual(t, until, int64(0), "not locked at first")

		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		last := f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		fx.MustOK(t, f.A.Sentinel().Block(f.Ctx, last, t0+60_000), "Block")
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 1, "the blocking failure is not counted")

		for _, tc := range []struct {
			name string
			tn   store.Tenant
			hash string
			now  int64
			want int64
		}{
			{"during the lock", f.A, hashA, t0 + 30_000, t0 + 60_000},
			{"when the lock ends", f.A, hashA, t0 + 60_000, 0},
			{"after the lock", f.A, hashA, t0 + 90_000, 0},
			{"another target", f.A, hashB, t0 + 30_000, 0},
			{"another tenant", f.B, hashA, t0 + 30_000, 0},
		} {
			got, err := tc.tn.Sentinel().BlockedUntil(f.Ctx, sentinelTarget(tc.hash), tc.now)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, got, tc.want, tc.name)
		}

		// A second, longer lock wins.
		other := f.attempt(f.A, hashA, store.SentinelActionOneTimeToken, store.SentinelResultFailed, t0+2000)
		fx.MustOK(t, f.A.Sentinel().Block(f.Ctx, other, t0+120_000), "Block again")
		got, err := f.A.Sentinel().BlockedUntil(f.Ctx, target, t0+30_000)
		fx.MustOK(t, err, "BlockedUntil with two locks")
		fx.WantEqual(t, got, t0+120_000, "the latest lock")

		fx.WantNotFound(t, f.A.Sentinel().Block(f.Ctx, ids.New(), t0), "Block of an unknown activity")
		fx.WantNotFound(t, f.B.Sentinel().Block(f.Ctx, last, t0), "Block of another tenant's activity")
	})

	t.Run("old activities are pruned, live locks are kept", func(t *testing.T) {
		f := newFixture(t, open)
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		locking := f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		fx.MustOK(t, f.A.Sentinel().Block(f.Ctx, locking, t0+100_000), "Block")
		f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+50_000)
		f.attempt(f.B, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)

		n, err := f.A.Sentinel().DeleteBefore(f.Ctx, t0+10_000)
		fx.MustOK(t, err, "DeleteBefore")
		fx.WantEqual(t, n, int64(1), "rows removed (the lock and the newer failure stay)")
		until, err := f.A.Sentinel().BlockedUntil(f.Ctx, sentinelTarget(hashA), t0+20_000)
		fx.MustOK(t, err, "BlockedUntil after pruning")
		fx.WantEqual(t, until, t0+100_000, "the lock survives pruning")
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 1, "the newer failure survives pruning")
		fx.WantEqual(t, f.failures(f.B, hashA, 0), 1, "other tenants are not pruned")

		n, err = f.A.Sentinel().DeleteBefore(f.Ctx, t0+200_000)
		fx.MustOK(t, err, "DeleteBefore after the lock")
		fx.WantEqual(t, n, int64(2), "rows removed once the lock ended")
	})

	t.Run("attempts do not bump the generation", func(t *testing.T) {
		f := newFixture(t, open)
		before := f.Generation(fx.TenantA)
		id := f.attempt(f.A, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		fx.MustOK(t, f.A.Sentinel().Block(f.Ctx, id, t0+1000), "Block")
		_, err := f.A.Sentinel().DeleteBefore(f.Ctx, t0+5000)
		fx.MustOK(t, err, "DeleteBefore")
		fx.WantEqual(t, f.Generation(fx.TenantA), before, "generation after sentinel writes")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		valid := store.SentinelActivity{
			ID: ids.New(), TargetType: store.SentinelTargetUser, TargetHash: hashA, Action: store.SentinelActionPassword,
			ActionResult: store.SentinelResultFailed, Decision: store.SentinelDecisionAllowed, CreatedAt: t0, DecisionExpiresAt: t0,
		}
		for _, tc := range []struct {
			name string
			mod  func(*store.SentinelActivity)
		}{
			{"no id", func(a *store.SentinelActivity) { a.ID = "" }},
			{"id too long", func(a *store.SentinelActivity) { a.ID = strings.Repeat("x", 22) }},
			{"no target hash", func(a *store.SentinelActivity) { a.TargetHash = "" }},
			{"target hash too long", func(a *store.SentinelActivity) { a.TargetHash = strings.Repeat("a", 65) }},
			{"unknown target type", func(a *store.SentinelActivity) { a.TargetType = "Robot" }},
			{"unknown result", func(a *store.SentinelActivity) { a.ActionResult = "Maybe" }},
			{"unknown decision", func(a *store.SentinelActivity) { a.Decision = "Perhaps" }},
		} {
			a := valid
			a.ID = ids.New()
			tc.mod(&a)
			fx.WantInvalid(t, f.A.Sentinel().Record(f.Ctx, a), tc.name)
		}
		fx.WantEqual(t, f.failures(f.A, hashA, 0), 0, "nothing was recorded")

		for _, tc := range []struct {
			name   string
			target store.SentinelTarget
		}{
			{"no actions", store.SentinelTarget{Type: store.SentinelTargetUser, Hash: hashA}},
			{"no hash", store.SentinelTarget{Type: store.SentinelTargetUser, Actions: passwordPool}},
			{"no type", store.SentinelTarget{Hash: hashA, Actions: passwordPool}},
		} {
			_, err := f.A.Sentinel().CountFailures(f.Ctx, tc.target, 0)
			fx.WantInvalid(t, err, "CountFailures: "+tc.name)
			_, err = f.A.Sentinel().BlockedUntil(f.Ctx, tc.target, 0)
			fx.WantInvalid(t, err, "BlockedUntil: "+tc.name)
		}
	})

	t.Run("inside a transaction", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tn store.Tenant) error {
			id := f.attempt(tn, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
			if err := tn.Sentinel().Block(f.Ctx, id, t0+1000); err != nil {
				return err
			}
			fx.WantEqual(t, f.failures(tn, hashA, 0), 0, "blocked failure inside the transaction")
			return nil
		})
		fx.MustOK(t, err, "InTx")
		until, err := f.A.Sentinel().BlockedUntil(f.Ctx, sentinelTarget(hashA), t0)
		fx.MustOK(t, err, "BlockedUntil after commit")
		fx.WantEqual(t, until, t0+1000, "committed lock")
	})
}
