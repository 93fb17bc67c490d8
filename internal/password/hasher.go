package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/crypto/argon2"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Errors a stored or imported digest can produce; Verify and ValidateDigest wrap them with detail.
var (
	// ErrMalformed means the digest does not parse as its method's format, or its cost parameters
	// are beyond what Gatehouse agrees to compute (a hostile import must not exhaust the server).
	ErrMalformed = errors.New("malformed password digest")
	// ErrUnsupported means the method or algorithm is known but cannot be computed here (Argon2d:
	// golang.org/x/crypto has no argon2d) or is not a Logto method at all.
	ErrUnsupported = errors.New("unsupported password digest")
)

// Options configure a Hasher.
type Options struct {
	// MaxConcurrent bounds the Hash/Verify/Decoy calls running at once; 0 means
	// runtime.GOMAXPROCS(0). Each argon2 call allocates its memory parameter (19 MiB for ours,
	// 8 MiB for Logto's), so without a bound a burst of sign-ins could exhaust memory.
	MaxConcurrent int
}

// Hasher hashes and verifies passwords. It implements core.PasswordHasher and is safe for
// concurrent use.
type Hasher struct {
	slots  chan struct{}
	params argon2Params // what Hash writes and Decoy spends
	limits limits       // the most a stored digest may ask us to compute
	// formatFor finds the verifier of a Logto method; a field so tests can observe concurrency.
	formatFor func(method string) (format, bool)
}

// New returns a Hasher writing argon2id with OWASP's parameters.
func New(o Options) *Hasher {
	n := o.MaxConcurrent
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Hasher{
		slots:     make(chan struct{}, n),
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
	if err := h.acquire(ctx); err != nil {
		return "", "", fmt.Errorf("hash password: %w", err)
	}
	defer h.release()
	salt := make([]byte, h.params.saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails (it crashes the program instead)
	d := argon2Digest{params: h.params, salt: salt, key: h.params.derive([]byte(plain), salt)}
	return d.String(), model.PasswordArgon2id, nil
}

// Verify checks plain against a stored digest of any Logto method. rehash is true when the
// password matched but the digest is not argon2id with the current parameters, so the caller
// should store Hash(plain) instead (Logto migrates legacy hashes on sign-in the same way,
// core/libraries/user.ts). A digest that does not parse, asks for absurd cost, or uses an
// algorithm Go cannot compute is an error wrapping ErrMalformed or ErrUnsupported. An empty
// password never matches.
func (h *Hasher) Verify(ctx context.Context, plain, encrypted, method string) (ok, rehash bool, err error) {
	if err := h.acquire(ctx); err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	defer h.release()

	f, known := h.formatFor(method)
	if !known {
		h.decoy([]byte(plain))
		return false, false, fmt.Errorf("verify password: method %q: %w", method, ErrUnsupported)
	}
	if plain == "" {
		// hash-wasm refuses an empty password; spend the same time as a failed check anyway.
		h.decoy([]byte(plain))
		return false, false, nil
	}
	d, err := f.parse(h.limits, encrypted)
	if err != nil {
		h.decoy([]byte(plain))
		return false, false, fmt.Errorf("verify %s password: %w", method, err)
	}
	if !d.matches([]byte(plain)) {
		// A wrong password on a fast format would answer in microseconds and tell an attacker
		// which accounts hold weak hashes (Logto's shouldRunDecoyOnFailure).
		if f.fast {
			h.decoy([]byte(plain))
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
	if h.acquire(ctx) != nil {
		return
	}
	defer h.release()
	h.decoy([]byte(plain))
}

// decoySalt is fixed: the decoy never has to match, it only has to cost the same.
const decoySalt = "gatehouse-decoy!"

func (h *Hasher) decoy(plain []byte) {
	key := h.params.derive(plain, []byte(decoySalt))
	// Compare as a real verify would, so the work is not optimised away and costs the same.
	subtle.ConstantTimeCompare(key, make([]byte, len(key)))
}

// acquire takes one of the MaxConcurrent slots, or gives up when ctx ends first.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// derive runs the KDF of p's variant. x/crypto/argon2 implements version 0x13 only, which is
// the v=19 every PHC string we accept carries.
func (p argon2Params) derive(plain, salt []byte) []byte {
	if p.variant == variantI {
		return argon2.Key(plain, salt, p.time, p.memoryKiB, p.threads, p.keyLen)
	}
	return argon2.IDKey(plain, salt, p.time, p.memoryKiB, p.threads, p.keyLen)
}
