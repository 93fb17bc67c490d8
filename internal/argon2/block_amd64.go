//go:build amd64 && !purego

package argon2

// compressSSE2 is compressGeneric with two 64-bit words per instruction. SSE2 is part of every
// amd64 processor, so no feature check is needed.
//
//go:noescape
func compressSSE2(out, x, y *block, accumulate bool, q *block)

func compress(out, x, y *block, accumulate bool, q *block) { compressSSE2(out, x, y, accumulate, q) }
