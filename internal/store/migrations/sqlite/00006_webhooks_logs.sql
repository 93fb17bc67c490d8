-- Webhooks, their outbox and the audit log: the same tables, checks and indexes as
-- postgres/00006_webhooks_logs.sql (see the notes there) in SQLite's types (STRICT, INTEGER
-- epoch milliseconds, INTEGER 0/1 booleans).

-- +goose Up
CREATE TABLE hooks (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  event TEXT,
  events TEXT NOT NULL DEFAULT '[]',
  config TEXT NOT NULL,
  signing_key TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX hooks__created_at ON hooks (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  hook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claim_token TEXT,
  claimed_until INTEGER,
  last_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, hook_id) REFERENCES hooks (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE
) STRICT;
CREATE INDEX webhook_deliveries__due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries__hook ON webhook_deliveries (tenant_id, hook_id, created_at);
CREATE INDEX webhook_deliveries__finished ON webhook_deliveries (tenant_id, updated_at) WHERE status <> 'pending';

CREATE TABLE logs (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  key TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  user_id TEXT,
  application_id TEXT,
  hook_id TEXT,
  result TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX logs__key ON logs (tenant_id, key);
CREATE INDEX logs__user_id ON logs (tenant_id, user_id);
CREATE INDEX logs__application_id ON logs (tenant_id, application_id);
CREATE INDEX logs__hook_id ON logs (tenant_id, hook_id, created_at);
CREATE INDEX logs__created_at_id ON logs (tenant_id, created_at, id);

-- +goose Down
DROP TABLE logs;
DROP TABLE webhook_deliveries;
DROP TABLE hooks;
