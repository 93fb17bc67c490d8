package core

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Logto names a missing row by its table ("The applications with ID `x` does not exist.",
// core/database/find-entity-by-id.ts).
const (
	TableApplications = "applications"
	TableResources    = "resources"
	TableScopes       = "scopes"
	TableRoles        = "roles"
	TableHooks        = "hooks"
	TableLogs         = "logs"
)

// NotExistsWithID is Logto's 404 entity.not_exists_with_id for a row looked up by id.
func NotExistsWithID(table, id string) *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_exists_with_id",
		"The %s with ID `%s` does not exist.", table, id)
}

// RelationNotFound is Logto's 404 entity.not_found, answered when a link (role–scope,
// application–role, a secret) to delete does not exist.
func RelationNotFound() *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_found", "The resource does not exist.")
}

// InvalidBody is Logto's 400 guard.invalid_input for a request body, with the offending field
// named so the caller can fix it.
func InvalidBody(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_input",
		"The request body is invalid. %s", fmt.Sprintf(format, args...))
}

// InvalidRequest is Logto's 400 request.invalid_input ("Input is invalid. {{details}}").
func InvalidRequest(format string, args ...any) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "request.invalid_input",
		"Input is invalid. %s", fmt.Sprintf(format, args...))
}

// MapStoreErr is the one place where the store's not-found and uniqueness errors become Logto's
// answers; table and
// id name the row the caller looked up. Other errors are wrapped with context and end as 500.
func MapStoreErr(err error, table, id string) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	if errors.Is(err, model.ErrNotFound) {
		return NotExistsWithID(table, id)
	}
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		return ConflictErr(conflict.Constraint)
	}
	return fmt.Errorf("%s %s: %w", table, id, err)
}

// ConflictErr maps a broken uniqueness rule to the Logto code for it
// (core/middleware/koa-slonik-error-handler.ts and the routes' own pre-checks).
func ConflictErr(constraint string) *apperr.Error {
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
	case store.UniqueUsername:
		return apperr.UsernameInUse()
	case store.UniqueUserEmail:
		return apperr.EmailInUse()
	case store.UniqueUserPhone:
		return apperr.PhoneInUse()
	case store.UniqueUserRole:
		// Only a concurrent assignment gets here; the routes check held roles first.
		return apperr.New(http.StatusUnprocessableEntity, "user.role_exists", "The role has already been added to this user.")
	case store.UniqueApplicationRole:
		return apperr.New(http.StatusUnprocessableEntity, "role.application_exists", "The application is already been added to this role")
	}
	return apperr.New(http.StatusUnprocessableEntity, "entity.unique_integrity_violation",
		"The entity already exists. Please check the input and try again.")
}

func ErrInvalidAppTypeForRoles() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "application.invalid_type",
		"Only machine to machine applications can have associated roles.")
}

func ErrInvalidRoleType() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "application.invalid_role_type",
		"Can not assign user type role to machine to machine application.")
}
