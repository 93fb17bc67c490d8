package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Options tune the use-cases.
type Options struct {
	// KeyRotationGracePeriod is Logto's PRIVATE_KEY_ROTATION_GRACE_PERIOD: with a value above zero
	// a rotated signing key is first published as Next and only signs once the period is over, so
	// relying parties that cache the JWKS see it before any token carries it.
	KeyRotationGracePeriod time.Duration
	// Passwords hashes new passwords and verifies stored ones (package password).
	Passwords PasswordHasher
}

// PasswordHasher hashes and verifies user passwords; package password implements it.
type PasswordHasher interface {
	// Hash returns the stored form of a new password and its method (Logto's
	// users.password_encryption_method).
	Hash(ctx context.Context, plain string) (encrypted, method string, err error)
	// Verify checks plain against a stored hash of any Logto format; rehash reports that the
	// stored form should be replaced by Hash(plain) (an older or weaker format).
	Verify(ctx context.Context, plain, encrypted, method string) (ok, rehash bool, err error)
	// Decoy spends the cost of one Verify, so an unknown account answers as slowly as a known one.
	Decoy(ctx context.Context, plain string)
}

// Service runs the use-cases over one store. It is safe for concurrent use.
type Service struct {
	st    store.Store
	fresh *store.Freshness
	clk   clock.Clock
	log   *slog.Logger
	opts  Options
	// signIn caches each tenant's sign-in experience (signinexp.go).
	signIn signInExperienceCache
}

// New returns a Service writing to st and telling fresh about every committed write.
func New(st store.Store, fresh *store.Freshness, clk clock.Clock, log *slog.Logger, opts Options) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, fresh: fresh, clk: clk, log: log, opts: opts}
}

// write runs fn in one transaction on the tenant and, once it committed, marks the tenant's
// in-process caches stale so the protocol side sees the change on its next request.
func (s *Service) write(ctx context.Context, tenantID string, fn func(store.Tenant) error) error {
	if err := s.st.InTx(ctx, tenantID, fn); err != nil {
		return err
	}
	s.fresh.Invalidate(tenantID)
	return nil
}

// nowMs is the current time in epoch milliseconds, the unit of Logto's API timestamps.
func (s *Service) nowMs() int64 { return s.clk.Now().UnixMilli() }

// Logto names a missing row by its table ("The applications with ID `x` does not exist.",
// core/database/find-entity-by-id.ts).
const (
	tableApplications = "applications"
	tableResources    = "resources"
	tableScopes       = "scopes"
	tableRoles        = "roles"
)

// notExistsWithID is Logto's 404 entity.not_exists_with_id for a row looked up by id.
func notExistsWithID(table, id string) *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_exists_with_id",
		"The %s with ID `%s` does not exist.", table, id)
}

// relationNotFound is Logto's 404 entity.not_found, answered when a link (role–scope,
// application–role, a secret) to delete does not exist.
func relationNotFound() *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_found", "The resource does not exist.")
}

// invalidBody is Logto's 400 guard.invalid_input for a request body, with the offending field
// named so the caller can fix it.
func invalidBody(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_input",
		"The request body is invalid. %s", fmt.Sprintf(format, args...))
}

// invalidRequest is Logto's 400 request.invalid_input ("Input is invalid. {{details}}").
func invalidRequest(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "request.invalid_input",
		"Input is invalid. %s", fmt.Sprintf(format, args...))
}

// mapStoreErr turns the store's not-found and uniqueness errors into Logto's answers; table and
// id name the row the caller looked up. Other errors are wrapped with context and end as 500.
func mapStoreErr(err error, table, id string) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	if errors.Is(err, store.ErrNotFound) {
		return notExistsWithID(table, id)
	}
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		return conflictErr(conflict.Constraint)
	}
	return fmt.Errorf("%s %s: %w", table, id, err)
}

// conflictErr maps a broken uniqueness rule to the Logto code for it
// (core/middleware/koa-slonik-error-handler.ts and the routes' own pre-checks).
func conflictErr(constraint string) *apperr.Error {
	switch constraint {
	case store.UniqueSecretName:
		return apperr.New(http.StatusUnprocessableEntity, "application.secret_name_exists", "Secret name already exists.")
	case store.UniqueResourceIndicator:
		return apperr.New(http.StatusUnprocessableEntity, "resource.resource_identifier_in_use", "The API identifier is already in use")
	case store.UniqueScopeName:
		return apperr.New(http.StatusUnprocessableEntity, "scope.name_exists", "The scope name is already in use")
	case store.UniqueRoleName:
		return apperr.New(http.StatusUnprocessableEntity, "role.name_in_use", "This role name is already in use")
	case store.UniqueRoleScope:
		return apperr.New(http.StatusUnprocessableEntity, "role.scope_exists", "The scope has already been added to this role")
	case store.UniqueApplicationRole:
		return apperr.New(http.StatusUnprocessableEntity, "role.application_exists", "The application is already been added to this role")
	}
	return apperr.New(http.StatusUnprocessableEntity, "entity.unique_integrity_violation",
		"The entity already exists. Please check the input and try again.")
}
