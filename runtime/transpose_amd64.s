//go:build goexperiment.simd && amd64

#include "textflag.h"

// func addTransposeBlocksAsm(d *float64, ldd int, r, t *float64, lda int, rows, cols int)
// AddTransposeTo's vector part (copy_simd.go): for the rows×cols block
// (both multiples of 4) whose top left entry is d, with r its place in a
// and t the place of its transpose in a, sets each d[i][j] to
// r[i][j] + t[j][i], 4×4 blocks at a time: four rows of t, transposed in
// registers (unpack within the 128-bit lanes, then exchange lanes), added
// to four rows of r, row entry first, as the scalar loop adds them.
// Strides are in entries.
TEXT ·addTransposeBlocksAsm(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), BX
	MOVQ ldd+8(FP), R9
	MOVQ r+16(FP), SI
	MOVQ t+24(FP), DI
	MOVQ lda+32(FP), R8
	MOVQ rows+40(FP), DX
	SHLQ $3, R8                 // lda in bytes
	SHLQ $3, R9                 // ldd in bytes
	LEAQ (R8)(R8*2), R10        // 3·lda
	LEAQ (R9)(R9*2), R11        // 3·ldd
	SHRQ $2, DX                 // row blocks
	JZ   done
	MOVQ cols+48(FP), CX
	SHRQ $2, CX
	JZ   done

strip:
	// One strip of four rows: r, t and d at the strip's first block.
	MOVQ SI, R12
	MOVQ DI, R13
	MOVQ BX, AX
	MOVQ cols+48(FP), CX
	SHRQ $2, CX                 // column blocks

block:
	VMOVUPD (R13), Y0           // t row j
	VMOVUPD (R13)(R8*1), Y1     // t row j+1
	VMOVUPD (R13)(R8*2), Y2     // t row j+2
	VMOVUPD (R13)(R10*1), Y3    // t row j+3
	VUNPCKLPD Y1, Y0, Y4        // t[j][i] t[j+1][i] t[j][i+2] t[j+1][i+2]
	VUNPCKHPD Y1, Y0, Y5        // t[j][i+1] t[j+1][i+1] t[j][i+3] t[j+1][i+3]
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0 // column i of t's four rows
	VPERM2F128 $0x20, Y7, Y5, Y1 // column i+1
	VPERM2F128 $0x31, Y6, Y4, Y2 // column i+2
	VPERM2F128 $0x31, Y7, Y5, Y3 // column i+3
	VMOVUPD (R12), Y4
	VADDPD  Y0, Y4, Y4
	VMOVUPD Y4, (AX)
	VMOVUPD (R12)(R8*1), Y5
	VADDPD  Y1, Y5, Y5
	VMOVUPD Y5, (AX)(R9*1)
	VMOVUPD (R12)(R8*2), Y6
	VADDPD  Y2, Y6, Y6
	VMOVUPD Y6, (AX)(R9*2)
	VMOVUPD (R12)(R10*1), Y7
	VADDPD  Y3, Y7, Y7
	VMOVUPD Y7, (AX)(R11*1)
	ADDQ $32, R12               // next four columns of r and d
	ADDQ $32, AX
	LEAQ (R13)(R8*4), R13       // next four rows of t
	DECQ CX
	JNZ  block

	LEAQ (SI)(R8*4), SI         // next four rows of r and d
	LEAQ (BX)(R9*4), BX
	ADDQ $32, DI                // next four columns of t
	DECQ DX
	JNZ  strip

done:
	VZEROUPPER
	RET
