package signinexp

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// SignInExperiences runs the sign-in experience use-cases. It is safe for concurrent use.
type SignInExperiences struct {
	core  *core.Core
	cache signInExperienceCache
}

// New returns the sign-in experience use-cases over c.
func New(c *core.Core) *SignInExperiences { return &SignInExperiences{core: c} }
