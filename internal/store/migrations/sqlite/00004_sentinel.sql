-- Credential attempts for lockout: the same table, checks and indexes as
-- postgres/00004_sentinel.sql (see the notes there) in SQLite's types (STRICT, INTEGER epoch
-- milliseconds).

-- +goose Up
CREATE TABLE sentinel_activities (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  target_type TEXT NOT NULL CHECK (target_type IN ('User', 'App')),
  target_hash TEXT NOT NULL,
  action TEXT NOT NULL,
  action_result TEXT NOT NULL CHECK (action_result IN ('Success', 'Failed')),
  decision TEXT NOT NULL CHECK (decision IN ('Undecided', 'Allowed', 'Blocked', 'Challenge')),
  decision_expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX sentinel_activities__target
  ON sentinel_activities (tenant_id, target_type, target_hash, created_at);
CREATE INDEX sentinel_activities__created_at ON sentinel_activities (tenant_id, created_at);

-- +goose Down
DROP TABLE sentinel_activities;
