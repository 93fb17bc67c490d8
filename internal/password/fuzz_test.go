package password

import (
	"context"
	"crypto/rand"
	"testing"
)

// FuzzVerify feeds arbitrary stored digests to Verify: it must never panic and never accept a
// password the digest was not made from. The Hasher runs with small limits and a small decoy so
// the fuzzer spends its time parsing rather than in argon2; a digest it accepts must also pass
// ValidateDigest (whose limits are larger), so import and sign-in never disagree.
func FuzzVerify(f *testing.F) {
	for _, v := range logtoVectors {
		f.Add(v.method, v.encrypted)
	}
	for _, c := range malformed {
		f.Add(c.method, c.encrypted)
	}
	h := New(Options{})
	h.params = argon2Params{variant: variantID, memoryKiB: 8, time: 1, threads: 1, saltLen: 16, keyLen: 32}
	h.limits = limits{argon2MemoryKiB: 64, argon2Time: 2, argon2Threads: 2, bcryptCost: 5,
		pbkdf2Iterations: 1000, scryptMemory: 1 << 16, keyBytes: 128}
	secret := rand.Text() // unknown to the fuzzer, so no digest can match it
	f.Fuzz(func(t *testing.T, method, encrypted string) {
		ok, rehash, err := h.Verify(context.Background(), secret, encrypted, method)
		if ok || rehash {
			t.Fatalf("Verify(%q, %q) accepted a random password (rehash %v, err %v)", method, encrypted, rehash, err)
		}
		if err == nil {
			if verr := ValidateDigest(method, encrypted); verr != nil {
				t.Fatalf("Verify parsed %q but ValidateDigest refused it: %v", encrypted, verr)
			}
		}
	})
}
