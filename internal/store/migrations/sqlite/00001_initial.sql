-- Initial schema: the same tables, keys and constraint semantics as postgres/00001_initial.sql (see
-- the notes there), in SQLite's types: STRICT tables, TEXT for varchar and JSON (checked with
-- json_valid), INTEGER 0/1 for booleans, INTEGER epoch milliseconds for timestamps. `seq INTEGER
-- PRIMARY KEY` is the rowid, which keeps creation order; (tenant_id, id) is then a UNIQUE key.
-- Varchar lengths are enforced by sqlstore before writing, for both dialects alike.

-- +goose Up
CREATE TABLE tenants (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL DEFAULT 'My Project',
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tenant_generations (
  tenant_id TEXT NOT NULL PRIMARY KEY
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  generation INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE systems (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(value))
) STRICT;

CREATE TABLE logto_configs (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(value)),
  PRIMARY KEY (tenant_id, key)
) STRICT;

CREATE TABLE applications (
  seq INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL
    CHECK (type IN ('Native', 'SPA', 'Traditional', 'MachineToMachine', 'Protected', 'SAML')),
  oidc_client_metadata TEXT NOT NULL CHECK (json_valid(oidc_client_metadata)),
  custom_client_metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom_client_metadata)),
  protected_app_metadata TEXT CHECK (protected_app_metadata IS NULL OR json_valid(protected_app_metadata)),
  custom_data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom_data)),
  is_third_party INTEGER NOT NULL DEFAULT 0 CHECK (is_third_party IN (0, 1)),
  app_level_access_control_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (app_level_access_control_enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id)
) STRICT;
CREATE INDEX applications__created_at ON applications (tenant_id, created_at DESC, seq DESC);
CREATE INDEX applications__type ON applications (tenant_id, type);

CREATE TABLE application_secrets (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  application_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (tenant_id, application_id, name),
  FOREIGN KEY (tenant_id, application_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;

CREATE TABLE resources (
  seq INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  indicator TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  access_token_ttl INTEGER NOT NULL DEFAULT 3600,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, indicator)
) STRICT;
-- Every SQLite index ends with the rowid, so (tenant_id) orders a tenant's rows by seq.
CREATE INDEX resources__seq ON resources (tenant_id);
CREATE UNIQUE INDEX resources__is_default_true ON resources (tenant_id) WHERE is_default = 1;

CREATE TABLE scopes (
  seq INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, resource_id)
    REFERENCES resources (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  UNIQUE (tenant_id, resource_id, name)
) STRICT;
CREATE INDEX scopes__seq ON scopes (tenant_id);

CREATE TABLE roles (
  seq INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'User' CHECK (type IN ('User', 'MachineToMachine')),
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
) STRICT;
CREATE INDEX roles__seq ON roles (tenant_id);
CREATE INDEX roles__type ON roles (tenant_id, type);

CREATE TABLE roles_scopes (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, scope_id)
    REFERENCES scopes (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  UNIQUE (tenant_id, role_id, scope_id)
) STRICT;
CREATE INDEX roles_scopes__scope_id ON roles_scopes (tenant_id, scope_id);

CREATE TABLE applications_roles (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  application_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, application_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  UNIQUE (tenant_id, application_id, role_id)
) STRICT;
CREATE INDEX applications_roles__role_id ON applications_roles (tenant_id, role_id);

-- +goose Down
DROP TABLE applications_roles;
DROP TABLE roles_scopes;
DROP TABLE roles;
DROP TABLE scopes;
DROP TABLE resources;
DROP TABLE application_secrets;
DROP TABLE applications;
DROP TABLE logto_configs;
DROP TABLE systems;
DROP TABLE tenant_generations;
DROP TABLE tenants;
