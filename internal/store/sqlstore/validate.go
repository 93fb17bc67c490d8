package sqlstore

import (
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Column limits of Logto's schema (varchar(n) counts characters). PostgreSQL enforces them
// itself, SQLite does not; checking them here gives both dialects the same answer and a clear
// message instead of a driver error.
const (
	maxIDLen          = 21  // every id column: varchar(21)
	maxTenantNameLen  = 128 // tenants.name
	maxAppNameLen     = 256 // applications.name
	maxSecretNameLen  = 256 // application_secrets.name
	maxSecretValueLen = 64  // application_secrets.value
	maxScopeNameLen   = 256 // scopes.name
	maxRoleNameLen    = 128 // roles.name
	maxRoleDescLen    = 128 // roles.description
	maxConfigKeyLen   = 256 // logto_configs.key
)

// checkLen reports a value that is empty (when required) or longer than limit characters.
func checkLen(field, value string, required bool, limit int) error {
	if required && value == "" {
		return fmt.Errorf("sqlstore: %s is required", field)
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Errorf("sqlstore: %s is %d characters long, more than the %d allowed", field, n, limit)
	}
	return nil
}

func checkID(field, id string) error { return checkLen(field, id, true, maxIDLen) }

func checkApplication(a model.Application) error {
	if err := checkID("application id", a.ID); err != nil {
		return err
	}
	if !a.Type.Valid() {
		return fmt.Errorf("sqlstore: application type %q is not one of Logto's types", a.Type)
	}
	return checkLen("application name", a.Name, false, maxAppNameLen)
}

func checkRole(r model.Role) error {
	if err := checkID("role id", r.ID); err != nil {
		return err
	}
	if !r.Type.Valid() {
		return fmt.Errorf("sqlstore: role type %q is not User or MachineToMachine", r.Type)
	}
	if err := checkLen("role name", r.Name, true, maxRoleNameLen); err != nil {
		return err
	}
	return checkLen("role description", r.Description, false, maxRoleDescLen)
}
