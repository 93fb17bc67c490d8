package keys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// reloadRetry is how long a tenant keeps serving its last good Set after a failed reload before
// trying again, so a database outage does not turn every signature into a query.
const reloadRetry = time.Second

// Manager hands out each tenant's Set, loaded from the tenant's oidc.privateKeys config row and
// cached until store.Freshness reports the tenant changed. It is safe for concurrent use.
type Manager struct {
	st    store.Store
	fresh *store.Freshness
	clk   clock.Clock
	log   *slog.Logger

	mu      sync.Mutex
	tenants map[string]*tenantKeys
}

// tenantKeys is the cache of one tenant; mu serialises its reloads without blocking other tenants.
type tenantKeys struct {
	mu       sync.Mutex
	loaded   bool
	token    store.Token
	retryAt  time.Time
	stored   *Set      // the keys as stored
	promoted *Set      // the keys with the staged Next promoted; nil when nothing is staged
	switchAt time.Time // when promoted takes over from stored
}

// NewManager returns a Manager reading keys from st. fresh decides when a tenant's cached keys
// are reloaded; clk decides when a staged rotation takes effect.
func NewManager(st store.Store, fresh *store.Freshness, clk clock.Clock, log *slog.Logger) *Manager {
	return &Manager{st: st, fresh: fresh, clk: clk, log: log, tenants: map[string]*tenantKeys{}}
}

// Keys returns the tenant's current Set. It reloads the keys when the tenant's data changed
// (store.Freshness) and otherwise costs two mutexes and a map lookup.
//
// Staged rotation: when a Next key is stored and signingKeyRotationState.signingKeyRotationAt has
// passed on the clock, the returned Set treats Next as already promoted (it signs; the old Current
// becomes Previous). Every node reads the same stored instant, so all nodes switch together
// without coordination; persisting the promotion (keys.Promote) is the key service's job, as in
// Logto's promoteScheduledSigningKeyRotation.
func (m *Manager) Keys(ctx context.Context, tenantID string) (*Set, error) {
	token, freshErr := m.fresh.Current(ctx, tenantID)

	m.mu.Lock()
	t, ok := m.tenants[tenantID]
	if !ok {
		t = &tenantKeys{}
		m.tenants[tenantID] = t
	}
	m.mu.Unlock()

	t.mu.Lock()
	defer t.mu.Unlock()
	now := m.clk.Now()
	switch {
	case !t.loaded:
		if err := m.load(ctx, tenantID, t, token); err != nil {
			return nil, err
		}
	case freshErr != nil:
		// The database is unreachable for now: keep signing with the keys we have.
		m.log.DebugContext(ctx, "keys: serving cached signing keys; freshness check failed",
			"tenant", tenantID, "err", freshErr)
	case t.token != token && !now.Before(t.retryAt):
		if err := m.load(ctx, tenantID, t, token); err != nil {
			t.retryAt = now.Add(reloadRetry)
			m.log.WarnContext(ctx, "keys: reload failed; serving the previous signing keys",
				"tenant", tenantID, "err", err)
		}
	}
	if t.promoted != nil && !now.Before(t.switchAt) {
		return t.promoted, nil
	}
	return t.stored, nil
}

// load reads the tenant's keys and rotation state and replaces t's Sets; on error t is unchanged.
func (m *Manager) load(ctx context.Context, tenantID string, t *tenantKeys, token store.Token) error {
	configs := m.st.Tenant(tenantID).Configs()
	raw, err := configs.Get(ctx, model.ConfigPrivateKeys)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("keys: tenant %q has no %s; seed the database first: %w", tenantID, model.ConfigPrivateKeys, err)
	}
	if err != nil {
		return fmt.Errorf("keys: read %s of tenant %q: %w", model.ConfigPrivateKeys, tenantID, err)
	}
	var rows []model.PrivateKey
	if err := json.Unmarshal(raw, &rows); err != nil {
		return fmt.Errorf("keys: decode %s of tenant %q: %w", model.ConfigPrivateKeys, tenantID, err)
	}
	stored, err := NewSet(rows)
	if err != nil {
		return fmt.Errorf("keys: tenant %q: %w", tenantID, err)
	}

	var (
		promoted *Set
		switchAt time.Time
	)
	if _, next, _ := byStatus(Normalize(rows)); next != nil {
		state, err := m.rotationState(ctx, configs)
		if err != nil {
			return fmt.Errorf("keys: tenant %q: %w", tenantID, err)
		}
		if at, scheduled := RotationTime(state); scheduled {
			if promoted, err = NewSet(Promote(rows)); err != nil {
				return fmt.Errorf("keys: tenant %q: promote staged key: %w", tenantID, err)
			}
			switchAt = at
		}
	}
	t.loaded, t.token, t.retryAt = true, token, time.Time{}
	t.stored, t.promoted, t.switchAt = stored, promoted, switchAt
	return nil
}

func (m *Manager) rotationState(ctx context.Context, configs store.Configs) (model.SigningKeyRotationState, error) {
	var state model.SigningKeyRotationState
	raw, err := configs.Get(ctx, model.ConfigSigningKeyRotationState)
	if errors.Is(err, store.ErrNotFound) {
		return state, nil
	}
	if err != nil {
		return state, fmt.Errorf("read %s: %w", model.ConfigSigningKeyRotationState, err)
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		return state, fmt.Errorf("decode %s: %w", model.ConfigSigningKeyRotationState, err)
	}
	return state, nil
}
