// Package policy is the sign-in experience's rules for new credentials: Logto's password policy
// (length, character types, repetition and sequences, user info, rejected words) and its
// username policy, each answered in Logto's codes.
package policy
