package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Accounts reads the users tokens are issued to; *service.Service implements it.
type Accounts interface {
	// GetUser returns a user (404 entity.not_found when absent).
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
	// UserRoleNames returns the names of the user's roles (the `roles` claim).
	UserRoleNames(ctx context.Context, tenantID, userID string) ([]string, error)
	// UserScopeNames returns the names of a resource's scopes the user holds through roles.
	UserScopeNames(ctx context.Context, tenantID, userID, resourceID string) ([]string, error)
}

// InactiveAccountError means the user a code, token or session belongs to can no longer get
// tokens: deleted or suspended. Logto's findAccount refuses both on every use ("user not found",
// "user is suspended"), so a suspension takes effect at the next refresh even if some token
// escaped the revocation.
type InactiveAccountError struct{ Reason string }

func (e *InactiveAccountError) Error() string { return e.Reason }

// ActiveUser returns the user id when it exists and is not suspended, an *InactiveAccountError
// when it is not, and any other error as a fault.
func ActiveUser(ctx context.Context, accounts Accounts, tenantID, id string) (model.User, error) {
	u, err := accounts.GetUser(ctx, tenantID, id)
	if err != nil {
		if e, ok := apperr.As(err); (ok && e.Status == http.StatusNotFound) || errors.Is(err, model.ErrNotFound) {
			return model.User{}, &InactiveAccountError{Reason: "user not found"}
		}
		return model.User{}, fmt.Errorf("load user %s: %w", id, err)
	}
	if u.IsSuspended {
		return model.User{}, &InactiveAccountError{Reason: "user is suspended"}
	}
	return u, nil
}
