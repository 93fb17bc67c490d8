// Package argon2 computes Argon2d, Argon2i and Argon2id (RFC 9106, version 0x13) in memory the
// caller owns and reuses, so a server checking passwords all day neither hands the garbage
// collector 19 MiB per sign-in nor doubles its heap to make room for the next one.
package argon2
