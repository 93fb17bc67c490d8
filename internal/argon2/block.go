package argon2

import (
	"encoding/binary"
	"math/bits"
)

const (
	blockBytes = 1024
	blockWords = blockBytes / 8
)

// block is one 1 KiB memory block as 128 little-endian 64-bit words. It holds no pointers, so
// memory outside the Go heap can hold blocks.
type block [blockWords]uint64

func (b *block) load(buf *[blockBytes]byte) {
	for i := range b {
		b[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
}

func (b *block) store(buf *[blockBytes]byte) {
	for i, w := range b {
		binary.LittleEndian.PutUint64(buf[8*i:], w)
	}
}

func (b *block) xor(other *block) {
	for i := range b {
		b[i] ^= other[i]
	}
}

// compress is the compression function G of RFC 9106 §3.5: R = X ⊕ Y, the permutation P over
// each of R's eight rows of 16-byte registers and then over each column, and the result XORed
// with R. It is written to out, or XORed into out's old value when accumulate is set (the
// passes after the first, version 0x13). q is working space whose contents do not matter;
// passing it in spares zeroing 1 KiB per block. out must not be x or y.
func compressGeneric(out, x, y *block, accumulate bool, q *block) {
	for i := range q {
		q[i] = x[i] ^ y[i]
	}
	permuteBlockGeneric(q)
	// R is read again rather than kept: x and y are in the cache by now, and a second 1 KiB of
	// scratch would not be.
	if accumulate {
		for i := range out {
			out[i] ^= q[i] ^ x[i] ^ y[i]
		}
		return
	}
	for i := range out {
		out[i] = q[i] ^ x[i] ^ y[i]
	}
}

// permuteBlockGeneric applies P to each row of q's 8×8 matrix of 16-byte registers, then to
// each column.
func permuteBlockGeneric(q *block) {
	for row := 0; row < 8; row++ {
		permute((*[16]uint64)(q[16*row : 16*row+16]))
	}
	for c := 0; c < 8; c++ {
		permuteColumn(q, c)
	}
}

// permuteColumn applies P to column c of the block's 8×8 matrix of 16-byte registers: registers
// c, c+8, …, c+56, register k being words 2k and 2k+1.
func permuteColumn(q *block, c int) {
	col := (*[114]uint64)(q[2*c : 2*c+114])
	v := [16]uint64{
		col[0], col[1], col[16], col[17], col[32], col[33], col[48], col[49],
		col[64], col[65], col[80], col[81], col[96], col[97], col[112], col[113],
	}
	permute(&v)
	col[0], col[1], col[16], col[17], col[32], col[33], col[48], col[49] = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	col[64], col[65], col[80], col[81], col[96], col[97], col[112], col[113] = v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
}

// permute is P of RFC 9106 §3.6: one BLAKE2b round over 16 words, with the multiplication of
// GB hardening each addition.
func permute(v *[16]uint64) {
	v0, v1, v2, v3, v4, v5, v6, v7 := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	v8, v9, v10, v11, v12, v13, v14, v15 := v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
	// GB over the columns of the 4×4 word matrix, then over its diagonals; each GB is two
	// half-steps so the compiler inlines them (a whole GB is over its inlining budget).
	v0, v4, v8, v12 = halfMix(v0, v4, v8, v12, 32, 24)
	v0, v4, v8, v12 = halfMix(v0, v4, v8, v12, 16, 63)
	v1, v5, v9, v13 = halfMix(v1, v5, v9, v13, 32, 24)
	v1, v5, v9, v13 = halfMix(v1, v5, v9, v13, 16, 63)
	v2, v6, v10, v14 = halfMix(v2, v6, v10, v14, 32, 24)
	v2, v6, v10, v14 = halfMix(v2, v6, v10, v14, 16, 63)
	v3, v7, v11, v15 = halfMix(v3, v7, v11, v15, 32, 24)
	v3, v7, v11, v15 = halfMix(v3, v7, v11, v15, 16, 63)
	v0, v5, v10, v15 = halfMix(v0, v5, v10, v15, 32, 24)
	v0, v5, v10, v15 = halfMix(v0, v5, v10, v15, 16, 63)
	v1, v6, v11, v12 = halfMix(v1, v6, v11, v12, 32, 24)
	v1, v6, v11, v12 = halfMix(v1, v6, v11, v12, 16, 63)
	v2, v7, v8, v13 = halfMix(v2, v7, v8, v13, 32, 24)
	v2, v7, v8, v13 = halfMix(v2, v7, v8, v13, 16, 63)
	v3, v4, v9, v14 = halfMix(v3, v4, v9, v14, 32, 24)
	v3, v4, v9, v14 = halfMix(v3, v4, v9, v14, 16, 63)
	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = v0, v1, v2, v3, v4, v5, v6, v7
	v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] = v8, v9, v10, v11, v12, v13, v14, v15
}

// halfMix is half of GB (RFC 9106 §3.6): BLAKE2b's G steps with a + b replaced by
// a + b + 2·lo(a)·lo(b), rotating d right by rd and b right by rb.
func halfMix(a, b, c, d uint64, rd, rb int) (uint64, uint64, uint64, uint64) {
	a += b + 2*uint64(uint32(a))*uint64(uint32(b))
	d = bits.RotateLeft64(d^a, -rd)
	c += d + 2*uint64(uint32(c))*uint64(uint32(d))
	b = bits.RotateLeft64(b^c, -rb)
	return a, b, c, d
}
