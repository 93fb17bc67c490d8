package keyring

import (
	"time"

	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

// Keyring runs the key use-cases. It is safe for concurrent use.
type Keyring struct {
	core *core.Core
	// grace is Logto's PRIVATE_KEY_ROTATION_GRACE_PERIOD: with a value above zero a rotated
	// signing key is first published as Next and only signs once the period is over, so relying
	// parties that cache the JWKS see it before any token carries it.
	grace time.Duration
}

// New returns the key use-cases over c with the given rotation grace period.
func New(c *core.Core, grace time.Duration) *Keyring { return &Keyring{core: c, grace: grace} }
