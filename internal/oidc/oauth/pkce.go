package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"

	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// PKCE code challenge method: only S256 (RFC 7636 §4.2); plain is refused at the authorization
// endpoint, as RFC 9700 §2.1.1 advises and Logto does.
const PKCEMethodS256 = "S256"

// CheckPKCEFormat checks a code_verifier or code_challenge against RFC 7636 §4.1: 43 to 128
// characters of [A-Za-z0-9-._~]. The answers are oidc-provider's (pkce_format.js).
func CheckPKCEFormat(value, param string) *oautherr.Error {
	switch {
	case len(value) < 43:
		return oautherr.BadRequest(param + " must be a string with a minimum length of 43 characters")
	case len(value) > 128:
		return oautherr.BadRequest(param + " must be a string with a maximum length of 128 characters")
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return oautherr.BadRequest(param + " contains invalid characters")
		}
	}
	return nil
}

// VerifyPKCE is the token endpoint's PKCE check (RFC 7636 §4.6), the one both sides of a code
// exchange go through. Whenever the authorization request carried a challenge, the verifier must be
// sent and hash to it; a verifier for a code issued without a challenge is refused too (a client
// that believes it used PKCE but did not is misconfigured). The comparison runs in constant time.
// Every mismatch is the same invalid_grant.
func VerifyPKCE(verifier, challenge, method string) *oautherr.Error {
	if verifier != "" {
		if err := CheckPKCEFormat(verifier, "code_verifier"); err != nil {
			return err
		}
	}
	switch {
	case verifier == "" && challenge == "":
		return nil // a confidential client that did not use PKCE
	case verifier == "":
		return oautherr.InvalidGrantError("code_verifier must be provided")
	case method != PKCEMethodS256:
		return oautherr.InvalidGrantError("unsupported code_challenge_method")
	}
	sum := sha256.Sum256([]byte(verifier))
	expected := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(expected), []byte(challenge)) != 1 {
		return oautherr.InvalidGrantError("code_verifier does not match code_challenge")
	}
	return nil
}
