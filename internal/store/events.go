package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Hooks persists webhook subscriptions. Signing keys are sealed at rest (secretbox) and come
// back in clear from every read.
type Hooks interface {
	Create(ctx context.Context, h model.Hook) error
	Get(ctx context.Context, id string) (model.Hook, error)
	// List returns a page in creation order (oldest first) and the total; a zero Page lists all.
	List(ctx context.Context, p Page) ([]model.Hook, int, error)
	// Update replaces name, event, events, config, signingKey and enabled of h.ID.
	Update(ctx context.Context, h model.Hook) error
	// Delete removes the hook and its deliveries.
	Delete(ctx context.Context, id string) error
}

// Deliveries is a tenant's webhook outbox: one row per event and hook, written in the
// transaction of the change that caused the event.
type Deliveries interface {
	// Enqueue inserts pending deliveries (ids, bodies and times set by the caller).
	Enqueue(ctx context.Context, ds []model.Delivery) error
	// Get returns one delivery with its body.
	Get(ctx context.Context, id string) (model.Delivery, error)
	// List returns a page, newest first, and the total matching f; bodies are included.
	List(ctx context.Context, f model.DeliveryFilter, p Page) ([]model.Delivery, int, error)
	// Finish records the outcome of an attempt by the worker holding claimToken: attempts grows
	// by one, the claim is released, and status, next attempt, last response code and error are
	// set from o. ErrNotFound when the delivery is gone or its claim passed to another worker.
	Finish(ctx context.Context, id, claimToken string, o model.DeliveryOutcome) error
	// Redeliver makes a delivered or dead delivery pending again, due at now, with its attempt
	// count reset (ErrNotFound when absent). A pending one is left as it is.
	Redeliver(ctx context.Context, id string, now int64) error
	// DeleteFinishedBefore removes delivered and dead deliveries last updated before cutoff.
	DeleteFinishedBefore(ctx context.Context, cutoff int64) (int64, error)
	// ReleaseClaims frees every claim of the tenant's deliveries. Only for a deployment with one
	// server, at its start: no other worker can hold a claim then (SQLite).
	ReleaseClaims(ctx context.Context) (int64, error)
}

// DeliveryQueue is the outbox of every tenant, drained by the delivery workers of every node.
type DeliveryQueue interface {
	// ClaimDeliveries takes up to limit pending deliveries due at or before now whose claim is
	// absent or expired, oldest due first, and claims them until leaseUntil with a fresh claim
	// token each. Two workers never get the same row while its claim holds (PostgreSQL: FOR
	// UPDATE SKIP LOCKED; SQLite: the single writer).
	ClaimDeliveries(ctx context.Context, now, leaseUntil int64, limit int) ([]model.Delivery, error)
	// PendingDeliveries counts pending deliveries across tenants (the queue depth).
	PendingDeliveries(ctx context.Context) (int, error)
}

// LogFilter is a model type (model/hook.go).
type LogFilter = model.LogFilter

// Logs persists audit log entries.
type Logs interface {
	// Append inserts entries (ids, keys, payloads and times set by the caller).
	Append(ctx context.Context, logs []model.Log) error
	Get(ctx context.Context, id string) (model.Log, error)
	// List returns a page of entries matching f, newest first.
	List(ctx context.Context, f LogFilter, p Page) ([]model.Log, error)
	// Count counts the entries matching f; with capAt > 0 it stops counting past capAt and
	// reports capped (Logto's enableCap, which bounds the scan on large tables).
	Count(ctx context.Context, f LogFilter, capAt int) (count int, capped bool, err error)
	// HookStats counts TriggerHook entries of hookID created after since, and those whose
	// result is Success (Logto's executionStats).
	HookStats(ctx context.Context, hookID string, since int64) (model.HookExecutionStats, error)
	// DeleteBefore removes entries created before cutoff (retention).
	DeleteBefore(ctx context.Context, cutoff int64) (int64, error)
}
