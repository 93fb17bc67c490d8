package eventrows

import (
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Scope and Sealer are what sqlstore lends this package (sqlx.TenantScope, sqlx.Sealer).
type (
	Scope  = sqlx.TenantScope
	Sealer = sqlx.Sealer
)

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
