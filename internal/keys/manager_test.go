package keys

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// fakeStore is the part of store.Store the Manager uses: config rows and the generation counter.
// Other methods are left to the embedded nil interface and would panic if the Manager called them.
type fakeStore struct {
	store.Store
	mu      sync.Mutex
	rows    map[string]json.RawMessage // tenant + "/" + key
	gen     map[string]int64
	reads   int
	readErr error
}

func newFakeStore() *fakeStore {
	return &fakeStore{rows: map[string]json.RawMessage{}, gen: map[string]int64{}}
}

func (s *fakeStore) Tenant(id string) store.Tenant { return fakeTenant{id: id, st: s} }

func (s *fakeStore) Generation(_ context.Context, tenantID string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen[tenantID], nil
}

// put writes a config row the way another node would: the generation grows.
func (s *fakeStore) put(t testing.TB, tenantID, key string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[tenantID+"/"+key] = raw
	s.gen[tenantID]++
}

func (s *fakeStore) readCount() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reads }

type fakeTenant struct {
	store.Tenant
	id string
	st *fakeStore
}

func (t fakeTenant) ID() string             { return t.id }
func (t fakeTenant) Configs() store.Configs { return fakeConfigs(t) }

type fakeConfigs fakeTenant

func (c fakeConfigs) Get(_ context.Context, key string) (json.RawMessage, error) {
	c.st.mu.Lock()
	defer c.st.mu.Unlock()
	c.st.reads++
	if c.st.readErr != nil {
		return nil, c.st.readErr
	}
	raw, ok := c.st.rows[c.id+"/"+key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return raw, nil
}

func (c fakeConfigs) Put(context.Context, string, json.RawMessage) error {
	return errors.New("fakeConfigs: Put is not used by the Manager")
}

type managerFixture struct {
	st    *fakeStore
	clk   *clock.Fake
	fresh *store.Freshness
	m     *Manager
}

func newManagerFixture(t *testing.T) *managerFixture {
	st := newFakeStore()
	clk := clock.NewFake(time.Unix(1_760_000_000, 0))
	// A long interval: only Invalidate (or the interval passing) makes the Manager look again.
	fresh := store.NewFreshness(st, clk, time.Hour)
	return &managerFixture{st: st, clk: clk, fresh: fresh,
		m: NewManager(st, fresh, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))}
}

func (f *managerFixture) kid(t *testing.T, tenantID string) string {
	t.Helper()
	set, err := f.m.Keys(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	return set.KeyID()
}

func TestManagerCachesAndReloadsAfterInvalidate(t *testing.T) {
	f := newManagerFixture(t)
	first, second := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(first, model.KeyCurrent))
	f.st.put(t, "admin", model.ConfigPrivateKeys, withStatus(second, model.KeyCurrent))

	if got := f.kid(t, "default"); got != kidOf(t, first.Value) {
		t.Fatalf("default tenant signs with %s, want %s", got, kidOf(t, first.Value))
	}
	if got := f.kid(t, "admin"); got != kidOf(t, second.Value) {
		t.Fatalf("admin tenant signs with %s, want its own key %s", got, kidOf(t, second.Value))
	}
	reads := f.st.readCount()
	for range 5 {
		f.kid(t, "default")
	}
	if f.st.readCount() != reads {
		t.Errorf("cached Keys read the store %d more times", f.st.readCount()-reads)
	}

	// A rotation written by this process: visible at once after Invalidate.
	f.st.put(t, "default", model.ConfigPrivateKeys, Rotate(withStatus(first, model.KeyCurrent), second, false))
	if got := f.kid(t, "default"); got != kidOf(t, first.Value) {
		t.Errorf("before Invalidate Keys already changed (freshness interval not honoured)")
	}
	f.fresh.Invalidate("default")
	set, err := f.m.Keys(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if set.KeyID() != kidOf(t, second.Value) {
		t.Errorf("after Invalidate the tenant signs with %s, want the rotated key %s", set.KeyID(), kidOf(t, second.Value))
	}
	if got := publishedKids(t, set); !equalStrings(got, []string{kidOf(t, second.Value), kidOf(t, first.Value)}) {
		t.Errorf("JWKS kids after rotation = %v, want new Current then Previous", got)
	}
}

func TestManagerSeesOtherNodesAfterInterval(t *testing.T) {
	f := newManagerFixture(t)
	first, second := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(first, model.KeyCurrent))
	f.kid(t, "default")
	f.st.put(t, "default", model.ConfigPrivateKeys, Rotate(withStatus(first, model.KeyCurrent), second, false))
	f.clk.Advance(time.Hour)
	if got := f.kid(t, "default"); got != kidOf(t, second.Value) {
		t.Errorf("a rotation by another node is not seen after the freshness interval (kid %s)", got)
	}
}

func TestManagerStagedRotationSwitchesAtRotationTime(t *testing.T) {
	f := newManagerFixture(t)
	current, next := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	f.st.put(t, "default", model.ConfigPrivateKeys, Rotate(withStatus(current, model.KeyCurrent), next, true))
	f.st.put(t, "default", model.ConfigSigningKeyRotationState, ScheduleRotation(f.clk.Now(), 10*time.Minute))

	set, err := f.m.Keys(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if set.KeyID() != kidOf(t, current.Value) {
		t.Errorf("before the rotation time the tenant signs with %s, want Current", set.KeyID())
	}
	if got := publishedKids(t, set); !equalStrings(got, []string{kidOf(t, current.Value), kidOf(t, next.Value)}) {
		t.Errorf("JWKS before the switch = %v, want Current and Next", got)
	}
	reads := f.st.readCount()

	f.clk.Advance(10*time.Minute - time.Second)
	if got := f.kid(t, "default"); got != kidOf(t, current.Value) {
		t.Errorf("one second before the rotation time the tenant signs with %s", got)
	}
	f.clk.Advance(time.Second)
	if got := f.kid(t, "default"); got != kidOf(t, next.Value) {
		t.Errorf("at the rotation time the tenant signs with %s, want the staged Next %s", got, kidOf(t, next.Value))
	}
	if f.st.readCount() != reads {
		t.Errorf("the switch read the store; it should need only the clock")
	}
}

func TestManagerStagedWithoutScheduleKeepsCurrent(t *testing.T) {
	f := newManagerFixture(t)
	current, next := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	f.st.put(t, "default", model.ConfigPrivateKeys, Rotate(withStatus(current, model.KeyCurrent), next, true))
	f.clk.Advance(1000 * time.Hour)
	if got := f.kid(t, "default"); got != kidOf(t, current.Value) {
		t.Errorf("a Next key with no signingKeyRotationAt signs (%s)", got)
	}
}

func TestManagerErrors(t *testing.T) {
	t.Run("no keys row", func(t *testing.T) {
		f := newManagerFixture(t)
		_, err := f.m.Keys(context.Background(), "default")
		if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "seed") {
			t.Errorf("error = %v, want a wrapped ErrNotFound telling to seed", err)
		}
	})
	t.Run("malformed row on first load", func(t *testing.T) {
		f := newManagerFixture(t)
		f.st.put(t, "default", model.ConfigPrivateKeys, map[string]string{"not": "a list"})
		if _, err := f.m.Keys(context.Background(), "default"); err == nil {
			t.Error("Keys accepted a malformed oidc.privateKeys row")
		}
	})
	t.Run("bad reload keeps serving the last good keys", func(t *testing.T) {
		f := newManagerFixture(t)
		good := importKey(t, "ec-p384.pem")
		f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(good, model.KeyCurrent))
		f.kid(t, "default")
		f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(good, model.KeyPrevious)) // no Current
		f.fresh.Invalidate("default")
		if got := f.kid(t, "default"); got != kidOf(t, good.Value) {
			t.Errorf("after a bad write the tenant signs with %s, want the last good key", got)
		}
	})
	t.Run("database down keeps serving the last good keys", func(t *testing.T) {
		f := newManagerFixture(t)
		good := importKey(t, "ec-p384.pem")
		f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(good, model.KeyCurrent))
		f.kid(t, "default")
		f.st.mu.Lock()
		f.st.readErr = errors.New("connection refused")
		f.st.mu.Unlock()
		f.fresh.Invalidate("default")
		if got := f.kid(t, "default"); got != kidOf(t, good.Value) {
			t.Errorf("with the database down the tenant signs with %s, want the cached key", got)
		}
	})
}

func TestManagerConcurrentUse(t *testing.T) {
	f := newManagerFixture(t)
	f.st.put(t, "default", model.ConfigPrivateKeys, withStatus(importKey(t, "ec-p256.pem"), model.KeyCurrent))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			if i%4 == 0 {
				f.fresh.Invalidate("default")
			}
			set, err := f.m.Keys(context.Background(), "default")
			if err == nil {
				_, err = set.Sign(testClaims{Sub: "x"}, TypIDToken)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
