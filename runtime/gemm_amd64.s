//go:build goexperiment.simd && amd64

#include "textflag.h"

// The 4×16 (AVX-512), 4×8 and 4×4 blocks of vecMulRows (gemm_simd.go),
// the transposed Gemv's steps (vecGemvT, gemvt_simd.go) and the vector
// Gemv's row dot product (rowDot, gemv_simd.go), in assembly so
// that the sums stay in registers across the whole loop: the compiler,
// given the same loop in Go, spilled two of the eight to the stack at
// every step. mulBlock4x16Asm and mulBlock4x8Asm read a packed panel, the
// four entries of a step side by side; mulBlock4x4Asm reads row r of step
// l at a + 8·(r·rowStride + l·stepStride), a panel or op(a) where it is.
// Each step multiplies, then adds, as gonum's kernels do (no fused
// multiply-add), for steps l = 0, 1, … in order. The Go wrappers check
// every address these read and write.

// func mulBlock4x8Asm(p *float64, steps int, b *float64, ldb int, c *float64, ldc int, load bool)
TEXT ·mulBlock4x8Asm(SB), NOSPLIT, $0-49
	MOVQ p+0(FP), SI
	MOVQ steps+8(FP), CX
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R8
	SHLQ $3, R8
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R9
	SHLQ $3, R9
	LEAQ (DX)(R9*2), R10
	MOVBLZX load+48(FP), AX
	TESTQ AX, AX
	JZ zero8
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD (DX)(R9*1), Y2
	VMOVUPD 32(DX)(R9*1), Y3
	VMOVUPD (R10), Y4
	VMOVUPD 32(R10), Y5
	VMOVUPD (R10)(R9*1), Y6
	VMOVUPD 32(R10)(R9*1), Y7
	JMP start8

zero8:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

start8:
	TESTQ CX, CX
	JZ store8

loop8:
	VMOVUPD (DI), Y8
	VMOVUPD 32(DI), Y9
	VBROADCASTSD (SI), Y10
	VMULPD Y8, Y10, Y11
	VMULPD Y9, Y10, Y12
	VADDPD Y11, Y0, Y0
	VADDPD Y12, Y1, Y1
	VBROADCASTSD 8(SI), Y13
	VMULPD Y8, Y13, Y14
	VMULPD Y9, Y13, Y15
	VADDPD Y14, Y2, Y2
	VADDPD Y15, Y3, Y3
	VBROADCASTSD 16(SI), Y10
	VMULPD Y8, Y10, Y11
	VMULPD Y9, Y10, Y12
	VADDPD Y11, Y4, Y4
	VADDPD Y12, Y5, Y5
	VBROADCASTSD 24(SI), Y13
	VMULPD Y8, Y13, Y14
	VMULPD Y9, Y13, Y15
	VADDPD Y14, Y6, Y6
	VADDPD Y15, Y7, Y7
	ADDQ $32, SI
	ADDQ R8, DI
	DECQ CX
	JNZ loop8

store8:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, (DX)(R9*1)
	VMOVUPD Y3, 32(DX)(R9*1)
	VMOVUPD Y4, (R10)
	VMOVUPD Y5, 32(R10)
	VMOVUPD Y6, (R10)(R9*1)
	VMOVUPD Y7, 32(R10)(R9*1)
	VZEROUPPER
	RET

// func mulBlock4x16Asm(p *float64, steps int, b *float64, ldb int, c *float64, ldc int, load bool)
// mulBlock4x8Asm for columns [0, 16), in AVX-512 registers of eight lanes
// (where wideVectors): the same operations on each entry.
TEXT ·mulBlock4x16Asm(SB), NOSPLIT, $0-49
	MOVQ p+0(FP), SI
	MOVQ steps+8(FP), CX
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R8
	SHLQ $3, R8
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R9
	SHLQ $3, R9
	LEAQ (DX)(R9*2), R10
	MOVBLZX load+48(FP), AX
	TESTQ AX, AX
	JZ zero16
	VMOVUPD (DX), Z0
	VMOVUPD 64(DX), Z1
	VMOVUPD (DX)(R9*1), Z2
	VMOVUPD 64(DX)(R9*1), Z3
	VMOVUPD (R10), Z4
	VMOVUPD 64(R10), Z5
	VMOVUPD (R10)(R9*1), Z6
	VMOVUPD 64(R10)(R9*1), Z7
	JMP start16

zero16:
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7

start16:
	TESTQ CX, CX
	JZ store16

loop16:
	VMOVUPD (DI), Z8
	VMOVUPD 64(DI), Z9
	VBROADCASTSD (SI), Z10
	VMULPD Z8, Z10, Z11
	VMULPD Z9, Z10, Z12
	VADDPD Z11, Z0, Z0
	VADDPD Z12, Z1, Z1
	VBROADCASTSD 8(SI), Z13
	VMULPD Z8, Z13, Z14
	VMULPD Z9, Z13, Z15
	VADDPD Z14, Z2, Z2
	VADDPD Z15, Z3, Z3
	VBROADCASTSD 16(SI), Z10
	VMULPD Z8, Z10, Z11
	VMULPD Z9, Z10, Z12
	VADDPD Z11, Z4, Z4
	VADDPD Z12, Z5, Z5
	VBROADCASTSD 24(SI), Z13
	VMULPD Z8, Z13, Z14
	VMULPD Z9, Z13, Z15
	VADDPD Z14, Z6, Z6
	VADDPD Z15, Z7, Z7
	ADDQ $32, SI
	ADDQ R8, DI
	DECQ CX
	JNZ loop16

store16:
	VMOVUPD Z0, (DX)
	VMOVUPD Z1, 64(DX)
	VMOVUPD Z2, (DX)(R9*1)
	VMOVUPD Z3, 64(DX)(R9*1)
	VMOVUPD Z4, (R10)
	VMOVUPD Z5, 64(R10)
	VMOVUPD Z6, (R10)(R9*1)
	VMOVUPD Z7, 64(R10)(R9*1)
	VZEROUPPER
	RET

// func mulBlock4x4Asm(a *float64, rowStride, stepStride, steps int, b *float64, ldb int, c *float64, ldc int, load bool)
TEXT ·mulBlock4x4Asm(SB), NOSPLIT, $0-65
	MOVQ a+0(FP), SI
	MOVQ rowStride+8(FP), R11
	SHLQ $3, R11
	LEAQ (SI)(R11*2), R12
	ADDQ R11, R12
	MOVQ stepStride+16(FP), R13
	SHLQ $3, R13
	MOVQ steps+24(FP), CX
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R8
	SHLQ $3, R8
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R9
	SHLQ $3, R9
	LEAQ (DX)(R9*2), R10
	MOVBLZX load+64(FP), AX
	TESTQ AX, AX
	JZ zero4
	VMOVUPD (DX), Y0
	VMOVUPD (DX)(R9*1), Y1
	VMOVUPD (R10), Y2
	VMOVUPD (R10)(R9*1), Y3
	JMP start4

zero4:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

start4:
	TESTQ CX, CX
	JZ store4

loop4:
	VMOVUPD (DI), Y8
	VBROADCASTSD (SI), Y10
	VBROADCASTSD (SI)(R11*1), Y11
	VBROADCASTSD (SI)(R11*2), Y12
	VBROADCASTSD (R12), Y13
	VMULPD Y8, Y10, Y10
	VMULPD Y8, Y11, Y11
	VMULPD Y8, Y12, Y12
	VMULPD Y8, Y13, Y13
	VADDPD Y10, Y0, Y0
	VADDPD Y11, Y1, Y1
	VADDPD Y12, Y2, Y2
	VADDPD Y13, Y3, Y3
	ADDQ R13, SI
	ADDQ R13, R12
	ADDQ R8, DI
	DECQ CX
	JNZ loop4

store4:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, (DX)(R9*1)
	VMOVUPD Y2, (R10)
	VMOVUPD Y3, (R10)(R9*1)
	VZEROUPPER
	RET

// func gemvT4RowsAsm(a *float64, lda int, t *[4]float64, y *float64, quads int)
// y[j] += t[0]·a[j], then t[1]·a[lda+j], t[2]·a[2lda+j], t[3]·a[3lda+j],
// for j < 4·quads, each term multiplied, then added (vecGemvT).
TEXT ·gemvT4RowsAsm(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	SHLQ $3, R8
	LEAQ (SI)(R8*2), R9
	MOVQ t+16(FP), DI
	MOVQ y+24(FP), DX
	MOVQ quads+32(FP), CX
	VBROADCASTSD (DI), Y12
	VBROADCASTSD 8(DI), Y13
	VBROADCASTSD 16(DI), Y14
	VBROADCASTSD 24(DI), Y15
	TESTQ CX, CX
	JZ doneT4Rows

loopT4Rows:
	VMOVUPD (DX), Y0
	VMULPD (SI), Y12, Y1
	VMULPD (SI)(R8*1), Y13, Y2
	VMULPD (R9), Y14, Y3
	VMULPD (R9)(R8*1), Y15, Y4
	VADDPD Y1, Y0, Y0
	VADDPD Y2, Y0, Y0
	VADDPD Y3, Y0, Y0
	VADDPD Y4, Y0, Y0
	VMOVUPD Y0, (DX)
	ADDQ $32, SI
	ADDQ $32, R9
	ADDQ $32, DX
	DECQ CX
	JNZ loopT4Rows

doneT4Rows:
	VZEROUPPER
	RET

// func gemvT1RowAsm(a *float64, t float64, y *float64, quads int)
// y[j] += t·a[j] for j < 4·quads, multiplied, then added.
TEXT ·gemvT1RowAsm(SB), NOSPLIT, $0-32
	MOVQ a+0(FP), SI
	VBROADCASTSD t+8(FP), Y12
	MOVQ y+16(FP), DX
	MOVQ quads+24(FP), CX
	TESTQ CX, CX
	JZ doneT1Row

loopT1Row:
	VMOVUPD (DX), Y0
	VMULPD (SI), Y12, Y1
	VADDPD Y1, Y0, Y0
	VMOVUPD Y0, (DX)
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ loopT1Row

doneT1Row:
	VZEROUPPER
	RET

// func gemvT32Asm(a *float64, lda, rows int, x *float64, alpha float64, y *float64)
// y[j] += (alpha·x[i])·a[i·lda+j] for i = 0, 1, …, rows−1 in order and
// j < 32, the sums in eight registers, each term multiplied, then added
// (vecGemvT).
TEXT ·gemvT32Asm(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	SHLQ $3, R8
	MOVQ rows+16(FP), CX
	MOVQ x+24(FP), DI
	VBROADCASTSD alpha+32(FP), Y13
	MOVQ y+40(FP), DX
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	VMOVUPD 128(DX), Y4
	VMOVUPD 160(DX), Y5
	VMOVUPD 192(DX), Y6
	VMOVUPD 224(DX), Y7
	TESTQ CX, CX
	JZ storeT32

loopT32:
	VBROADCASTSD (DI), Y8
	VMULPD Y13, Y8, Y8
	VMULPD (SI), Y8, Y9
	VMULPD 32(SI), Y8, Y10
	VMULPD 64(SI), Y8, Y11
	VMULPD 96(SI), Y8, Y12
	VADDPD Y9, Y0, Y0
	VADDPD Y10, Y1, Y1
	VADDPD Y11, Y2, Y2
	VADDPD Y12, Y3, Y3
	VMULPD 128(SI), Y8, Y9
	VMULPD 160(SI), Y8, Y10
	VMULPD 192(SI), Y8, Y11
	VMULPD 224(SI), Y8, Y12
	VADDPD Y9, Y4, Y4
	VADDPD Y10, Y5, Y5
	VADDPD Y11, Y6, Y6
	VADDPD Y12, Y7, Y7
	ADDQ $8, DI
	ADDQ R8, SI
	DECQ CX
	JNZ loopT32

storeT32:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	VMOVUPD Y4, 128(DX)
	VMOVUPD Y5, 160(DX)
	VMOVUPD Y6, 192(DX)
	VMOVUPD Y7, 224(DX)
	VZEROUPPER
	RET

// func rowDotAsm(a, x *float64, n int, dist int, o *[4]float64)
// rowDot's vector part: n (a multiple of 4) columns, sixteen a step into
// s0…s3, then four a step into s0, each step a multiply then an add; o =
// (s0 + s1) + (s2 + s3). PREFETCHT0 reads ahead dist bytes of a, two cache
// lines a step.
TEXT ·rowDotAsm(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ dist+24(FP), DX
	MOVQ o+32(FP), R8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	CMPQ CX, $16
	JLT  fours
sixteens:
	PREFETCHT0 (SI)(DX*1)
	PREFETCHT0 64(SI)(DX*1)
	VMOVUPD 0(SI), Y4
	VMULPD  0(DI), Y4, Y4
	VADDPD  Y4, Y0, Y0
	VMOVUPD 32(SI), Y5
	VMULPD  32(DI), Y5, Y5
	VADDPD  Y5, Y1, Y1
	VMOVUPD 64(SI), Y6
	VMULPD  64(DI), Y6, Y6
	VADDPD  Y6, Y2, Y2
	VMOVUPD 96(SI), Y7
	VMULPD  96(DI), Y7, Y7
	VADDPD  Y7, Y3, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  sixteens
fours:
	CMPQ CX, $4
	JLT  done
	VMOVUPD 0(SI), Y4
	VMULPD  0(DI), Y4, Y4
	VADDPD  Y4, Y0, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  fours
done:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VMOVUPD Y0, (R8)
	VZEROUPPER
	RET
