//go:build goexperiment.simd && amd64

#include "textflag.h"

// The 4×8 and 4×4 blocks of vecMulRows (gemm_simd.go), in assembly so
// that the eight (four) sums stay in registers across the whole loop: the
// compiler, given the same loop in Go, spilled two of them to the stack at
// every step. mulBlock4x8Asm reads a packed panel, the four entries of a
// step side by side; mulBlock4x4Asm reads row r of step l at
// a + 8·(r·rowStride + l·stepStride), a panel or op(a) where it is. Each
// step multiplies, then adds, as gonum's kernels do (no fused
// multiply-add), for steps l = 0, 1, … in order.

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
