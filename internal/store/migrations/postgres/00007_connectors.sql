-- Connector instances, after Logto's packages/schemas/tables/connectors.sql: the same columns,
-- with the config sealed (secretbox: it holds client secrets) in a text column instead of jsonb,
-- and epoch-millisecond times.

-- +goose Up
CREATE TABLE connectors (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(128) NOT NULL,
  connector_id varchar(128) NOT NULL,
  config text NOT NULL,
  metadata text NOT NULL DEFAULT '{}',
  sync_profile boolean NOT NULL DEFAULT false,
  enable_token_storage boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  CONSTRAINT connectors__pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX connectors__connector_id ON connectors (tenant_id, connector_id);

-- +goose Down
DROP TABLE connectors;
