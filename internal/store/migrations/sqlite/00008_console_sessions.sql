-- Admin console sessions: the same table as postgres/00008_console_sessions.sql (see the notes
-- there) in SQLite's types.

-- +goose Up
CREATE TABLE console_sessions (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  id_token TEXT NOT NULL DEFAULT '',
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX console_sessions__expires_at ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
