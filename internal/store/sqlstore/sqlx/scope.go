package sqlx

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// TenantScope is one tenant's access to the database as sqlstore's tenant scope lends it to its
// sub-packages (eventrows, connectorrows, consolerows, sentinelrows): the rows they own are not cached, so their writes
// leave the tenant's generation alone.
type TenantScope interface {
	TenantID() string
	// Reader is the connection for reads (the transaction's, inside one).
	Reader() (Conn, error)
	// Write runs fn as one all-or-nothing write (inside a transaction: in it, without a
	// savepoint).
	Write(ctx context.Context, fn func(c Conn) error) error
	// WriteSingle is Write for a closure that runs exactly one statement: outside a transaction
	// it runs in autocommit mode, saving the BEGIN and COMMIT round trips.
	WriteSingle(ctx context.Context, fn func(c Conn) error) error
}

// Sealer seals and opens secrets at rest (sealing.Sealer).
type Sealer interface {
	Seal(p secretbox.Place, plaintext string) (string, error)
	Open(p secretbox.Place, stored string) (string, error)
}
