-- Users and their roles, following Logto's packages/schemas/tables/users.sql and users_roles.sql
-- with the differences of 00001 (no RLS, roles or triggers; (tenant_id, id) keys with tenant-carrying
-- references; epoch-millisecond timestamps, so updated_at is set by the writer instead of a trigger).
-- Left out until their features exist: mfa_verifications and cimd_client_id.
--
-- Emails are unique per tenant ignoring case (Logto looks them up with lower() but only
-- enforces exact uniqueness; Gatehouse enforces what it looks up). The role-type rule of Logto's
-- users_roles__role_type check (only `User` roles) is kept by the store's INSERT … SELECT.

-- +goose Up
CREATE TABLE users (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(12) NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  username varchar(128),
  primary_email varchar(128),
  primary_phone varchar(128),
  password_encrypted varchar(256),
  password_encryption_method varchar(16)
    CONSTRAINT users__password_encryption_method_check
    CHECK (password_encryption_method IN ('Argon2i', 'Argon2id', 'Argon2d', 'SHA1', 'SHA256', 'MD5', 'Bcrypt', 'Legacy')),
  name varchar(128),
  avatar varchar(2048),
  profile jsonb NOT NULL DEFAULT '{}'::jsonb,
  application_id varchar(21),
  identities jsonb NOT NULL DEFAULT '{}'::jsonb,
  custom_data jsonb NOT NULL DEFAULT '{}'::jsonb,
  logto_config jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_suspended boolean NOT NULL DEFAULT false,
  is_password_expired boolean NOT NULL DEFAULT false,
  last_sign_in_at bigint,
  password_updated_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CONSTRAINT users__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT users__username UNIQUE (tenant_id, username),
  CONSTRAINT users__primary_phone UNIQUE (tenant_id, primary_phone)
);
CREATE UNIQUE INDEX users__primary_email ON users (tenant_id, lower(primary_email));
-- Lists are newest first; a case-insensitive username lookup (username policy) uses the second.
CREATE INDEX users__created_at ON users (tenant_id, created_at DESC, seq DESC);
CREATE INDEX users__lower_username ON users (tenant_id, lower(username)) WHERE username IS NOT NULL;
CREATE INDEX users__name ON users (tenant_id, name);

CREATE TABLE users_roles (
  tenant_id varchar(21) NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id varchar(21) NOT NULL,
  user_id varchar(12) NOT NULL,
  role_id varchar(21) NOT NULL,
  CONSTRAINT users_roles__pkey PRIMARY KEY (tenant_id, id),
  CONSTRAINT users_roles__user_fkey FOREIGN KEY (tenant_id, user_id)
    REFERENCES users (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT users_roles__role_fkey FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT users_roles__user_id_role_id UNIQUE (tenant_id, user_id, role_id)
);
CREATE INDEX users_roles__role_id ON users_roles (tenant_id, role_id);

-- +goose Down
DROP TABLE users_roles;
DROP TABLE users;
