package applications

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// Applications runs the application use-cases. It is safe for concurrent use.
type Applications struct{ core *core.Core }

// New returns the application use-cases over c.
func New(c *core.Core) *Applications { return &Applications{core: c} }
