-- Credential attempts for lockout, after Logto's packages/schemas/tables/sentinel_activities.sql:
-- the same columns and enum values, without Logto's `payload` column (nothing reads it), with
-- epoch-millisecond timestamps and (tenant_id, id) as the key like every other table here.
-- target_hash is a hex SHA-256, so the table never holds an identifier in clear.

-- +goose Up
CREATE TABLE sentinel_activities (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  target_type varchar(64) NOT NULL CHECK (target_type IN ('User', 'App')),
  target_hash varchar(64) NOT NULL,
  action varchar(64) NOT NULL,
  action_result varchar(64) NOT NULL CHECK (action_result IN ('Success', 'Failed')),
  decision varchar(64) NOT NULL CHECK (decision IN ('Undecided', 'Allowed', 'Blocked', 'Challenge')),
  decision_expires_at bigint NOT NULL,
  created_at bigint NOT NULL,
  CONSTRAINT sentinel_activities__pkey PRIMARY KEY (tenant_id, id)
);
-- Every lockout query selects one target's recent rows.
CREATE INDEX sentinel_activities__target
  ON sentinel_activities (tenant_id, target_type, target_hash, created_at);
-- Pruning removes old rows by age.
CREATE INDEX sentinel_activities__created_at ON sentinel_activities (tenant_id, created_at);

-- +goose Down
DROP TABLE sentinel_activities;
