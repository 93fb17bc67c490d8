package password

import (
	"context"
	"testing"
)

// Figures for BENCHMARKS.md: the cost of one password check, which bounds sign-ins per core.

func BenchmarkHashArgon2id(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := h.Hash(ctx, pw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyArgon2id(b *testing.B) {
	benchVerify(b, "argon2idOWASP")
}

// BenchmarkVerifyLogtoArgon2i is a user migrated from Logto signing in for the first time
// (argon2i, t=8, m=8 MiB), before the rehash.
func BenchmarkVerifyLogtoArgon2i(b *testing.B) {
	benchVerify(b, "argon2iLogto")
}

func BenchmarkDecoy(b *testing.B) {
	h := New(Options{})
	ctx := context.Background()
	for b.Loop() {
		h.Decoy(ctx, pw)
	}
}

func benchVerify(b *testing.B, name string) {
	var v vector
	for _, c := range logtoVectors {
		if c.name == name {
			v = c
		}
	}
	h := New(Options{})
	ctx := context.Background()
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, v.password, v.encrypted, v.method); !ok || err != nil {
			b.Fatalf("Verify = %v, %v", ok, err)
		}
	}
}

// BenchmarkVerifyArgon2idParallel is the raw password-check rate of the whole machine: verifies
// from every core at once through one Hasher (its bound is GOMAXPROCS), the ceiling a sign-in
// flow's throughput is compared with.
func BenchmarkVerifyArgon2idParallel(b *testing.B) {
	var v vector
	for _, c := range logtoVectors {
		if c.name == "argon2idOWASP" {
			v = c
		}
	}
	h := New(Options{})
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := h.Verify(ctx, v.password, v.encrypted, v.method); !ok || err != nil {
				b.Errorf("Verify = %v, %v", ok, err)
				return
			}
		}
	})
}
