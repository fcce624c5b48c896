//go:build goexperiment.simd && amd64

#include "textflag.h"

// func fmaNarrow12x16Asm(steps int, a *float64, aRow, aStep int, b *float64, ldb int, c *float64, ldc int, load bool)
// GemmNarrow's block (gemm_narrow.go): rows r < 12, columns [0, 16) of c
// (stride ldc) set to what they hold (zero unless load) followed by
// fused multiply-adds of a[r·aRow + l·aStep]·b[l·ldb + j] for l = 0, 1,
// …, steps−1 in order, each entry's sum in one lane of Z0…Z23 (row r in
// Z2r and Z2r+1) across the whole loop; strides in entries. Each step
// loads the two vectors of b's row (Z24, Z25) and broadcasts a's twelve
// entries, alternating between Z26 and Z27, from four bases three rows
// apart (R10 to R13) and the row stride (BX). Ends with VZEROUPPER.
TEXT ·fmaNarrow12x16Asm(SB), NOSPLIT, $0-65
	MOVQ steps+0(FP), CX
	MOVQ a+8(FP), R10
	MOVQ aRow+16(FP), BX
	SHLQ $3, BX
	MOVQ aStep+24(FP), AX
	SHLQ $3, AX
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R8
	SHLQ $3, R8
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R9
	SHLQ $3, R9
	LEAQ (R10)(BX*2), R11
	ADDQ BX, R11
	LEAQ (R11)(BX*2), R12
	ADDQ BX, R12
	LEAQ (R12)(BX*2), R13
	ADDQ BX, R13
	MOVBLZX load+64(FP), SI
	TESTQ SI, SI
	JZ narrowzero
	MOVQ DX, SI
	VMOVUPD (SI), Z0
	VMOVUPD 64(SI), Z1
	ADDQ R9, SI
	VMOVUPD (SI), Z2
	VMOVUPD 64(SI), Z3
	ADDQ R9, SI
	VMOVUPD (SI), Z4
	VMOVUPD 64(SI), Z5
	ADDQ R9, SI
	VMOVUPD (SI), Z6
	VMOVUPD 64(SI), Z7
	ADDQ R9, SI
	VMOVUPD (SI), Z8
	VMOVUPD 64(SI), Z9
	ADDQ R9, SI
	VMOVUPD (SI), Z10
	VMOVUPD 64(SI), Z11
	ADDQ R9, SI
	VMOVUPD (SI), Z12
	VMOVUPD 64(SI), Z13
	ADDQ R9, SI
	VMOVUPD (SI), Z14
	VMOVUPD 64(SI), Z15
	ADDQ R9, SI
	VMOVUPD (SI), Z16
	VMOVUPD 64(SI), Z17
	ADDQ R9, SI
	VMOVUPD (SI), Z18
	VMOVUPD 64(SI), Z19
	ADDQ R9, SI
	VMOVUPD (SI), Z20
	VMOVUPD 64(SI), Z21
	ADDQ R9, SI
	VMOVUPD (SI), Z22
	VMOVUPD 64(SI), Z23
	JMP narrowstart

narrowzero:
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	VPXORQ Z9, Z9, Z9
	VPXORQ Z10, Z10, Z10
	VPXORQ Z11, Z11, Z11
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14
	VPXORQ Z15, Z15, Z15
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23

narrowstart:
	TESTQ CX, CX
	JZ narrowstore

narrowloop:
	VMOVUPD (DI), Z24
	VMOVUPD 64(DI), Z25
	VBROADCASTSD (R10), Z26
	VFMADD231PD Z24, Z26, Z0
	VFMADD231PD Z25, Z26, Z1
	VBROADCASTSD (R10)(BX*1), Z27
	VFMADD231PD Z24, Z27, Z2
	VFMADD231PD Z25, Z27, Z3
	VBROADCASTSD (R10)(BX*2), Z26
	VFMADD231PD Z24, Z26, Z4
	VFMADD231PD Z25, Z26, Z5
	VBROADCASTSD (R11), Z27
	VFMADD231PD Z24, Z27, Z6
	VFMADD231PD Z25, Z27, Z7
	VBROADCASTSD (R11)(BX*1), Z26
	VFMADD231PD Z24, Z26, Z8
	VFMADD231PD Z25, Z26, Z9
	VBROADCASTSD (R11)(BX*2), Z27
	VFMADD231PD Z24, Z27, Z10
	VFMADD231PD Z25, Z27, Z11
	VBROADCASTSD (R12), Z26
	VFMADD231PD Z24, Z26, Z12
	VFMADD231PD Z25, Z26, Z13
	VBROADCASTSD (R12)(BX*1), Z27
	VFMADD231PD Z24, Z27, Z14
	VFMADD231PD Z25, Z27, Z15
	VBROADCASTSD (R12)(BX*2), Z26
	VFMADD231PD Z24, Z26, Z16
	VFMADD231PD Z25, Z26, Z17
	VBROADCASTSD (R13), Z27
	VFMADD231PD Z24, Z27, Z18
	VFMADD231PD Z25, Z27, Z19
	VBROADCASTSD (R13)(BX*1), Z26
	VFMADD231PD Z24, Z26, Z20
	VFMADD231PD Z25, Z26, Z21
	VBROADCASTSD (R13)(BX*2), Z27
	VFMADD231PD Z24, Z27, Z22
	VFMADD231PD Z25, Z27, Z23
	ADDQ AX, R10
	ADDQ AX, R11
	ADDQ AX, R12
	ADDQ AX, R13
	ADDQ R8, DI
	DECQ CX
	JNZ narrowloop

narrowstore:
	MOVQ DX, SI
	VMOVUPD Z0, (SI)
	VMOVUPD Z1, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z2, (SI)
	VMOVUPD Z3, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z4, (SI)
	VMOVUPD Z5, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z6, (SI)
	VMOVUPD Z7, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z8, (SI)
	VMOVUPD Z9, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z10, (SI)
	VMOVUPD Z11, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z12, (SI)
	VMOVUPD Z13, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z14, (SI)
	VMOVUPD Z15, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z16, (SI)
	VMOVUPD Z17, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z18, (SI)
	VMOVUPD Z19, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z20, (SI)
	VMOVUPD Z21, 64(SI)
	ADDQ R9, SI
	VMOVUPD Z22, (SI)
	VMOVUPD Z23, 64(SI)
	VZEROUPPER
	RET

// ROWLOAD loads a row's 16 entries (the lanes in K1 and K2, the others
// zeroed and not read) into Z28 and Z29, and prefetches those of the row
// R10 bytes on (16 rows: in B7MLP's FGrad, where a comes from the last
// level cache, Hᵀ R took 72–90 µs with it, 94–118 without).
#define ROWLOAD VMOVUPD.Z (SI), K1, Z28; VMOVUPD.Z 64(SI), K2, Z29; PREFETCHT0 (SI)(R10*1); PREFETCHT0 64(SI)(R10*1)

// FMACOL adds a row's 16 entries (Z28, Z29) times b's entry at off(DI),
// broadcast, into the column's two registers lo and hi.
#define FMACOL(off, lo, hi) VFMADD231PD.BCST off(DI), Z28, lo; VFMADD231PD.BCST off(DI), Z29, hi

// COLS1 … COLS14 add a row's 16 entries times b's first 1 … 14 entries
// into the columns' registers, Z0 and Z1 for the first (FMACOL each).
#define COLS1 FMACOL(0, Z0, Z1)
#define COLS2 COLS1; FMACOL(8, Z2, Z3)
#define COLS3 COLS2; FMACOL(16, Z4, Z5)
#define COLS4 COLS3; FMACOL(24, Z6, Z7)
#define COLS5 COLS4; FMACOL(32, Z8, Z9)
#define COLS6 COLS5; FMACOL(40, Z10, Z11)
#define COLS7 COLS6; FMACOL(48, Z12, Z13)
#define COLS8 COLS7; FMACOL(56, Z14, Z15)
#define COLS9 COLS8; FMACOL(64, Z16, Z17)
#define COLS10 COLS9; FMACOL(72, Z18, Z19)
#define COLS11 COLS10; FMACOL(80, Z20, Z21)
#define COLS12 COLS11; FMACOL(88, Z22, Z23)
#define COLS13 COLS12; FMACOL(96, Z24, Z25)
#define COLS14 COLS13; FMACOL(104, Z26, Z27)

// NEXTROW steps SI and DI to the next rows of a and b and loops to label
// while steps are left, then goes to colsstore.
#define NEXTROW(label) ADDQ AX, SI; ADDQ R8, DI; DECQ CX; JNZ label; JMP colsstore

// func fmaColumns16Asm(steps int, a *float64, lda int, b *float64, ldb int, t *float64, cols int, lanes uint16)
// GemmColumns's block (gemm_narrow.go), for op(a) = aᵀ: 16 lanes by cols
// columns (1 to 14) of sums held in t, t[16j + l] in lane l of Z2j
// (l < 8) or Z2j+1, each followed by fused multiply-adds of a[i·lda + l]·
// b[i·ldb + j] for i = 0, 1, …, steps−1 in order, and written back to t.
// Each step loads the 16 entries of a's row (ROWLOAD, the lanes set in
// lanes) and multiplies them by each of b's cols entries, broadcast from
// memory (FMACOL); one loop for each count of columns. All 28 registers
// of t are loaded and stored, whatever cols is; t holds 224 entries.
// Ends with VZEROUPPER.
TEXT ·fmaColumns16Asm(SB), NOSPLIT, $0-58
	MOVQ steps+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), AX
	SHLQ $3, AX
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R8
	SHLQ $3, R8
	MOVQ t+40(FP), DX
	MOVQ cols+48(FP), BX
	MOVWLZX lanes+56(FP), R9
	KMOVW R9, K1
	SHRL $8, R9
	KMOVW R9, K2
	MOVQ AX, R10
	SHLQ $4, R10
	VMOVUPD 0(DX), Z0
	VMOVUPD 64(DX), Z1
	VMOVUPD 128(DX), Z2
	VMOVUPD 192(DX), Z3
	VMOVUPD 256(DX), Z4
	VMOVUPD 320(DX), Z5
	VMOVUPD 384(DX), Z6
	VMOVUPD 448(DX), Z7
	VMOVUPD 512(DX), Z8
	VMOVUPD 576(DX), Z9
	VMOVUPD 640(DX), Z10
	VMOVUPD 704(DX), Z11
	VMOVUPD 768(DX), Z12
	VMOVUPD 832(DX), Z13
	VMOVUPD 896(DX), Z14
	VMOVUPD 960(DX), Z15
	VMOVUPD 1024(DX), Z16
	VMOVUPD 1088(DX), Z17
	VMOVUPD 1152(DX), Z18
	VMOVUPD 1216(DX), Z19
	VMOVUPD 1280(DX), Z20
	VMOVUPD 1344(DX), Z21
	VMOVUPD 1408(DX), Z22
	VMOVUPD 1472(DX), Z23
	VMOVUPD 1536(DX), Z24
	VMOVUPD 1600(DX), Z25
	VMOVUPD 1664(DX), Z26
	VMOVUPD 1728(DX), Z27
	TESTQ CX, CX
	JZ colsstore
	CMPQ BX, $1
	JEQ cols1
	CMPQ BX, $2
	JEQ cols2
	CMPQ BX, $3
	JEQ cols3
	CMPQ BX, $4
	JEQ cols4
	CMPQ BX, $5
	JEQ cols5
	CMPQ BX, $6
	JEQ cols6
	CMPQ BX, $7
	JEQ cols7
	CMPQ BX, $8
	JEQ cols8
	CMPQ BX, $9
	JEQ cols9
	CMPQ BX, $10
	JEQ cols10
	CMPQ BX, $11
	JEQ cols11
	CMPQ BX, $12
	JEQ cols12
	CMPQ BX, $13
	JEQ cols13
	CMPQ BX, $14
	JEQ cols14
	JMP colsstore

cols1:
	ROWLOAD
	COLS1
	NEXTROW(cols1)

cols2:
	ROWLOAD
	COLS2
	NEXTROW(cols2)

cols3:
	ROWLOAD
	COLS3
	NEXTROW(cols3)

cols4:
	ROWLOAD
	COLS4
	NEXTROW(cols4)

cols5:
	ROWLOAD
	COLS5
	NEXTROW(cols5)

cols6:
	ROWLOAD
	COLS6
	NEXTROW(cols6)

cols7:
	ROWLOAD
	COLS7
	NEXTROW(cols7)

cols8:
	ROWLOAD
	COLS8
	NEXTROW(cols8)

cols9:
	ROWLOAD
	COLS9
	NEXTROW(cols9)

cols10:
	ROWLOAD
	COLS10
	NEXTROW(cols10)

cols11:
	ROWLOAD
	COLS11
	NEXTROW(cols11)

cols12:
	ROWLOAD
	COLS12
	NEXTROW(cols12)

cols13:
	ROWLOAD
	COLS13
	NEXTROW(cols13)

cols14:
	ROWLOAD
	COLS14
	NEXTROW(cols14)

colsstore:
	VMOVUPD Z0, 0(DX)
	VMOVUPD Z1, 64(DX)
	VMOVUPD Z2, 128(DX)
	VMOVUPD Z3, 192(DX)
	VMOVUPD Z4, 256(DX)
	VMOVUPD Z5, 320(DX)
	VMOVUPD Z6, 384(DX)
	VMOVUPD Z7, 448(DX)
	VMOVUPD Z8, 512(DX)
	VMOVUPD Z9, 576(DX)
	VMOVUPD Z10, 640(DX)
	VMOVUPD Z11, 704(DX)
	VMOVUPD Z12, 768(DX)
	VMOVUPD Z13, 832(DX)
	VMOVUPD Z14, 896(DX)
	VMOVUPD Z15, 960(DX)
	VMOVUPD Z16, 1024(DX)
	VMOVUPD Z17, 1088(DX)
	VMOVUPD Z18, 1152(DX)
	VMOVUPD Z19, 1216(DX)
	VMOVUPD Z20, 1280(DX)
	VMOVUPD Z21, 1344(DX)
	VMOVUPD Z22, 1408(DX)
	VMOVUPD Z23, 1472(DX)
	VMOVUPD Z24, 1536(DX)
	VMOVUPD Z25, 1600(DX)
	VMOVUPD Z26, 1664(DX)
	VMOVUPD Z27, 1728(DX)
	VZEROUPPER
	RET
