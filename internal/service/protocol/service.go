package protocol

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// Protocol runs the protocol artifact use-cases. It is safe for concurrent use.
type Protocol struct{ core *core.Core }

// New returns the protocol artifact use-cases over c.
func New(c *core.Core) *Protocol { return &Protocol{core: c} }
