package password

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// ValidateDigest checks an imported digest (POST /api/users with passwordDigest and
// passwordAlgorithm) before it is stored, with the same parser and cost limits Verify uses, so
// an accepted digest can always be verified. It answers Logto's codes: 400
// password.invalid_legacy_password_format and password.unsupported_legacy_hash_algorithm for
// Legacy (core/utils/password.ts#parseLegacyPassword), and guard.invalid_input for an unknown
// method or a digest that does not parse. Every variant of Argon2 is accepted: Gatehouse
// computes Argon2d too, so Logto's password.unsupported_encryption_method never applies. Logto stores
// non-Legacy digests unchecked; refusing them at import is kinder than failing every sign-in.
func ValidateDigest(method, encrypted string) error {
	f, ok := formatFor(method)
	if !ok {
		return apperr.InvalidInput("passwordAlgorithm must be one of %s.", strings.Join([]string{
			model.PasswordArgon2i, model.PasswordArgon2id, model.PasswordArgon2d, model.PasswordSHA1,
			model.PasswordSHA256, model.PasswordMD5, model.PasswordBcrypt, model.PasswordLegacy}, ", "))
	}
	_, err := f.parse(defaultLimits, encrypted)
	if err == nil {
		return nil
	}
	var legacyAlg *legacyAlgorithmError
	switch {
	case errors.As(err, &legacyAlg):
		return apperr.New(http.StatusBadRequest, "password.unsupported_legacy_hash_algorithm",
			"Unsupported legacy hash algorithm: %s.", legacyAlg.algorithm).
			WithData(map[string]string{"algorithm": legacyAlg.algorithm})
	case method == model.PasswordLegacy:
		return apperr.New(http.StatusBadRequest, "password.invalid_legacy_password_format",
			"Invalid legacy password format. %s", detail(err))
	}
	return apperr.InvalidInput("passwordDigest is not a valid %s digest: %s", method, detail(err))
}

// detail is the part of a parse error after the sentinel's own text, e.g. "bcrypt cost 40".
func detail(err error) string {
	msg := err.Error()
	for _, sentinel := range []error{ErrMalformed, ErrUnsupported} {
		msg = strings.TrimPrefix(msg, sentinel.Error()+": ")
	}
	return msg
}
