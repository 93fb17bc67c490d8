package sqlstore

import (
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// uniqueRule maps a uniqueness constraint, as each dialect names it in its error, to the
// store.Unique* rule use-cases understand. PostgreSQL reports the constraint's name (see
// migrations/postgres); SQLite reports "UNIQUE constraint failed: <table.column, …>".
type uniqueRule struct {
	postgres string
	sqlite   string
	rule     string
}

var uniqueRules = []uniqueRule{
	{"tenants__pkey", "tenants.id", store.UniqueTenantID},
	{"applications__pkey", "applications.tenant_id, applications.id", store.UniqueApplicationID},
	{"application_secrets__pkey", "application_secrets.tenant_id, application_secrets.application_id, application_secrets.name", store.UniqueSecretName},
	{"resources__pkey", "resources.tenant_id, resources.id", store.UniqueResourceID},
	{"resources__indicator", "resources.tenant_id, resources.indicator", store.UniqueResourceIndicator},
	{"scopes__pkey", "scopes.tenant_id, scopes.id", store.UniqueScopeID},
	{"scopes__resource_id_name", "scopes.tenant_id, scopes.resource_id, scopes.name", store.UniqueScopeName},
	{"roles__pkey", "roles.tenant_id, roles.id", store.UniqueRoleID},
	{"roles__name", "roles.tenant_id, roles.name", store.UniqueRoleName},
	{"roles_scopes__role_id_scope_id", "roles_scopes.tenant_id, roles_scopes.role_id, roles_scopes.scope_id", store.UniqueRoleScope},
	{"applications_roles__application_id_role_id", "applications_roles.tenant_id, applications_roles.application_id, applications_roles.role_id", store.UniqueApplicationRole},
}

// wrapErr gives err the operation's context and translates what the database said into the
// store's errors (sqlx.WrapErr): missing rows into store.ErrNotFound, uniqueness violations into
// a *store.ConflictError naming the rule, foreign-key violations into store.ErrNotFound.
func wrapErr(op string, err error) error {
	return nameConflict(op, sqlx.WrapErr(op, err), uniqueRules)
}

// nameConflict gives a *store.ConflictError in err the store rule of its constraint, when rules
// has it; an unknown constraint keeps the database's own name.
func nameConflict(op string, err error, rules []uniqueRule) error {
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		for _, r := range rules {
			if conflict.Constraint == r.postgres || conflict.Constraint == r.sqlite {
				return fmt.Errorf("sqlstore: %s: %w", op, &store.ConflictError{Constraint: r.rule})
			}
		}
	}
	return err
}
