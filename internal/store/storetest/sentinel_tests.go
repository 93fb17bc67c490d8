package storetest

import (
	"strings"
	"testing"

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
	f.t.Helper()
	id := ids.New()
	err := tn.Sentinel().Record(f.ctx, store.SentinelActivity{
		ID: id, TargetType: store.SentinelTargetUser, TargetHash: hash, Action: action,
		ActionResult: result, Decision: store.SentinelDecisionAllowed, DecisionExpiresAt: at, CreatedAt: at,
	})
	mustOK(f.t, err, "Record "+result)
	return id
}

func (f *fixture) failures(tn store.Tenant, hash string, since int64) int {
	f.t.Helper()
	n, err := tn.Sentinel().CountFailures(f.ctx, sentinelTarget(hash), since)
	mustOK(f.t, err, "CountFailures")
	return n
}

func testSentinel(t *testing.T, open func(t *testing.T) store.Store) {
	const hashA = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	const hashB = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	const t0 = int64(1_700_000_000_000)

	t.Run("failures are counted per target, pool, window and tenant", func(t *testing.T) {
		f := newFixture(t, open)
		for i := range 3 {
			f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+int64(i)*1000)
		}
		f.attempt(f.a, hashA, store.SentinelActionVerificationCode, store.SentinelResultFailed, t0+3000)
		f.attempt(f.a, hashA, "MfaTotp", store.SentinelResultFailed, t0+4000) // another pool
		f.attempt(f.a, hashB, store.SentinelActionPassword, store.SentinelResultFailed, t0+5000)
		f.attempt(f.b, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+6000)

		for _, tc := range []struct {
			name  string
			tn    store.Tenant
			hash  string
			since int64
			want  int
		}{
			{"whole window, pooled actions only", f.a, hashA, 0, 4},
			{"window starts after the first failure", f.a, hashA, t0, 3},
			{"window after every failure", f.a, hashA, t0 + 10_000, 0},
			{"another target", f.a, hashB, 0, 1},
			{"another tenant", f.b, hashA, 0, 1},
			{"a target never seen", f.a, strings.Repeat("0", 64), 0, 0},
		} {
			wantEqual(t, f.failures(tc.tn, tc.hash, tc.since), tc.want, tc.name)
		}
		only := store.SentinelTarget{Type: store.SentinelTargetUser, Hash: hashA, Actions: []string{"MfaTotp"}}
		n, err := f.a.Sentinel().CountFailures(f.ctx, only, 0)
		mustOK(t, err, "CountFailures MfaTotp")
		wantEqual(t, n, 1, "isolated action pool")
	})

	t.Run("a success starts the count again", func(t *testing.T) {
		f := newFixture(t, open)
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		wantEqual(t, f.failures(f.a, hashA, 0), 2, "before the success")
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultSuccess, t0+2000)
		wantEqual(t, f.failures(f.a, hashA, 0), 0, "right after the success")
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+3000)
		wantEqual(t, f.failures(f.a, hashA, 0), 1, "a failure after the success")
		// Another target's success does not help.
		f.attempt(f.a, hashB, store.SentinelActionPassword, store.SentinelResultFailed, t0+4000)
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultSuccess, t0+5000)
		wantEqual(t, f.failures(f.a, hashB, 0), 1, "another target's success")
	})

	t.Run("a block locks the target until it expires and is not itself counted", func(t *testing.T) {
		f := newFixture(t, open)
		target := sentinelTarget(hashA)
		until, err := f.a.Sentinel().BlockedUntil(f.ctx, target, t0)
		mustOK(t, err, "BlockedUntil before any block")
		wantEqual(t, until, int64(0), "not locked at first")

		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		last := f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		mustOK(t, f.a.Sentinel().Block(f.ctx, last, t0+60_000), "Block")
		wantEqual(t, f.failures(f.a, hashA, 0), 1, "the blocking failure is not counted")

		for _, tc := range []struct {
			name string
			tn   store.Tenant
			hash string
			now  int64
			want int64
		}{
			{"during the lock", f.a, hashA, t0 + 30_000, t0 + 60_000},
			{"when the lock ends", f.a, hashA, t0 + 60_000, 0},
			{"after the lock", f.a, hashA, t0 + 90_000, 0},
			{"another target", f.a, hashB, t0 + 30_000, 0},
			{"another tenant", f.b, hashA, t0 + 30_000, 0},
		} {
			got, err := tc.tn.Sentinel().BlockedUntil(f.ctx, sentinelTarget(tc.hash), tc.now)
			mustOK(t, err, tc.name)
			wantEqual(t, got, tc.want, tc.name)
		}

		// A second, longer lock wins.
		other := f.attempt(f.a, hashA, store.SentinelActionOneTimeToken, store.SentinelResultFailed, t0+2000)
		mustOK(t, f.a.Sentinel().Block(f.ctx, other, t0+120_000), "Block again")
		got, err := f.a.Sentinel().BlockedUntil(f.ctx, target, t0+30_000)
		mustOK(t, err, "BlockedUntil with two locks")
		wantEqual(t, got, t0+120_000, "the latest lock")

		wantNotFound(t, f.a.Sentinel().Block(f.ctx, ids.New(), t0), "Block of an unknown activity")
		wantNotFound(t, f.b.Sentinel().Block(f.ctx, last, t0), "Block of another tenant's activity")
	})

	t.Run("old activities are pruned, live locks are kept", func(t *testing.T) {
		f := newFixture(t, open)
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		locking := f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+1000)
		mustOK(t, f.a.Sentinel().Block(f.ctx, locking, t0+100_000), "Block")
		f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0+50_000)
		f.attempt(f.b, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)

		n, err := f.a.Sentinel().DeleteBefore(f.ctx, t0+10_000)
		mustOK(t, err, "DeleteBefore")
		wantEqual(t, n, int64(1), "rows removed (the lock and the newer failure stay)")
		until, err := f.a.Sentinel().BlockedUntil(f.ctx, sentinelTarget(hashA), t0+20_000)
		mustOK(t, err, "BlockedUntil after pruning")
		wantEqual(t, until, t0+100_000, "the lock survives pruning")
		wantEqual(t, f.failures(f.a, hashA, 0), 1, "the newer failure survives pruning")
		wantEqual(t, f.failures(f.b, hashA, 0), 1, "other tenants are not pruned")

		n, err = f.a.Sentinel().DeleteBefore(f.ctx, t0+200_000)
		mustOK(t, err, "DeleteBefore after the lock")
		wantEqual(t, n, int64(2), "rows removed once the lock ended")
	})

	t.Run("attempts do not bump the generation", func(t *testing.T) {
		f := newFixture(t, open)
		before := f.generation(tenantA)
		id := f.attempt(f.a, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
		mustOK(t, f.a.Sentinel().Block(f.ctx, id, t0+1000), "Block")
		_, err := f.a.Sentinel().DeleteBefore(f.ctx, t0+5000)
		mustOK(t, err, "DeleteBefore")
		wantEqual(t, f.generation(tenantA), before, "generation after sentinel writes")
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
			wantInvalid(t, f.a.Sentinel().Record(f.ctx, a), tc.name)
		}
		wantEqual(t, f.failures(f.a, hashA, 0), 0, "nothing was recorded")

		for _, tc := range []struct {
			name   string
			target store.SentinelTarget
		}{
			{"no actions", store.SentinelTarget{Type: store.SentinelTargetUser, Hash: hashA}},
			{"no hash", store.SentinelTarget{Type: store.SentinelTargetUser, Actions: passwordPool}},
			{"no type", store.SentinelTarget{Hash: hashA, Actions: passwordPool}},
		} {
			_, err := f.a.Sentinel().CountFailures(f.ctx, tc.target, 0)
			wantInvalid(t, err, "CountFailures: "+tc.name)
			_, err = f.a.Sentinel().BlockedUntil(f.ctx, tc.target, 0)
			wantInvalid(t, err, "BlockedUntil: "+tc.name)
		}
	})

	t.Run("inside a transaction", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.st.InTx(f.ctx, tenantA, func(tn store.Tenant) error {
			id := f.attempt(tn, hashA, store.SentinelActionPassword, store.SentinelResultFailed, t0)
			if err := tn.Sentinel().Block(f.ctx, id, t0+1000); err != nil {
				return err
			}
			wantEqual(t, f.failures(tn, hashA, 0), 0, "blocked failure inside the transaction")
			return nil
		})
		mustOK(t, err, "InTx")
		until, err := f.a.Sentinel().BlockedUntil(f.ctx, sentinelTarget(hashA), t0)
		mustOK(t, err, "BlockedUntil after commit")
		wantEqual(t, until, t0+1000, "committed lock")
	})
}
