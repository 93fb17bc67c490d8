package access

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// Access runs the resource, scope and role use-cases. It is safe for concurrent use.
type Access struct{ core *core.Core }

// New returns the resource, scope and role use-cases over c.
func New(c *core.Core) *Access { return &Access{core: c} }
