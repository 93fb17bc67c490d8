// Package protocol is the use-cases of the OIDC provider's stored artifacts: interactions,
// single sign-on sessions, grants, authorization codes, access and refresh tokens, and the
// clean-up of expired ones. Secrets among them are stored only as hashes.
package protocol
