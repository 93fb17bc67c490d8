package password

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// A format parses one Logto password method's stored string into a digest. Verify and
// ValidateDigest share the parser, so whatever an import is allowed to store can be verified.
type format struct {
	parse func(l limits, encrypted string) (digest, error)
	// fast formats reject a wrong password much faster than argon2 does; Verify then spends a
	// decoy (Logto's fastPasswordEncryptionMethods: MD5, SHA1, SHA256, Legacy).
	fast bool
}

// digest is a parsed stored password.
type digest interface {
	// matches recomputes the digest from plain and compares in constant time; argon2 digests
	// work in mem, the calling hasher's arena.
	matches(mem *argon2.Arena, plain []byte) bool
}

// formatFor is the table of Logto's users_password_encryption_method values.
func formatFor(method string) (format, bool) {
	switch method {
	case model.PasswordArgon2i, model.PasswordArgon2id, model.PasswordArgon2d:
		// Logto hands all three to hash-wasm's argon2Verify, which reads the variant from the
		// PHC string, not from the method column; so do we.
		return format{parse: parseArgon2}, true
	case model.PasswordBcrypt:
		return format{parse: parseBcrypt}, true
	case model.PasswordMD5:
		return format{parse: plainHexParser(md5.New), fast: true}, true
	case model.PasswordSHA1:
		return format{parse: plainHexParser(sha1.New), fast: true}, true
	case model.PasswordSHA256:
		return format{parse: plainHexParser(sha256.New), fast: true}, true
	case model.PasswordLegacy:
		return format{parse: parseLegacy, fast: true}, true
	}
	return format{}, false
}

// limits bound the work a stored digest can ask for. Imports come from whoever holds a
// Management API token, and a user row is read on every sign-in, so a digest claiming 64 GiB
// of argon2 memory or a billion pbkdf2 rounds is refused instead of computed.
type limits struct {
	argon2MemoryKiB  uint32
	argon2Time       uint32
	argon2Threads    uint32
	bcryptCost       int
	pbkdf2Iterations int
	scryptMemory     int64 // bytes: 128 · r · N
	keyBytes         int   // longest derived key or salt we accept
}

var defaultLimits = limits{
	argon2MemoryKiB:  1 << 20, // 1 GiB
	argon2Time:       100,
	argon2Threads:    64,
	bcryptCost:       16,
	pbkdf2Iterations: 10_000_000,
	scryptMemory:     1 << 30,
	keyBytes:         1024,
}

// plainDigest is Logto's MD5/SHA1/SHA256: the lowercase hex digest of the bare password, no
// salt (user-password-verification.ts compares hash-wasm's hex output).
type plainDigest struct {
	newHash func() hash.Hash
	sum     []byte
}

func plainHexParser(newHash func() hash.Hash) func(limits, string) (digest, error) {
	return func(_ limits, encrypted string) (digest, error) {
		size := newHash().Size()
		sum, err := decodeHex(encrypted, size)
		if err != nil {
			return nil, err
		}
		return plainDigest{newHash: newHash, sum: sum}, nil
	}
}

func (d plainDigest) matches(_ *argon2.Arena, plain []byte) bool {
	h := d.newHash()
	h.Write(plain)
	return subtle.ConstantTimeCompare(h.Sum(nil), d.sum) == 1
}

// decodeHex decodes a hex digest of exactly size bytes. Upper-case hex is accepted too: it
// names the same bytes, and importers sometimes export it that way.
func decodeHex(s string, size int) ([]byte, error) {
	if len(s) != 2*size {
		return nil, fmt.Errorf("%w: hash of %d hex characters, want %d", ErrMalformed, len(s), 2*size)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not hexadecimal", ErrMalformed)
	}
	return b, nil
}
