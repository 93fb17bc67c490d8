package core

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// PasswordHasher hashes and verifies user passwords; package password implements it.
type PasswordHasher interface {
	// Hash returns the stored form of a new password and its method (Logto's
	// users.password_encryption_method).
	Hash(ctx context.Context, plain string) (encrypted, method string, err error)
	// Verify checks plain against a stored hash of any Logto format; rehash reports that the
	// stored form should be replaced by Hash(plain) (an older or weaker format).
	Verify(ctx context.Context, plain, encrypted, method string) (ok, rehash bool, err error)
	// Decoy spends the cost of one Verify, so an unknown account answers as slowly as a known one.
	Decoy(ctx context.Context, plain string)
}

// Event is what a committed change tells the world: a webhook event and its audit entry.
// Use-cases emit events on the Tx of their change; they are written with it. Who caused the
// change (address, agent, route or interaction) travels in the context (model.Origin).
type Event struct {
	// Name is Logto's hook event ("User.Data.Updated", "PostSignIn", …).
	Name string
	// Data is the event's subject: for a Management API event the route's response body (Logto
	// sends ctx.response.body; nil for a 204), for an interaction event the model.User.
	Data any
	// UserID is the user the event is about, when there is one (the audit entry's userId).
	UserID string
	// AuditKey is the audit entry's key when it differs from Name (PostSignIn is audited as
	// Interaction.SignIn.Submit, as Logto logs the submit).
	AuditKey string
}

// EventSink writes a change's events inside its transaction (the webhook outbox, the audit
// log), so an event exists exactly when its change committed.
type EventSink interface {
	Append(ctx context.Context, tx store.Tenant, events []Event) error
}

// CommitListener is an EventSink told when a transaction holding its events committed (the
// webhook worker wakes at once instead of at its next poll).
type CommitListener interface {
	Committed(tenantID string)
}

// Core is the store, clock and logger every use-case package runs on, and its one way to write.
// It is safe for concurrent use.
type Core struct {
	st    store.Store
	fresh *store.Freshness
	clk   clock.Clock
	log   *slog.Logger
	sinks []EventSink
	// observe is told of every audit key written (sign-ins, token exchanges, deliveries…) and
	// whether it failed: the metrics' counters (package metrics). Nil: nobody listens.
	observe func(key string, failed bool)
}

// New returns the core over st; fresh is told of every committed write to cached data. log may
// be nil.
func New(st store.Store, fresh *store.Freshness, clk clock.Clock, log *slog.Logger) *Core {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Core{st: st, fresh: fresh, clk: clk, log: log}
}

// SetEventSinks makes every later Write append its events through each sink, in the change's
// own transaction. Without sinks, emitted events go nowhere. It is called once, at start-up,
// before any request is served.
func (c *Core) SetEventSinks(sinks ...EventSink) { c.sinks = sinks }

// SetObserver makes observe hear of every audit entry written (called once, at start-up).
func (c *Core) SetObserver(observe func(key string, failed bool)) { c.observe = observe }

// Observe tells the observer of an audit entry.
func (c *Core) Observe(key string, failed bool) {
	if c.observe != nil {
		c.observe(key, failed)
	}
}

// Store is the store, for reads and for the protocol's single-statement writes.
func (c *Core) Store() store.Store { return c.st }

// Freshness is the tenants' cache generation tracker.
func (c *Core) Freshness() *store.Freshness { return c.fresh }

// Clock is the injected clock.
func (c *Core) Clock() clock.Clock { return c.clk }

// Log is the logger.
func (c *Core) Log() *slog.Logger { return c.log }

// NowMs is the current time in epoch milliseconds, the unit of Logto's API timestamps.
func (c *Core) NowMs() int64 { return c.clk.Now().UnixMilli() }

// Tx is one change in progress: the tenant's store inside a transaction, and the events the
// change emits.
type Tx struct {
	store.Tenant
	events []Event
}

// Emit records that the change did name, with data; the event is written in the same
// transaction, after the change itself.
func (tx *Tx) Emit(name string, data any) {
	tx.events = append(tx.events, Event{Name: name, Data: data})
}

// EmitEvent is Emit with the event's user and audit key.
func (tx *Tx) EmitEvent(e Event) { tx.events = append(tx.events, e) }

// Write runs fn as one transaction on the tenant, writes the events it emitted in the same
// transaction and, once it committed, marks the tenant's in-process caches (applications,
// resources, roles, keys, sign-in experience) stale so the protocol side sees the change on
// its next request.
func (c *Core) Write(ctx context.Context, tenantID string, fn func(tx *Tx) error) error {
	if err := c.run(ctx, tenantID, fn); err != nil {
		return err
	}
	c.fresh.Invalidate(tenantID)
	return nil
}

// WriteUncached is Write for data no process caches (users and their role links): the change
// and its events commit together, and the caches are left alone.
func (c *Core) WriteUncached(ctx context.Context, tenantID string, fn func(tx *Tx) error) error {
	return c.run(ctx, tenantID, fn)
}

func (c *Core) run(ctx context.Context, tenantID string, fn func(tx *Tx) error) error {
	emitted := false
	err := c.st.InTx(ctx, tenantID, func(t store.Tenant) error {
		tx := &Tx{Tenant: t}
		if err := fn(tx); err != nil {
			return err
		}
		if len(tx.events) == 0 {
			return nil
		}
		emitted = true
		for _, sink := range c.sinks {
			if err := sink.Append(ctx, t, tx.events); err != nil {
				return fmt.Errorf("append events: %w", err)
			}
		}
		return nil
	})
	if err != nil || !emitted {
		return err
	}
	for _, sink := range c.sinks {
		if l, ok := sink.(CommitListener); ok {
			l.Committed(tenantID)
		}
	}
	return nil
}
