// Package password is the password hasher: argon2id for new passwords, and verification of every
// format Logto stores (Argon2i/Argon2id, Bcrypt, SHA1/SHA256/MD5, Legacy pbkdf2, node digests and
// firebase-scrypt), with a bound on how many hashes run at once.
package password
