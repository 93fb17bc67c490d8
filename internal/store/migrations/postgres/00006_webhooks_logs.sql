-- Webhooks, their outbox and the audit log.
--
-- hooks follows Logto's packages/schemas/tables/hooks.sql (name, event, events, config,
-- signing_key, enabled, created_at); the signing key is sealed (secretbox), and times are epoch
-- milliseconds like every table here.
--
-- webhook_deliveries is Gatehouse's own: Logto sends and forgets. One row per event and hook,
-- written in the transaction of the change that caused the event, holding the exact body every
-- attempt sends. Workers of every node claim due rows (claim_token, claimed_until) with
-- FOR UPDATE SKIP LOCKED.
--
-- logs follows Logto's packages/schemas/tables/logs.sql; the payload members filtered on
-- (userId, applicationId, hookId, result) are copied into columns so both dialects index them.

-- +goose Up
CREATE TABLE hooks (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  name varchar(256) NOT NULL DEFAULT '',
  event varchar(128),
  events text NOT NULL DEFAULT '[]',
  config text NOT NULL,
  signing_key text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at bigint NOT NULL,
  CONSTRAINT hooks__pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX hooks__created_at ON hooks (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
  tenant_id varchar(21) NOT NULL,
  id varchar(21) NOT NULL,
  hook_id varchar(21) NOT NULL,
  event varchar(128) NOT NULL,
  body text NOT NULL,
  status varchar(16) NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  claim_token varchar(64),
  claimed_until bigint,
  last_status integer,
  last_error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CONSTRAINT webhook_deliveries__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT webhook_deliveries__hook FOREIGN KEY (tenant_id, hook_id)
    REFERENCES hooks (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
);
-- The claim: due pending rows of every tenant, oldest first.
CREATE INDEX webhook_deliveries__due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries__hook ON webhook_deliveries (tenant_id, hook_id, created_at);
CREATE INDEX webhook_deliveries__finished ON webhook_deliveries (tenant_id, updated_at) WHERE status <> 'pending';

CREATE TABLE logs (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  key varchar(128) NOT NULL,
  payload text NOT NULL DEFAULT '{}',
  user_id varchar(128),
  application_id varchar(128),
  hook_id varchar(128),
  result varchar(16),
  created_at bigint NOT NULL,
  CONSTRAINT logs__pkey PRIMARY KEY (tenant_id, id)
);
CREATE INDEX logs__key ON logs (tenant_id, key);
CREATE INDEX logs__user_id ON logs (tenant_id, user_id);
CREATE INDEX logs__application_id ON logs (tenant_id, application_id);
CREATE INDEX logs__hook_id ON logs (tenant_id, hook_id, created_at);
CREATE INDEX logs__created_at_id ON logs (tenant_id, created_at, id);

-- +goose Down
DROP TABLE logs;
DROP TABLE webhook_deliveries;
DROP TABLE hooks;
