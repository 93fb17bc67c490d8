//go:build amd64 && !purego

package argon2

import (
	"math/rand/v2"
	"testing"
)

// The SSE2 compression must equal the portable one on any blocks, not only on those the vectors
// happen to produce, in both of its modes.
func TestCompressSSE2MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() (b block) {
		for w := range b {
			b[w] = rng.Uint64()
		}
		return b
	}
	for i := range 1000 {
		x, y, old := random(), random(), random()
		var q block
		accumulate := i%2 == 1
		want, got := old, old
		compressGeneric(&want, &x, &y, accumulate, &q)
		compressSSE2(&got, &x, &y, accumulate, &q)
		if got != want {
			t.Fatalf("blocks %d (accumulate %v): SSE2 and generic compressions differ", i, accumulate)
		}
	}
}
