-- Admin console sessions: server-side, so signing out or a suspended admin ends them at once.
-- The id is the SHA-256 of the cookie's token (a database read does not yield a usable
-- cookie); id_token is kept for the end-session request's id_token_hint.

-- +goose Up
CREATE TABLE console_sessions (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(64) NOT NULL,
  user_id varchar(12) NOT NULL,
  id_token text NOT NULL DEFAULT '',
  csrf varchar(64) NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  CONSTRAINT console_sessions__pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX console_sessions__expires_at ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
