// Package google is the Google social connector (Logto's factory `google-universal`), built on
// the OIDC connector: Google's discovery document, its JWKS-verified ID tokens, email only when
// Google says it is verified.
package google
