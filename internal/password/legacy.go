package password

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/blake2s"
	"golang.org/x/crypto/ripemd160" //lint:ignore SA1019 verifies RIPEMD-160 digests imported from older systems; never used to create one
	"golang.org/x/crypto/scrypt"
)

// legacyAlgorithmError names a Legacy algorithm (or pbkdf2 digest) Go cannot compute; it is
// ErrUnsupported, and ValidateDigest answers it with password.unsupported_legacy_hash_algorithm.
type legacyAlgorithmError struct{ algorithm string }

func (e *legacyAlgorithmError) Error() string {
	return fmt.Sprintf("unsupported legacy hash algorithm %q", e.algorithm)
}

func (e *legacyAlgorithmError) Unwrap() error { return ErrUnsupported }

// parseLegacy reads Logto's "Legacy" digest, refusing what its parseLegacyPassword refuses: a
// JSON triple ["<algorithm>", [args…], "<expected>"] where "@" among args stands for the
// password (core/utils/password.ts):
//
//   - a node crypto.createHash name, e.g. ["sha256", ["salt", "@"], "<hex>"]: the digest of the
//     args concatenated;
//   - "pbkdf2" or "pbkdf2Sync": ["<salt or hex:…>", "<iterations>", "<keylen>", "<digest>", "@"];
//   - "firebase-scrypt": ["<salt>", "<signerKey>", "<saltSeparator>", "<rounds>", "<memCost>", "@"],
//     all base64, the expected value base64 too (Firebase's modified scrypt).
func parseLegacy(l limits, encrypted string) (digest, error) {
	algorithm, args, expected, err := splitLegacy(encrypted)
	if err != nil {
		return nil, err
	}
	switch algorithm {
	case "pbkdf2", "pbkdf2Sync":
		return parsePBKDF2(l, args, expected)
	case "firebase-scrypt":
		return parseFirebaseScrypt(l, args, expected)
	}
	newHash, ok := nodeHash(algorithm)
	if !ok {
		return nil, &legacyAlgorithmError{algorithm: algorithm}
	}
	sum, err := decodeHex(expected, newHash().Size())
	if err != nil {
		return nil, err
	}
	return nodeDigest{newHash: newHash, args: args, sum: sum}, nil
}

// splitLegacy checks Logto's zod guard: a tuple of a string, an array of strings containing
// "@", and a string.
func splitLegacy(encrypted string) (algorithm string, args []string, expected string, err error) {
	var tuple []json.RawMessage
	if json.Unmarshal([]byte(encrypted), &tuple) != nil || len(tuple) != 3 {
		return "", nil, "", fmt.Errorf(`%w: legacy digest must be ["<algorithm>", [<args with "@">], "<hash>"]`, ErrMalformed)
	}
	if json.Unmarshal(tuple[0], &algorithm) != nil || json.Unmarshal(tuple[1], &args) != nil ||
		json.Unmarshal(tuple[2], &expected) != nil || algorithm == "" {
		return "", nil, "", fmt.Errorf(`%w: legacy digest must be ["<algorithm>", [<args with "@">], "<hash>"] of strings`, ErrMalformed)
	}
	hasPassword := false
	for _, a := range args {
		hasPassword = hasPassword || a == "@"
	}
	if !hasPassword {
		return "", nil, "", fmt.Errorf(`%w: legacy digest args must include "@" for the password`, ErrMalformed)
	}
	return algorithm, args, expected, nil
}

// substitute replaces each "@" arg with the password.
func substitute(args []string, plain []byte) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		if a == "@" {
			out[i] = plain
		} else {
			out[i] = []byte(a)
		}
	}
	return out
}

// nodeDigest is a createHash digest of the args joined.
type nodeDigest struct {
	newHash func() hash.Hash
	args    []string
	sum     []byte
}

func (d nodeDigest) matches(_ *argon2.Arena, plain []byte) bool {
	h := d.newHash()
	h.Write(bytes.Join(substitute(d.args, plain), nil))
	return subtle.ConstantTimeCompare(h.Sum(nil), d.sum) == 1
}

// nodeHash maps a node crypto.createHash name (OpenSSL's, case-insensitive, with its aliases
// as crypto.getHashes() lists them on Node 20) to a Go hash. SM3, MD4 and Whirlpool have no Go
// implementation here and are reported as unsupported.
func nodeHash(name string) (func() hash.Hash, bool) {
	n := strings.ToLower(name)
	n = strings.TrimPrefix(n, "rsa-")
	n = strings.TrimPrefix(n, "id-rsassa-pkcs1-v1_5-with-")
	n = strings.TrimSuffix(n, "withrsaencryption")
	n = strings.TrimSuffix(n, "withrsa")
	newHash, ok := nodeHashes[n]
	return newHash, ok
}

// nodeHashes maps each name of a node hash (lower case, without the RSA signature affixes
// nodeHash removes) to its Go constructor.
var nodeHashes = func() map[string]func() hash.Hash {
	m := map[string]func() hash.Hash{}
	for _, h := range []struct {
		names   []string
		newHash func() hash.Hash
	}{
		{[]string{"md5", "ssl3-md5"}, md5.New},
		{[]string{"md5-sha1"}, newMD5SHA1},
		{[]string{"sha1", "sha-1", "ssl3-sha1", "sha1-2"}, sha1.New},
		{[]string{"sha224", "sha-224", "sha2-224"}, sha256.New224},
		{[]string{"sha256", "sha-256", "sha2-256"}, sha256.New},
		{[]string{"sha384", "sha-384", "sha2-384"}, sha512.New384},
		{[]string{"sha512", "sha-512", "sha2-512"}, sha512.New},
		{[]string{"sha512-224", "sha512/224", "sha2-512/224", "sha-512/224"}, sha512.New512_224},
		{[]string{"sha512-256", "sha512/256", "sha2-512/256", "sha-512/256"}, sha512.New512_256},
		{[]string{"sha3-224"}, func() hash.Hash { return sha3.New224() }},
		{[]string{"sha3-256"}, func() hash.Hash { return sha3.New256() }},
		{[]string{"sha3-384"}, func() hash.Hash { return sha3.New384() }},
		{[]string{"sha3-512"}, func() hash.Hash { return sha3.New512() }},
		{[]string{"shake128"}, func() hash.Hash { return fixedShake{sha3.NewSHAKE128(), 16} }}, // node's default output: 16 bytes
		{[]string{"shake256"}, func() hash.Hash { return fixedShake{sha3.NewSHAKE256(), 32} }}, // 32 bytes
		{[]string{"ripemd160", "ripemd", "rmd160", "ripemd-160"}, ripemd160.New},
		{[]string{"blake2b512", "blake2b-512"}, mustHash(blake2b.New512)},
		{[]string{"blake2s256", "blake2s-256"}, mustHash(blake2s.New256)},
	} {
		for _, name := range h.names {
			m[name] = h.newHash
		}
	}
	return m
}()

// mustHash adapts an unkeyed blake2 constructor, which only fails for an oversized key.
func mustHash(newKeyed func(key []byte) (hash.Hash, error)) func() hash.Hash {
	return func() hash.Hash {
		h, err := newKeyed(nil)
		if err != nil {
			panic(fmt.Sprintf("unkeyed blake2: %v", err)) // unreachable: a nil key is always valid
		}
		return h
	}
}

// fixedShake gives a SHAKE the hash.Hash shape with node's default output length.
type fixedShake struct {
	*sha3.SHAKE
	size int
}

func (s fixedShake) Sum(b []byte) []byte {
	out := make([]byte, s.size)
	c := *s.SHAKE // reading squeezes the state; read from a copy so Sum can be called again
	_, _ = c.Read(out)
	return append(b, out...)
}
func (s fixedShake) Size() int { return s.size }

// md5sha1 is OpenSSL's MD5-SHA1: the two digests concatenated (TLS 1.0's PRF hash).
type md5sha1 struct{ md5, sha1 hash.Hash }

func newMD5SHA1() hash.Hash { return md5sha1{md5.New(), sha1.New()} }

func (h md5sha1) Write(p []byte) (int, error) { h.md5.Write(p); return h.sha1.Write(p) }
func (h md5sha1) Sum(b []byte) []byte         { return h.sha1.Sum(h.md5.Sum(b)) }
func (h md5sha1) Reset()                      { h.md5.Reset(); h.sha1.Reset() }
func (h md5sha1) Size() int                   { return md5.Size + sha1.Size }
func (h md5sha1) BlockSize() int              { return h.md5.BlockSize() }

// pbkdf2Digest is node's crypto.pbkdf2Sync(password, salt, iterations, keylen, digest) in hex.
type pbkdf2Digest struct {
	args       []string // resolved at verify time: Logto reads the salt after substituting "@"
	iterations int
	newHash    func() hash.Hash
	sum        []byte
}

func parsePBKDF2(l limits, args []string, expected string) (digest, error) {
	if len(args) < 4 || args[0] == "" || args[1] == "" || args[2] == "" || args[3] == "" {
		return nil, fmt.Errorf(`%w: pbkdf2 args must be [salt, iterations, keylen, digest, "@"]`, ErrMalformed)
	}
	if _, err := pbkdf2Salt(args[0]); err != nil {
		return nil, err
	}
	iterations, keyLen, err := parsePBKDF2Sizes(l, args[1], args[2])
	if err != nil {
		return nil, err
	}
	newHash, err := pbkdf2Hash(args[3])
	if err != nil {
		return nil, err
	}
	// The expected hex must have keylen bytes, or no password could ever match.
	sum, err := decodeHex(expected, keyLen)
	if err != nil {
		return nil, err
	}
	return pbkdf2Digest{args: args, iterations: iterations, newHash: newHash, sum: sum}, nil
}

// parsePBKDF2Sizes reads the iterations (1 to l's limit) and key length (1 to l.keyBytes) args.
func parsePBKDF2Sizes(l limits, iterationsArg, keyLenArg string) (iterations, keyLen int, err error) {
	iterations, err = strconv.Atoi(iterationsArg)
	if err != nil || iterations < 1 {
		return 0, 0, fmt.Errorf("%w: pbkdf2 iterations %q", ErrMalformed, iterationsArg)
	}
	if iterations > l.pbkdf2Iterations {
		return 0, 0, fmt.Errorf("%w: pbkdf2 iterations %d is above the limit of %d", ErrMalformed, iterations, l.pbkdf2Iterations)
	}
	keyLen, err = strconv.Atoi(keyLenArg)
	if err != nil || keyLen < 1 || keyLen > l.keyBytes {
		return 0, 0, fmt.Errorf("%w: pbkdf2 keylen %q (1 to %d)", ErrMalformed, keyLenArg, l.keyBytes)
	}
	return iterations, keyLen, nil
}

// pbkdf2Hash is the HMAC hash of a pbkdf2 digest: a node hash that is not an extendable-output
// function.
func pbkdf2Hash(name string) (func() hash.Hash, error) {
	newHash, ok := nodeHash(name)
	if ok {
		_, isShake := newHash().(fixedShake) // an extendable-output function has no HMAC
		ok = !isShake
	}
	if !ok {
		return nil, &legacyAlgorithmError{algorithm: "pbkdf2 with " + name}
	}
	return newHash, nil
}

// pbkdf2Salt reads Logto's salt arg: "hex:<even-length hex>" for binary salts, else the UTF-8
// string itself (parsePbkdf2Salt).
func pbkdf2Salt(salt string) ([]byte, error) {
	hexSalt, isHex := strings.CutPrefix(salt, "hex:")
	if !isHex {
		return []byte(salt), nil
	}
	b, err := hex.DecodeString(hexSalt)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%w: pbkdf2 salt %q is not hex:<even-length hex>", ErrMalformed, salt)
	}
	return b, nil
}

func (d pbkdf2Digest) matches(_ *argon2.Arena, plain []byte) bool {
	resolved := substitute(d.args, plain)
	salt, err := pbkdf2Salt(string(resolved[0]))
	if err != nil {
		return false // "@" as the salt and a password starting with "hex:": Logto fails it too
	}
	key, err := pbkdf2.Key(d.newHash, string(plain), salt, d.iterations, len(d.sum))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(key, d.sum) == 1
}

// firebaseDigest is Firebase Auth's modified scrypt (github.com/firebase/scrypt): the scrypt
// key of password and salt‖separator encrypts the project's signer key with AES-256-CTR and a
// zero IV; the ciphertext is the stored hash.
type firebaseDigest struct {
	salt      []byte // user salt ‖ salt separator
	signerKey []byte
	n, r      int
	sum       []byte
}

func parseFirebaseScrypt(l limits, args []string, expected string) (digest, error) {
	if len(args) < 5 {
		return nil, fmt.Errorf(`%w: firebase-scrypt args must be [salt, signerKey, saltSeparator, rounds, memCost, "@"]`, ErrMalformed)
	}
	var decoded [3][]byte
	for i, name := range []string{"salt", "signerKey", "saltSeparator"} {
		b, err := firebaseBase64(args[i])
		if err != nil || len(b) == 0 || len(b) > l.keyBytes {
			return nil, fmt.Errorf("%w: firebase-scrypt %s is not base64 of 1 to %d bytes", ErrMalformed, name, l.keyBytes)
		}
		decoded[i] = b
	}
	r, err := strconv.Atoi(args[3])
	if err != nil || r < 1 || r > 64 {
		return nil, fmt.Errorf("%w: firebase-scrypt rounds %q (1 to 64)", ErrMalformed, args[3])
	}
	memCost, err := strconv.Atoi(args[4])
	if err != nil || memCost < 1 || memCost > 30 {
		return nil, fmt.Errorf("%w: firebase-scrypt memCost %q (1 to 30)", ErrMalformed, args[4])
	}
	n := 1 << memCost
	if mem := int64(128) * int64(r) * int64(n); mem > l.scryptMemory {
		return nil, fmt.Errorf("%w: firebase-scrypt needs %d bytes of memory, above the limit of %d", ErrMalformed, mem, l.scryptMemory)
	}
	sum, err := firebaseBase64(expected)
	if err != nil || len(sum) != len(decoded[1]) {
		return nil, fmt.Errorf("%w: firebase-scrypt hash must be base64 as long as the signer key", ErrMalformed)
	}
	return firebaseDigest{salt: append(decoded[0], decoded[2]...), signerKey: decoded[1], n: n, r: r, sum: sum}, nil
}

// firebaseBase64 accepts the standard alphabet (Firebase CLI exports) and the URL-safe one (the
// Admin SDK's listUsers), padded or not, as Logto normalises them.
func firebaseBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.NewReplacer("-", "+", "_", "/").Replace(s), "=")
	return base64.RawStdEncoding.DecodeString(s)
}

func (d firebaseDigest) matches(_ *argon2.Arena, plain []byte) bool {
	key, err := scrypt.Key(plain, d.salt, d.n, d.r, 1, 32)
	if err != nil {
		return false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return false
	}
	out := make([]byte, len(d.signerKey))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(out, d.signerKey)
	return subtle.ConstantTimeCompare(out, d.sum) == 1
}
