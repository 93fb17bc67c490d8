package eventrows

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Scope is one tenant's access to the database, as sqlstore's tenant scope provides it.
type Scope interface {
	TenantID() string
	// Reader is the connection for reads (the transaction's, inside one).
	Reader() (sqlx.Conn, error)
	// Write runs fn as one all-or-nothing write, without touching the tenant's cache
	// generation: none of these rows is cached.
	Write(ctx context.Context, fn func(c sqlx.Conn) error) error
}

// Sealer seals and opens secrets at rest (sealing.Sealer).
type Sealer interface {
	Seal(p secretbox.Place, plaintext string) (string, error)
	Open(p secretbox.Place, stored string) (string, error)
}

// Column limits, as the migrations declare them.
const (
	maxIDLen    = 21
	maxNameLen  = 256
	maxEventLen = 128
	maxKeyLen   = 128
)

func checkLen(field, value string, required bool, limit int) error {
	if required && value == "" {
		return fmt.Errorf("sqlstore: %s is required", field)
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Errorf("sqlstore: %s is %d characters long, more than the %d allowed", field, n, limit)
	}
	return nil
}
