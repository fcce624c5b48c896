//go:build goexperiment.simd && amd64

#include "textflag.h"

// func upperStateInUse() (inUse, known bool)
// XGETBV with ECX = 1 (where CPUID.(EAX=0DH, ECX=1):EAX[2] says it
// exists) returns XINUSE, whose bit 2 is set while the upper halves of the
// YMM registers are dirty.
TEXT ·upperStateInUse(SB), NOSPLIT, $0-2
	MOVL $0xD, AX
	MOVL $1, CX
	CPUID
	BTL $2, AX
	JCC unknown
	MOVL $1, CX
	XGETBV
	SHRL $2, AX
	ANDL $1, AX
	MOVB AX, inUse+0(FP)
	MOVB $1, known+1(FP)
	RET

unknown:
	MOVB $0, inUse+0(FP)
	MOVB $0, known+1(FP)
	RET
