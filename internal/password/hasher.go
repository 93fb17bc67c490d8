package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/argon2"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Errors a stored or imported digest can produce; Verify and ValidateDigest wrap them with detail.
var (
	// ErrMalformed means the digest does not parse as its method's format, or its cost parameters
	// are beyond what Gatehouse agrees to compute (a hostile import must not exhaust the server).
	ErrMalformed = errors.New("malformed password digest")
	// ErrUnsupported means the method or algorithm is not one Gatehouse computes (a Legacy
	// digest naming a hash Node has and Go has not) or is not a Logto method at all.
	ErrUnsupported = errors.New("unsupported password digest")
)

// Options configure a Hasher.
type Options struct {
	// MaxConcurrent bounds the Hash/Verify/Decoy calls running at once; 0 means
	// runtime.GOMAXPROCS(0). Each argon2 call works in its memory parameter (19 MiB for ours,
	// 8 MiB for Logto's), so the bound is also the bound on that memory.
	MaxConcurrent int
	// IdleRelease is how long the argon2 memory is kept after the last call ends, so a burst of
	// sign-ins reuses it instead of mapping it per call; 0 means 10 seconds.
	IdleRelease time.Duration
}

// Hasher hashes and verifies passwords. It implements core.PasswordHasher and is safe for
// concurrent use.
type Hasher struct {
	arenas *arenaPool
	params argon2Params // what Hash writes and Decoy spends
	limits limits       // the most a stored digest may ask us to compute
	// formatFor finds the verifier of a Logto method; a field so tests can observe concurrency.
	formatFor func(method string) (format, bool)
}

// New returns a Hasher writing argon2id with OWASP's parameters.
func New(o Options) *Hasher {
	return &Hasher{
		arenas:    newArenaPool(o.MaxConcurrent, o.IdleRelease),
		params:    owaspArgon2id,
		limits:    defaultLimits,
		formatFor: formatFor,
	}
}

// owaspArgon2id is OWASP Password Storage Cheat Sheet's first argon2id option: 19 MiB, 2
// passes, 1 lane; a 16-byte salt and a 32-byte key as Logto writes them. It is a stronger
// variant than Logto's argon2i (argon2id also resists GPU time–memory trade-offs, RFC 9106 §4)
// and costs about two thirds of it here (19 MiB × 2 passes against 8 MiB × 8; see the
// benchmarks).
var owaspArgon2id = argon2Params{variant: variantID, memoryKiB: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Hash returns the PHC string of plain under argon2id, and Logto's method name "Argon2id".
func (h *Hasher) Hash(ctx context.Context, plain string) (encrypted, method string, err error) {
	if plain == "" {
		return "", "", errors.New("hash password: the password is empty")
	}
	mem, err := h.arenas.acquire(ctx)
	if err != nil {
		return "", "", fmt.Errorf("hash password: %w", err)
	}
	defer h.arenas.release(mem)
	salt := make([]byte, h.params.saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (it crashes the program instead)
	d := argon2Digest{params: h.params, salt: salt, key: h.params.derive(mem, []byte(plain), salt)}
	return d.String(), model.PasswordArgon2id, nil
}

// Verify checks plain against a stored digest of any Logto method. rehash is true when the
// password matched but the digest is not argon2id with the current parameters, so the caller
// should store Hash(plain) instead (Logto migrates legacy hashes on sign-in the same way,
// core/libraries/user.ts). A digest that does not parse, asks for absurd cost, or uses an
// algorithm Go cannot compute is an error wrapping ErrMalformed or ErrUnsupported. An empty
// password never matches.
func (h *Hasher) Verify(ctx context.Context, plain, encrypted, method string) (ok, rehash bool, err error) {
	mem, err := h.arenas.acquire(ctx)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	defer h.arenas.release(mem)

	f, known := h.formatFor(method)
	if !known {
		h.decoy(mem, []byte(plain))
		return false, false, fmt.Errorf("verify password: method %q: %w", method, ErrUnsupported)
	}
	if plain == "" {
		// hash-wasm refuses an empty password; spend the same time as a failed check anyway.
		h.decoy(mem, []byte(plain))
		return false, false, nil
	}
	d, err := f.parse(h.limits, encrypted)
	if err != nil {
		h.decoy(mem, []byte(plain))
		return false, false, fmt.Errorf("verify %s password: %w", method, err)
	}
	if !d.matches(mem, []byte(plain)) {
		// A wrong password on a fast format would answer in microseconds and tell an attacker
		// which accounts hold weak hashes (Logto's shouldRunDecoyOnFailure).
		if f.fast {
			h.decoy(mem, []byte(plain))
		}
		return false, false, nil
	}
	// Also rehash when the method column disagrees with the digest (an argon2id string imported
	// as "Argon2i"), so the row is corrected on the next sign-in.
	current, isArgon2 := d.(argon2Digest)
	return true, method != model.PasswordArgon2id || !isArgon2 || !current.isCurrent(h.params), nil
}

// Decoy spends the cost of one argon2id verify with the current parameters, so a sign-in for an
// unknown account takes as long as one for a real account (Logto's runDecoyArgon2Verify).
func (h *Hasher) Decoy(ctx context.Context, plain string) {
	mem, err := h.arenas.acquire(ctx)
	if err != nil {
		return
	}
	defer h.arenas.release(mem)
	h.decoy(mem, []byte(plain))
}

// decoySalt is fixed: the decoy never has to match, it only has to cost the same.
const decoySalt = "gatehouse-decoy!"

func (h *Hasher) decoy(mem *argon2.Arena, plain []byte) {
	key := h.params.derive(mem, plain, []byte(decoySalt))
	// Compare as a real verify would, so the work is not optimised away and costs the same.
	subtle.ConstantTimeCompare(key, make([]byte, len(key)))
}

// argon2Variants maps PHC variant names to the algorithm's type y.
var argon2Variants = map[argon2Variant]argon2.Variant{variantD: argon2.D, variantI: argon2.I, variantID: argon2.ID}

// derive runs the KDF of p's variant in mem. Only version 0x13 is computed, the v=19 every PHC
// string we accept carries.
func (p argon2Params) derive(mem *argon2.Arena, plain, salt []byte) []byte {
	key, err := argon2.Key(mem, plain, salt, argon2.Params{
		Variant: argon2Variants[p.variant], Time: p.time, MemoryKiB: p.memoryKiB,
		Lanes: uint32(p.threads), KeyLen: p.keyLen,
	})
	if err != nil {
		// parseArgon2 admits only what RFC 9106 allows, and owaspArgon2id is within it.
		panic(fmt.Sprintf("password: argon2 refused parameters the parser accepted: %v", err))
	}
	return key
}
