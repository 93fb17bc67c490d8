package users

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

// SignInExperiences is what the user use-cases read of the sign-in experience (the identifiers
// users may sign in with); package signinexp implements it.
type SignInExperiences interface {
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
}

// Users runs the user use-cases. It is safe for concurrent use.
type Users struct {
	core      *core.Core
	passwords core.PasswordHasher
	signIn    SignInExperiences
}

// New returns the user use-cases over c; passwords hashes and verifies passwords (nil refuses
// every password operation), signIn tells which identifiers sign in.
func New(c *core.Core, passwords core.PasswordHasher, signIn SignInExperiences) *Users {
	return &Users{core: c, passwords: passwords, signIn: signIn}
}
