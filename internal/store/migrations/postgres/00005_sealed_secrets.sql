-- Secrets at rest (issue 6): client secrets and the signing and cookie key rows are sealed with
-- AES-256-GCM data keys, and the data keys are stored here wrapped by the master key
-- (GATEHOUSE_MASTER_KEY), never in clear. Not tenant-scoped: one set of data keys per database.
-- Exactly one key is active (seals new values); older ones stay to open what they sealed. The
-- partial unique index lets two nodes starting at once on a fresh database both try to insert
-- the first key: one insert wins, the other does nothing and reads the winner's.
-- A sealed client secret ("gh1:<key id>:<base64>") is longer than Logto's varchar(64), so the
-- column becomes text; sqlstore still limits the secret itself to 64 characters.

-- +goose Up
CREATE TABLE secret_data_keys (
  id varchar(21) NOT NULL,
  wrapped text NOT NULL,
  active boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  CONSTRAINT secret_data_keys__pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX secret_data_keys__one_active ON secret_data_keys (active) WHERE active;
ALTER TABLE application_secrets ALTER COLUMN value TYPE text;

-- +goose Down
-- Dropping the data keys would make every sealed value unreadable for good, and versions before
-- this migration cannot read sealed values anyway: refuse once a data key exists.
-- +goose StatementBegin
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM secret_data_keys) THEN
    RAISE EXCEPTION 'cannot roll back 00005_sealed_secrets: this database holds secrets sealed with its data keys, which versions before it cannot read';
  END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE application_secrets ALTER COLUMN value TYPE varchar(64);
DROP TABLE secret_data_keys;
