-- Users and their roles: the same tables, keys and rules as postgres/00002_users.sql (see the notes
-- there) in SQLite's types (STRICT, TEXT JSON checked with json_valid, INTEGER booleans and epoch
-- milliseconds). SQLite's lower() folds ASCII only; the service stores emails lower-cased, so the
-- case-insensitive email index holds for every address it writes.

-- +goose Up
CREATE TABLE users (
  seq INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  username TEXT,
  primary_email TEXT,
  primary_phone TEXT,
  password_encrypted TEXT,
  password_encryption_method TEXT
    CHECK (password_encryption_method IN ('Argon2i', 'Argon2id', 'Argon2d', 'SHA1', 'SHA256', 'MD5', 'Bcrypt', 'Legacy')),
  name TEXT,
  avatar TEXT,
  profile TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(profile)),
  application_id TEXT,
  identities TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(identities)),
  custom_data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom_data)),
  logto_config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(logto_config)),
  is_suspended INTEGER NOT NULL DEFAULT 0 CHECK (is_suspended IN (0, 1)),
  is_password_expired INTEGER NOT NULL DEFAULT 0 CHECK (is_password_expired IN (0, 1)),
  last_sign_in_at INTEGER,
  password_updated_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, username),
  UNIQUE (tenant_id, primary_phone)
) STRICT;
CREATE UNIQUE INDEX users__primary_email ON users (tenant_id, lower(primary_email));
CREATE INDEX users__created_at ON users (tenant_id, created_at DESC, seq DESC);
CREATE INDEX users__lower_username ON users (tenant_id, lower(username)) WHERE username IS NOT NULL;
CREATE INDEX users__name ON users (tenant_id, name);

CREATE TABLE users_roles (
  tenant_id TEXT NOT NULL
    REFERENCES tenants (id) ON UPDATE CASCADE ON DELETE CASCADE,
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id)
    REFERENCES users (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, role_id)
    REFERENCES roles (tenant_id, id) ON UPDATE CASCADE ON DELETE CASCADE,
  UNIQUE (tenant_id, user_id, role_id)
) STRICT;
CREATE INDEX users_roles__role_id ON users_roles (tenant_id, role_id);

-- +goose Down
DROP TABLE users_roles;
DROP TABLE users;
