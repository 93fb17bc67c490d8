package sqlstore

import (
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Column limits of Logto's schema (varchar(n) counts characters). PostgreSQL enforces them
// itself, SQLite does not; checking them here gives both dialects the same answer and a clear
// message instead of a driver error.
const (
	maxIDLen          = sqlx.MaxIDLen
	maxTenantNameLen  = 128 // tenants.name
	maxAppNameLen     = 256 // applications.name
	maxSecretNameLen  = 256 // application_secrets.name
	maxSecretValueLen = 64  // application_secrets.value
	maxScopeNameLen   = 256 // scopes.name
	maxRoleNameLen    = 128 // roles.name
	maxRoleDescLen    = 128 // roles.description
	maxConfigKeyLen   = 256 // logto_configs.key
)

func checkID(field, id string) error { return sqlx.CheckLen(field, id, true, maxIDLen) }

func checkApplication(a model.Application) error {
	if err := checkID("application id", a.ID); err != nil {
		return err
	}
	if !a.Type.Valid() {
		return fmt.Errorf("sqlstore: application type %q is not one of Logto's types", a.Type)
	}
	return sqlx.CheckLen("application name", a.Name, false, maxAppNameLen)
}

func checkRole(r model.Role) error {
	if err := checkID("role id", r.ID); err != nil {
		return err
	}
	if !r.Type.Valid() {
		return fmt.Errorf("sqlstore: role type %q is not User or MachineToMachine", r.Type)
	}
	if err := sqlx.CheckLen("role name", r.Name, true, maxRoleNameLen); err != nil {
		return err
	}
	return sqlx.CheckLen("role description", r.Description, false, maxRoleDescLen)
}
