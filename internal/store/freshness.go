package store

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
)

// Freshness tells in-process caches whether a tenant's cached data may be stale, reading the
// store's generation counter at most once per interval per tenant. A write in this process calls
// Invalidate, so it is seen at once; a write by another process or node (another Gatehouse on the
// same PostgreSQL, or the CLI on the same SQLite file) is seen within one interval. The hot path
// therefore costs a map lookup, not a database read.
type Freshness struct {
	st       Store
	clk      clock.Clock
	interval time.Duration

	mu      sync.Mutex
	tenants map[string]*freshEntry
}

type freshEntry struct {
	gen     int64
	checked time.Time
	local   int64 // bumped by Invalidate so a local write changes the answer immediately
}

// NewFreshness returns a Freshness over st that rereads a tenant's generation after interval.
func NewFreshness(st Store, clk clock.Clock, interval time.Duration) *Freshness {
	return &Freshness{st: st, clk: clk, interval: interval, tenants: map[string]*freshEntry{}}
}

// Token identifies the state of a tenant's data; a cache that loaded under one token reloads when
// Current returns a different one.
type Token struct{ stored, local int64 }

// Current returns the tenant's current token, reading the store only when the last read is older
// than the interval. On a read error the last known token is kept and the error returned, so
// callers can go on serving cached data while the database is briefly unreachable.
func (f *Freshness) Current(ctx context.Context, tenantID string) (Token, error) {
	now := f.clk.Now()
	f.mu.Lock()
	e, ok := f.tenants[tenantID]
	if ok && now.Sub(e.checked) < f.interval {
		t := Token{e.gen, e.local}
		f.mu.Unlock()
		return t, nil
	}
	f.mu.Unlock()

	gen, err := f.st.Generation(ctx, tenantID)

	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok = f.tenants[tenantID]
	if !ok {
		e = &freshEntry{}
		f.tenants[tenantID] = e
	}
	if err != nil {
		return Token{e.gen, e.local}, err
	}
	e.gen, e.checked = gen, now
	return Token{e.gen, e.local}, nil
}

// Invalidate marks a tenant's caches stale after a write in this process.
func (f *Freshness) Invalidate(tenantID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.tenants[tenantID]
	if !ok {
		e = &freshEntry{}
		f.tenants[tenantID] = e
	}
	e.local++
	e.checked = time.Time{} // also reread the stored generation on next use
}
