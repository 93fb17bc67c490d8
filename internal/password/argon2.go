package password

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
)

type argon2Variant string

const (
	variantI  argon2Variant = "argon2i"
	variantID argon2Variant = "argon2id"
	variantD  argon2Variant = "argon2d"
)

// argon2Params are the cost and sizes of one argon2 digest.
type argon2Params struct {
	variant   argon2Variant
	memoryKiB uint32
	time      uint32
	threads   uint8
	saltLen   int
	keyLen    uint32
}

// argon2Digest is a parsed PHC string (github.com/P-H-C/phc-string-format):
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in unpadded standard base64.
type argon2Digest struct {
	params argon2Params
	salt   []byte
	key    []byte
}

func (d argon2Digest) String() string {
	return fmt.Sprintf("$%s$v=19$m=%d,t=%d,p=%d$%s$%s", d.params.variant,
		d.params.memoryKiB, d.params.time, d.params.threads,
		base64.RawStdEncoding.EncodeToString(d.salt), base64.RawStdEncoding.EncodeToString(d.key))
}

func (d argon2Digest) matches(mem *argon2.Arena, plain []byte) bool {
	return subtle.ConstantTimeCompare(d.params.derive(mem, plain, d.salt), d.key) == 1
}

// isCurrent reports whether d was written with exactly the parameters Hash uses now.
func (d argon2Digest) isCurrent(p argon2Params) bool {
	return d.params.variant == p.variant && d.params.memoryKiB == p.memoryKiB &&
		d.params.time == p.time && d.params.threads == p.threads &&
		d.params.keyLen == p.keyLen && len(d.salt) >= p.saltLen
}

// parseArgon2 reads a PHC string the way hash-wasm's argon2Verify does (Logto's verifier):
// version 19 only, m, t and p each once in any order, salt of at least 8 bytes, key of at
// least 4, m ≥ 8·p. It never assumes Logto's parameters: each digest carries its own.
func parseArgon2(l limits, encrypted string) (digest, error) {
	parts := strings.Split(encrypted, "$")
	// "", variant, "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" {
		return nil, fmt.Errorf("%w: not a PHC string $argon2<variant>$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>", ErrMalformed)
	}
	variant, err := parseArgon2Variant(parts[1])
	if err != nil {
		return nil, err
	}
	if parts[2] != "v=19" {
		return nil, fmt.Errorf("%w: argon2 version %q, only v=19 is supported", ErrMalformed, parts[2])
	}
	m, t, lanes, err := parseArgon2Costs(parts[3])
	if err != nil {
		return nil, err
	}
	if err := checkArgon2Costs(l, m, t, lanes); err != nil {
		return nil, err
	}
	p := argon2Params{variant: variant, memoryKiB: uint32(m), time: uint32(t), threads: uint8(lanes)}
	salt, err := decodePHCBase64(parts[4], "salt", 8, l.keyBytes)
	if err != nil {
		return nil, err
	}
	key, err := decodePHCBase64(parts[5], "hash", 4, l.keyBytes)
	if err != nil {
		return nil, err
	}
	p.saltLen, p.keyLen = len(salt), uint32(len(key))
	return argon2Digest{params: p, salt: salt, key: key}, nil
}

// parseArgon2Variant accepts argon2d, argon2i and argon2id, as hash-wasm does.
func parseArgon2Variant(s string) (argon2Variant, error) {
	switch variant := argon2Variant(s); variant {
	case variantD, variantI, variantID:
		return variant, nil
	}
	return "", fmt.Errorf("%w: unknown argon2 variant %q", ErrMalformed, s)
}

// parseArgon2Costs reads "m=<KiB>,t=<passes>,p=<lanes>": each once, in any order, 32-bit
// decimal numbers.
func parseArgon2Costs(s string) (m, t, lanes uint64, err error) {
	seen := map[byte]bool{}
	for kv := range strings.SplitSeq(s, ",") {
		name, value, found := strings.Cut(kv, "=")
		if !found || len(name) != 1 || seen[name[0]] || !isDigits(value) {
			return 0, 0, 0, fmt.Errorf("%w: argon2 parameters %q", ErrMalformed, s)
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%w: argon2 parameter %s out of range", ErrMalformed, name)
		}
		seen[name[0]] = true
		switch name {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			lanes = n
		default:
			return 0, 0, 0, fmt.Errorf("%w: unknown argon2 parameter %q", ErrMalformed, name)
		}
	}
	if len(seen) != 3 {
		return 0, 0, 0, fmt.Errorf("%w: argon2 parameters need m, t and p", ErrMalformed)
	}
	return m, t, lanes, nil
}

// checkArgon2Costs requires t and p of at least 1, m ≥ 8·p, and each within l.
func checkArgon2Costs(l limits, m, t, lanes uint64) error {
	switch {
	case t < 1 || lanes < 1:
		return fmt.Errorf("%w: argon2 t and p must be at least 1", ErrMalformed)
	case m < 8*lanes:
		return fmt.Errorf("%w: argon2 memory must be at least 8 KiB per lane", ErrMalformed)
	case m > uint64(l.argon2MemoryKiB):
		return fmt.Errorf("%w: argon2 memory %d KiB is above the limit of %d KiB", ErrMalformed, m, l.argon2MemoryKiB)
	case t > uint64(l.argon2Time):
		return fmt.Errorf("%w: argon2 passes %d is above the limit of %d", ErrMalformed, t, l.argon2Time)
	case lanes > uint64(l.argon2Threads):
		return fmt.Errorf("%w: argon2 lanes %d is above the limit of %d", ErrMalformed, lanes, l.argon2Threads)
	}
	return nil
}

// decodePHCBase64 decodes a PHC field: standard alphabet without padding (PHC string format,
// "B64 encoding").
func decodePHCBase64(s, field string, minLen, maxLen int) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: argon2 %s is not unpadded base64", ErrMalformed, field)
	}
	if len(b) < minLen || len(b) > maxLen {
		return nil, fmt.Errorf("%w: argon2 %s of %d bytes (want %d to %d)", ErrMalformed, field, len(b), minLen, maxLen)
	}
	return b, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
