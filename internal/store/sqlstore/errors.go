package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/gatehouse-id/gatehouse/internal/store"
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

// SQLite extended result codes (sqlite3.h) for the constraint failures mapped below.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// errReferenceMissing explains a foreign-key failure: the row written points at a row (an
// application, resource, scope or role of the tenant) that does not exist.
var errReferenceMissing = fmt.Errorf("referenced row does not exist: %w", store.ErrNotFound)

// wrapErr gives err the operation's context and translates what the database said into the
// store's errors: missing rows into store.ErrNotFound, uniqueness violations into a
// *store.ConflictError naming the rule, foreign-key violations into store.ErrNotFound.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, translate(err))
}

func translate(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &store.ConflictError{Constraint: ruleFor(pgErr.ConstraintName, func(r uniqueRule) string { return r.postgres })}
		case "23503": // foreign_key_violation
			return errReferenceMissing
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return &store.ConflictError{Constraint: ruleFor(sqliteColumns(liteErr.Error()), func(r uniqueRule) string { return r.sqlite })}
		case sqliteConstraintForeignKey:
			return errReferenceMissing
		}
	}
	return err
}

// ruleFor finds the store rule of a constraint; an unknown one keeps the database's own name.
func ruleFor(name string, key func(uniqueRule) string) string {
	for _, r := range uniqueRules {
		if key(r) == name {
			return r.rule
		}
	}
	return name
}

// sqliteColumns extracts "t.a, t.b" from "constraint failed: UNIQUE constraint failed: t.a, t.b (2067)".
func sqliteColumns(msg string) string {
	_, cols, ok := strings.Cut(msg, "UNIQUE constraint failed: ")
	if !ok {
		return msg
	}
	if i := strings.Index(cols, " ("); i >= 0 {
		cols = cols[:i]
	}
	return cols
}
