-- Connector instances: the same table as postgres/00007_connectors.sql (see the notes there) in
-- SQLite's types.

-- +goose Up
CREATE TABLE connectors (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  config TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  sync_profile INTEGER NOT NULL DEFAULT 0 CHECK (sync_profile IN (0, 1)),
  enable_token_storage INTEGER NOT NULL DEFAULT 0 CHECK (enable_token_storage IN (0, 1)),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX connectors__connector_id ON connectors (tenant_id, connector_id);

-- +goose Down
DROP TABLE connectors;
