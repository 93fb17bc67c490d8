// Package codes is the one-time verification codes sent by email: six digits, kept only as a
// salted hash, valid for a short time, for a few attempts, and not resent too often.
package codes
