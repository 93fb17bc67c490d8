//go:build !amd64 || purego

package argon2

func compress(out, x, y *block, accumulate bool, q *block) { compressGeneric(out, x, y, accumulate, q) }
