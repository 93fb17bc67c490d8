package eventrows

import (
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Scope and Sealer are what sqlstore lends this package (sqlx.TenantScope, sqlx.Sealer).
type (
	Scope  = sqlx.TenantScope
	Sealer = sqlx.Sealer
)

// Column limits, as the migrations declare them.
const (
	maxIDLen    = sqlx.MaxIDLen
	maxNameLen  = 256
	maxEventLen = 128
	maxKeyLen   = 128
)
