// Package password hashes new passwords with argon2id and verifies every password format Logto
// stores (Argon2i/Argon2id, Bcrypt, SHA1/SHA256/MD5, Legacy pbkdf2, node digests and
// firebase-scrypt), with a bound on how many hashes run at once.
package password
