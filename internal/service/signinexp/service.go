package signinexp

import "github.com/gatehouse-id/gatehouse/internal/service/core"

// SignInExperiences runs the sign-in experience use-cases. It is safe for concurrent use.
type SignInExperiences struct {
	core  *core.Core
	cache signInExperienceCache
	// isEmailFactory tells an email connector's factory id (the connector registry's); nil: none.
	isEmailFactory func(factoryID string) bool
}

// SetEmailFactories tells the use-cases which connector factories send email, so that email
// sign-up and code sign-in are allowed once such a connector exists (Logto's
// enabled_connector_not_found rule).
func (s *SignInExperiences) SetEmailFactories(isEmail func(factoryID string) bool) {
	s.isEmailFactory = isEmail
}

// New returns the sign-in experience use-cases over c.
func New(c *core.Core) *SignInExperiences { return &SignInExperiences{core: c} }
