package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Connectors persists connector instances. Configs are sealed at rest (they hold client
// secrets) and come back in clear from every read.
type Connectors interface {
	Create(ctx context.Context, c model.Connector) error
	Get(ctx context.Context, id string) (model.Connector, error)
	// List returns every connector of the tenant, oldest first.
	List(ctx context.Context) ([]model.Connector, error)
	// Update replaces config, metadata, syncProfile and enableTokenStorage of c.ID.
	Update(ctx context.Context, c model.Connector) error
	Delete(ctx context.Context, id string) error
}
