-- Protocol artifacts (issue 3). Logto keeps these in one table of JSON payloads
-- (oidc_model_instances); Gatehouse gives each artifact its own table so that:
--   * codes, tokens and session cookies are stored only as SHA-256 digests (`hash`, `token_hash`),
--     never as the secret itself;
--   * every code and token belongs to a grant by foreign key ON DELETE CASCADE, so revoking a
--     grant (code replay, refresh-token reuse, revocation, logout) withdraws all it issued in one
--     statement, and deleting an application or tenant takes its artifacts along;
--   * one-time use is a single conditional UPDATE of consumed_at;
--   * expired rows are found by an index on (tenant_id, expires_at) for cleanup.
-- Times are epoch milliseconds (bigint) like the rest of the schema; auth_time is unix seconds,
-- as OIDC's auth_time claim. Account ids carry no foreign key: users live in their own migration
-- and a removed user's artifacts are revoked by the use-case that removes the user.

-- +goose Up
CREATE TABLE oidc_interactions (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  uid varchar(64) NOT NULL,
  client_id varchar(21) NOT NULL,
  params jsonb NOT NULL,
  session_id varchar(21) NOT NULL DEFAULT '',
  prompt varchar(32) NOT NULL,
  account_id varchar(21) NOT NULL DEFAULT '',
  result jsonb,
  experience jsonb,
  version bigint NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  CONSTRAINT oidc_interactions__pkey PRIMARY KEY (tenant_id, uid),
  CONSTRAINT oidc_interactions__client_fkey FOREIGN KEY (tenant_id, client_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX oidc_interactions__client_id ON oidc_interactions (tenant_id, client_id);
CREATE INDEX oidc_interactions__expires_at ON oidc_interactions (tenant_id, expires_at);

CREATE TABLE oidc_sessions (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  token_hash varchar(64) NOT NULL,
  account_id varchar(21) NOT NULL,
  auth_time bigint NOT NULL,
  amr jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  CONSTRAINT oidc_sessions__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT oidc_sessions__token_hash UNIQUE (tenant_id, token_hash)
);
CREATE INDEX oidc_sessions__account_id ON oidc_sessions (tenant_id, account_id);
CREATE INDEX oidc_sessions__expires_at ON oidc_sessions (tenant_id, expires_at);

CREATE TABLE oidc_grants (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  account_id varchar(21) NOT NULL,
  client_id varchar(21) NOT NULL,
  scope text NOT NULL,
  resource_scopes jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  CONSTRAINT oidc_grants__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT oidc_grants__client_fkey FOREIGN KEY (tenant_id, client_id)
    REFERENCES applications (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX oidc_grants__account_id ON oidc_grants (tenant_id, account_id);
CREATE INDEX oidc_grants__client_id ON oidc_grants (tenant_id, client_id);
CREATE INDEX oidc_grants__expires_at ON oidc_grants (tenant_id, expires_at);

CREATE TABLE oidc_session_authorizations (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  session_id varchar(21) NOT NULL,
  client_id varchar(21) NOT NULL,
  grant_id varchar(21) NOT NULL,
  sid varchar(64) NOT NULL,
  persists_logout boolean NOT NULL DEFAULT false,
  CONSTRAINT oidc_session_authorizations__pkey PRIMARY KEY (tenant_id, session_id, client_id),
  CONSTRAINT oidc_session_authorizations__session_fkey FOREIGN KEY (tenant_id, session_id)
    REFERENCES oidc_sessions (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT oidc_session_authorizations__grant_fkey FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX oidc_session_authorizations__grant_id ON oidc_session_authorizations (tenant_id, grant_id);

CREATE TABLE oidc_authorization_codes (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash varchar(64) NOT NULL,
  grant_id varchar(21) NOT NULL,
  client_id varchar(21) NOT NULL,
  account_id varchar(21) NOT NULL,
  session_id varchar(21) NOT NULL DEFAULT '',
  sid varchar(64) NOT NULL DEFAULT '',
  redirect_uri text NOT NULL,
  scope text NOT NULL,
  resources jsonb NOT NULL DEFAULT '[]'::jsonb,
  nonce text NOT NULL DEFAULT '',
  code_challenge varchar(128) NOT NULL DEFAULT '',
  code_challenge_method varchar(16) NOT NULL DEFAULT '',
  auth_time bigint NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  consumed_at bigint,
  CONSTRAINT oidc_authorization_codes__pkey PRIMARY KEY (tenant_id, hash),
  CONSTRAINT oidc_authorization_codes__grant_fkey FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX oidc_authorization_codes__grant_id ON oidc_authorization_codes (tenant_id, grant_id);
CREATE INDEX oidc_authorization_codes__expires_at ON oidc_authorization_codes (tenant_id, expires_at);

CREATE TABLE oidc_access_tokens (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash varchar(64) NOT NULL,
  grant_id varchar(21) NOT NULL,
  client_id varchar(21) NOT NULL,
  account_id varchar(21) NOT NULL,
  scope text NOT NULL,
  sid varchar(64) NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  CONSTRAINT oidc_access_tokens__pkey PRIMARY KEY (tenant_id, hash),
  CONSTRAINT oidc_access_tokens__grant_fkey FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX oidc_access_tokens__grant_id ON oidc_access_tokens (tenant_id, grant_id);
CREATE INDEX oidc_access_tokens__expires_at ON oidc_access_tokens (tenant_id, expires_at);

CREATE TABLE oidc_refresh_tokens (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  hash varchar(64) NOT NULL,
  grant_id varchar(21) NOT NULL,
  client_id varchar(21) NOT NULL,
  account_id varchar(21) NOT NULL,
  scope text NOT NULL,
  resources jsonb NOT NULL DEFAULT '[]'::jsonb,
  nonce text NOT NULL DEFAULT '',
  sid varchar(64) NOT NULL DEFAULT '',
  auth_time bigint NOT NULL,
  rotations integer NOT NULL DEFAULT 0,
  first_issued_at bigint NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  consumed_at bigint,
  CONSTRAINT oidc_refresh_tokens__pkey PRIMARY KEY (tenant_id, hash),
  CONSTRAINT oidc_refresh_tokens__grant_fkey FOREIGN KEY (tenant_id, grant_id)
    REFERENCES oidc_grants (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
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
