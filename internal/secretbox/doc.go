// Package secretbox seals secrets at rest (issue 6): AES-256-GCM data keys wrapped by a master
// key-encryption key, and values bound by their associated data to the row they belong to.
package secretbox
