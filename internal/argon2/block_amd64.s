//go:build amd64 && !purego

#include "textflag.h"

// The 16 words of one P input (RFC 9106 §3.6) sit in X0..X7, two per register:
// X0 = v0,v1  X1 = v2,v3  X2 = v4,v5  X3 = v6,v7  X4 = v8,v9  X5 = v10,v11  X6 = v12,v13  X7 = v14,v15.
// GB's column step then works on (X0,X2,X4,X6) and (X1,X3,X5,X7) at once, two GBs per register.

// MULADD: a = a + b + 2·lo32(a)·lo32(b) in each 64-bit lane (PMULULQ is PMULUDQ).
#define MULADD(a, b, t) \
	MOVO    a, t; \
	PMULULQ b, t; \
	PADDQ   t, t; \
	PADDQ   b, a; \
	PADDQ   t, a

// Right rotations of each 64-bit lane by 32, 24, 16 and 63 bits.
#define ROTR32(x) PSHUFD $0xb1, x, x
#define ROTR24(x, t) \
	MOVO  x, t; \
	PSRLQ $24, x; \
	PSLLQ $40, t; \
	PXOR  t, x
#define ROTR16(x) \
	PSHUFLW $0x39, x, x; \
	PSHUFHW $0x39, x, x
#define ROTR63(x, t) \
	MOVO  x, t; \
	PADDQ t, t; \
	PSRLQ $63, x; \
	PXOR  t, x

// GB on two word quadruples at once.
#define GB(a, b, c, d, t) \
	MULADD(a, b, t); PXOR a, d; ROTR32(d); \
	MULADD(c, d, t); PXOR c, b; ROTR24(b, t); \
	MULADD(a, b, t); PXOR a, d; ROTR16(d); \
	MULADD(c, d, t); PXOR c, b; ROTR63(b, t)

// CROSS: A = (A.hi, B.lo), B = (B.hi, A.lo), using t1 and t2.
#define CROSS(A, B, t1, t2) \
	MOVO       B, t1; \
	PUNPCKLQDQ t1, t1; \
	MOVO       A, t2; \
	PUNPCKLQDQ t2, t2; \
	PUNPCKHQDQ t1, A; \
	PUNPCKHQDQ t2, B

#define SWAP(A, B, t) \
	MOVO A, t; \
	MOVO B, A; \
	MOVO t, B

// ROUND is P: GB over the columns, then over the diagonals (v0,v5,v10,v15), (v1,v6,v11,v12),
// (v2,v7,v8,v13), (v3,v4,v9,v14). For the diagonals, X2 = v5,v6 and X3 = v7,v4; X5 = v10,v11
// and X4 = v8,v9 serve unchanged; X7 = v15,v12 and X6 = v13,v14. The last lines move them back.
#define ROUND \
	GB(X0, X2, X4, X6, X8); \
	GB(X1, X3, X5, X7, X8); \
	CROSS(X2, X3, X8, X9); \
	CROSS(X7, X6, X8, X9); \
	GB(X0, X2, X5, X7, X8); \
	GB(X1, X3, X4, X6, X8); \
	CROSS(X3, X2, X8, X9); \
	SWAP(X2, X3, X8); \
	CROSS(X7, X6, X8, X9); \
	SWAP(X6, X7, X8)

// XOR8 loads 128 bytes at off from x (SI) and y (DI) into X0..X7, XORed.
#define XOR8(off) \
	MOVOU off+0(SI), X0; MOVOU off+0(DI), X8; PXOR X8, X0; \
	MOVOU off+16(SI), X1; MOVOU off+16(DI), X8; PXOR X8, X1; \
	MOVOU off+32(SI), X2; MOVOU off+32(DI), X8; PXOR X8, X2; \
	MOVOU off+48(SI), X3; MOVOU off+48(DI), X8; PXOR X8, X3; \
	MOVOU off+64(SI), X4; MOVOU off+64(DI), X8; PXOR X8, X4; \
	MOVOU off+80(SI), X5; MOVOU off+80(DI), X8; PXOR X8, X5; \
	MOVOU off+96(SI), X6; MOVOU off+96(DI), X8; PXOR X8, X6; \
	MOVOU off+112(SI), X7; MOVOU off+112(DI), X8; PXOR X8, X7

// LOAD8 and STORE8 move X0..X7 from and to base with the given stride between registers.
#define LOAD8(base, s) \
	MOVOU 0*s(base), X0; MOVOU 1*s(base), X1; MOVOU 2*s(base), X2; MOVOU 3*s(base), X3; \
	MOVOU 4*s(base), X4; MOVOU 5*s(base), X5; MOVOU 6*s(base), X6; MOVOU 7*s(base), X7
#define STORE8(base, s) \
	MOVOU X0, 0*s(base); MOVOU X1, 1*s(base); MOVOU X2, 2*s(base); MOVOU X3, 3*s(base); \
	MOVOU X4, 4*s(base); MOVOU X5, 5*s(base); MOVOU X6, 6*s(base); MOVOU X7, 7*s(base)

// func compressSSE2(out, x, y *block, accumulate bool, q *block)
TEXT ·compressSSE2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ q+32(FP), AX

	// q = x ⊕ y, and P over each row: row r is the 128 bytes at 128·r.
	MOVQ AX, BX
	MOVQ $8, CX
rows:
	XOR8(0)
	ROUND
	STORE8(BX, 16)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $128, BX
	DECQ CX
	JNZ  rows

	// P over each column: column c is the 16 bytes at 16·c of each row.
	MOVQ AX, BX
	MOVQ $8, CX
cols:
	LOAD8(BX, 128)
	ROUND
	STORE8(BX, 128)
	ADDQ $16, BX
	DECQ CX
	JNZ  cols

	// out = q ⊕ x ⊕ y, or out ⊕= that: x and y are read again, from the cache.
	SUBQ    $1024, SI
	SUBQ    $1024, DI
	MOVB    accumulate+24(FP), R8
	MOVQ    $64, CX
final:
	MOVOU   0(AX), X0
	MOVOU   0(SI), X1
	PXOR    X1, X0
	MOVOU   0(DI), X1
	PXOR    X1, X0
	TESTB   R8, R8
	JZ      store
	MOVOU   0(DX), X1
	PXOR    X1, X0
store:
	MOVOU   X0, 0(DX)
	ADDQ    $16, AX
	ADDQ    $16, SI
	ADDQ    $16, DI
	ADDQ    $16, DX
	DECQ    CX
	JNZ     final
	RET
