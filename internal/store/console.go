package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// ConsoleSessions persists admin console sessions.
type ConsoleSessions interface {
	Create(ctx context.Context, s model.ConsoleSession) error
	// Get returns an unexpired session at now (ErrNotFound otherwise).
	Get(ctx context.Context, id string, now int64) (model.ConsoleSession, error)
	Delete(ctx context.Context, id string) error
	// DeleteExpired removes the sessions expired at now.
	DeleteExpired(ctx context.Context, now int64) (int64, error)
}
