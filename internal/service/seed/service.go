package seed

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// Seeder seeds tenants. It is safe for concurrent use.
type Seeder struct{ core *core.Core }

// New returns a seeder over c.
func New(c *core.Core) *Seeder { return &Seeder{core: c} }
