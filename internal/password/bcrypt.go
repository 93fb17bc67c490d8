package password

import (
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
	"golang.org/x/crypto/bcrypt"
)

// bcryptDigest is a modular-crypt bcrypt hash, $2a$/$2b$/$2y$<cost>$<22 salt><31 hash>, as
// hash-wasm's bcryptVerify (Logto's verifier) and bcryptjs write it.
type bcryptDigest []byte

func (d bcryptDigest) matches(_ *argon2.Arena, plain []byte) bool {
	// CompareHashAndPassword compares in constant time; like every bcrypt it reads only the first
	// 72 bytes of the password.
	return bcrypt.CompareHashAndPassword(d, plain) == nil
}

func parseBcrypt(l limits, encrypted string) (digest, error) {
	if len(encrypted) != 60 || encrypted[0] != '$' || encrypted[1] != '2' || encrypted[3] != '$' || encrypted[6] != '$' {
		return nil, fmt.Errorf("%w: not a bcrypt hash $2b$<cost>$<53 characters>", ErrMalformed)
	}
	switch encrypted[2] {
	case 'a', 'b', 'y':
	default:
		return nil, fmt.Errorf("%w: bcrypt version $2%c$", ErrMalformed, encrypted[2])
	}
	for i := 7; i < len(encrypted); i++ {
		if !isBcryptChar(encrypted[i]) {
			return nil, fmt.Errorf("%w: bcrypt salt and hash use ./A-Za-z0-9 only", ErrMalformed)
		}
	}
	cost, err := bcrypt.Cost([]byte(encrypted))
	if err != nil {
		var costErr bcrypt.InvalidCostError
		if errors.As(err, &costErr) {
			return nil, fmt.Errorf("%w: bcrypt cost %d", ErrMalformed, int(costErr))
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if cost > l.bcryptCost {
		return nil, fmt.Errorf("%w: bcrypt cost %d is above the limit of %d", ErrMalformed, cost, l.bcryptCost)
	}
	return bcryptDigest(encrypted), nil
}

func isBcryptChar(c byte) bool {
	return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}
