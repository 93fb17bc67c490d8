-- Initial schema, following Logto's packages/schemas/tables/*.sql for these tables with three
-- deliberate differences: no row-level security, per-tenant database roles or triggers (one ordinary
-- database user must be enough, e.g. on managed PostgreSQL); primary keys are (tenant_id, id) and
-- every reference carries tenant_id, so a row can only ever point at a row of its own tenant; and
-- timestamps are epoch milliseconds (bigint), identical in both dialects. `seq` columns keep
-- creation order for lists, which Logto gets from created_at or insertion order.

-- +goose Up
CREATE TABLE tenants (
  id varchar(21) NOT NULL,
  name varchar(128) NOT NULL DEFAULT 'My Project',
  created_at bigint NOT NULL,
  CONSTRAINT tenants__pkey PRIMARY KEY (id)
);

-- One counter per tenant, bumped in the same transaction as every write to cached data, so every
-- node can tell cheaply whether its in-process caches are stale (store.Freshness).
CREATE TABLE tenant_generations (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  generation bigint NOT NULL DEFAULT 0,
  CONSTRAINT tenant_generations__pkey PRIMARY KEY (tenant_id)
);

-- Global key/value rows (Logto's `systems`, e.g. alterationState); not tenant-scoped.
CREATE TABLE systems (
  key varchar(256) NOT NULL,
  value jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT systems__pkey PRIMARY KEY (key)
);

CREATE TABLE logto_configs (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  key varchar(256) NOT NULL,
  value jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT logto_configs__pkey PRIMARY KEY (tenant_id, key)
);

CREATE TABLE applications (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name varchar(256) NOT NULL,
  description text,
  type varchar(32) NOT NULL
    CONSTRAINT applications__type_check
    CHECK (type IN ('Native', 'SPA', 'Traditional', 'MachineToMachine', 'Protected', 'SAML')),
  oidc_client_metadata jsonb NOT NULL,
  custom_client_metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  protected_app_metadata jsonb,
  custom_data jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_third_party boolean NOT NULL DEFAULT false,
  app_level_access_control_enabled boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  CONSTRAINT applications__pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX applications__created_at ON applications (tenant_id, created_at DESC, seq DESC);
CREATE INDEX applications__type ON applications (tenant_id, type);

CREATE TABLE application_secrets (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  application_id varchar(21) NOT NULL,
  name varchar(256) NOT NULL,
  value varchar(64) NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  CONSTRAINT application_secrets__pkey PRIMARY KEY (tenant_id, application_id, name),
  CONSTRAINT application_secrets__application_fkey FOREIGN KEY (tenant_id, application_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE resources (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name text NOT NULL,
  indicator text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  access_token_ttl bigint NOT NULL DEFAULT 3600,
  CONSTRAINT resources__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT resources__indicator UNIQUE (tenant_id, indicator)
);
CREATE INDEX resources__seq ON resources (tenant_id, seq);
-- At most one default resource per tenant (Logto: resources__is_default_true).
CREATE UNIQUE INDEX resources__is_default_true ON resources (tenant_id) WHERE is_default = true;

CREATE TABLE scopes (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  resource_id varchar(21) NOT NULL,
  name varchar(256) NOT NULL,
  description text,
  created_at bigint NOT NULL,
  CONSTRAINT scopes__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT scopes__resource_fkey FOREIGN KEY (tenant_id, resource_id)
    REFERENCES resources (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT scopes__resource_id_name UNIQUE (tenant_id, resource_id, name)
);
CREATE INDEX scopes__seq ON scopes (tenant_id, seq);

CREATE TABLE roles (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  name varchar(128) NOT NULL,
  description varchar(128) NOT NULL,
  type varchar(32) NOT NULL DEFAULT 'User'
    CONSTRAINT roles__type_check CHECK (type IN ('User', 'MachineToMachine')),
  is_default boolean NOT NULL DEFAULT false,
  CONSTRAINT roles__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT roles__name UNIQUE (tenant_id, name)
);
CREATE INDEX roles__seq ON roles (tenant_id, seq);
CREATE INDEX roles__type ON roles (tenant_id, type);

CREATE TABLE roles_scopes (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  role_id varchar(21) NOT NULL,
  scope_id varchar(21) NOT NULL,
  CONSTRAINT roles_scopes__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT roles_scopes__role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT roles_scopes__scope_fkey FOREIGN KEY (tenant_id, scope_id)
    REFERENCES scopes (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT roles_scopes__role_id_scope_id UNIQUE (tenant_id, role_id, scope_id)
);
CREATE INDEX roles_scopes__scope_id ON roles_scopes (tenant_id, scope_id);

CREATE TABLE applications_roles (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  application_id varchar(21) NOT NULL,
  role_id varchar(21) NOT NULL,
  CONSTRAINT applications_roles__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT applications_roles__application_fkey FOREIGN KEY (tenant_id, application_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT applications_roles__role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT applications_roles__application_id_role_id UNIQUE (tenant_id, application_id, role_id)
);
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
