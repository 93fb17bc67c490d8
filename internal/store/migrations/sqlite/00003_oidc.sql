-- Protocol artifacts (issue 3): the same tables, keys and semantics as postgres/00003_oidc.sql
-- (see the notes there), in SQLite's types.

-- +goose Up
CREATE TABLE oidc_interactions (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  uid TEXT NOT NULL,
  client_id TEXT NOT NULL,
  params TEXT NOT NULL CHECK (json_valid(params)),
  session_id TEXT NOT NULL DEFAULT '',
  prompt TEXT NOT NULL,
  account_id TEXT NOT NULL DEFAULT '',
  result TEXT CHECK (result IS NULL OR json_valid(result)),
  experience TEXT CHECK (experience IS NULL OR json_valid(experience)),
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, uid),
  FOREIGN KEY (tenant_id, client_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_interactions__client_id ON oidc_interactions (tenant_id, client_id);
CREATE INDEX oidc_interactions__expires_at ON oidc_interactions (tenant_id, expires_at);

CREATE TABLE oidc_sessions (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  account_id TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  amr TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(amr)),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, token_hash)
) STRICT;
CREATE INDEX oidc_sessions__account_id ON oidc_sessions (tenant_id, account_id);
CREATE INDEX oidc_sessions__expires_at ON oidc_sessions (tenant_id, expires_at);

CREATE TABLE oidc_grants (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  resource_scopes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(resource_scopes)),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, client_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_grants__account_id ON oidc_grants (tenant_id, account_id);
CREATE INDEX oidc_grants__client_id ON oidc_grants (tenant_id, client_id);
CREATE INDEX oidc_grants__expires_at ON oidc_grants (tenant_id, expires_at);

CREATE TABLE oidc_session_authorizations (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  session_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  sid TEXT NOT NULL,
  persists_logout INTEGER NOT NULL DEFAULT 0 CHECK (persists_logout IN (0, 1)),
  PRIMARY KEY (tenant_id, session_id, client_id),
  FOREIGN KEY (tenant_id, session_id)
    REFERENCES oidc_sessions (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_session_authorizations__grant_id ON oidc_session_authorizations (tenant_id, grant_id);

CREATE TABLE oidc_authorization_codes (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  session_id TEXT NOT NULL DEFAULT '',
  sid TEXT NOT NULL DEFAULT '',
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  resources TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(resources)),
  nonce TEXT NOT NULL DEFAULT '',
  code_challenge TEXT NOT NULL DEFAULT '',
  code_challenge_method TEXT NOT NULL DEFAULT '',
  auth_time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  consumed_at INTEGER,
  PRIMARY KEY (tenant_id, hash),
  FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_authorization_codes__grant_id ON oidc_authorization_codes (tenant_id, grant_id);
CREATE INDEX oidc_authorization_codes__expires_at ON oidc_authorization_codes (tenant_id, expires_at);

CREATE TABLE oidc_access_tokens (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  sid TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, hash),
  FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_access_tokens__grant_id ON oidc_access_tokens (tenant_id, grant_id);
CREATE INDEX oidc_access_tokens__expires_at ON oidc_access_tokens (tenant_id, expires_at);

CREATE TABLE oidc_refresh_tokens (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash TEXT NOT NULL,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  resources TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(resources)),
  nonce TEXT NOT NULL DEFAULT '',
  sid TEXT NOT NULL DEFAULT '',
  auth_time INTEGER NOT NULL,
  rotations INTEGER NOT NULL DEFAULT 0,
  first_issued_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  consumed_at INTEGER,
  PRIMARY KEY (tenant_id, hash),
  FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX oidc_refresh_tokens__grant_id ON oidc_refresh_tokens (tenant_id, grant_id);
CREATE INDEX oidc_refresh_tokens__expires_at ON oidc_refresh_tokens (tenant_id, expires_at);

-- +goose Down
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_access_tokens;
DROP TABLE oidc_authorization_codes;
DROP TABLE oidc_session_authorizations;
DROP TABLE oidc_grants;
DROP TABLE oidc_sessions;
DROP TABLE oidc_interactions;
