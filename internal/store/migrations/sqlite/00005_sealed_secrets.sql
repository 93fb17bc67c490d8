-- Secrets at rest: the same table and index as postgres/00005_sealed_secrets.sql (see the notes
-- there) in SQLite's types. application_secrets.value is TEXT already, so it needs no change.

-- +goose Up
CREATE TABLE secret_data_keys (
  id TEXT NOT NULL PRIMARY KEY,
  wrapped TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX secret_data_keys__one_active ON secret_data_keys (active) WHERE active = 1;

-- +goose Down
-- Refuse once a data key exists, as on PostgreSQL. SQLite has no procedural RAISE outside
-- triggers, so a CHECK constraint whose name is the explanation fails the insert instead.
CREATE TEMP TABLE rollback_guard_00005 (
  data_keys INTEGER NOT NULL
    CONSTRAINT "cannot roll back 00005_sealed_secrets: this database holds secrets sealed with its data keys, which versions before it cannot read"
    CHECK (data_keys = 0)
);
INSERT INTO rollback_guard_00005 SELECT count(*) FROM secret_data_keys;
DROP TABLE rollback_guard_00005;
DROP TABLE secret_data_keys;
