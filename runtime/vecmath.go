package runtime

import (
	"fmt"
	"math"
)

// Block kernels: elementwise functions of a whole buffer. Each sets dst[i]
// to the function of src[i] for every i, for generated loops whose body is
// such a function of one buffer. dst may be src itself (in place); any other
// overlap of dst and src is not allowed. A length mismatch panics with a
// message naming the kernel and the lengths.
//
// Results equal, to the last bit, the scalar functions named on each kernel
// (math.Exp, math.Log, math.Tanh, and this package's Sigmoid, Softplus,
// SoftplusSigmoid, SigmoidDeriv, TanhDeriv and TanhTanhDeriv) on every input, NaN aside: a NaN in gives a NaN out,
// whose payload may differ. So a loop moved onto a block kernel computes the
// same numbers as before, and each element's result depends on its value
// alone, not on its position, the slice's length or alignment.
//
// Built with GOEXPERIMENT=simd on amd64, on a CPU with AVX2 and FMA, the
// kernels work on four lanes at a time with simd/archsimd (see
// VectorisedBlocks); elsewhere they are plain loops over the scalar
// functions. The vector code is the scalar algorithm of Go's amd64 math
// package (its assembly Exp and Log on their FMA path, and the portable
// Tanh and Log1p) evaluated with the same operations in the same order,
// which is what makes the results identical. On large slices the kernels
// split the work across cores (split.go), which changes no result either.
// Built with GOAMD64=v3 the compiler may fuse the multiply-adds of the portable Tanh and Log1p, and
// then TanhTo, SoftplusTo and SoftplusSigmoidTo may differ from the scalar
// functions in the last bit (the tests allow 1 ulp).

// blockKernels holds the implementations behind the exported block kernels:
// the scalar loops, or the vector code where it is built and the CPU runs it.
type blockKernels struct {
	exp, log, tanh, sigmoid, softplus func(dst, src []float64)
	sigmoidDeriv, tanhDeriv           func(dst, src []float64)
	softplusSigmoid                   func(sp, sig, src []float64)
	tanhTanhDeriv                     func(t, d, src []float64)
	// outer writes OuterTo's rows (outerRows has its contract); OuterTo
	// uses it from outerMinCols columns (below, a cleared dst and Ger).
	outer        func(dst []float64, stride, rows int, alpha float64, x []float64, incX int, y []float64)
	outerMinCols int
}

// scalarKernels are the block kernels as loops over the scalar functions.
var scalarKernels = blockKernels{
	exp: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = math.Exp(x)
		}
	},
	log: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = math.Log(x)
		}
	},
	tanh: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = math.Tanh(x)
		}
	},
	sigmoid: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = Sigmoid(x)
		}
	},
	softplus: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = Softplus(x)
		}
	},
	sigmoidDeriv: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = SigmoidDeriv(x)
		}
	},
	tanhDeriv: func(dst, src []float64) {
		dst = dst[:len(src)]
		for i, x := range src {
			dst[i] = TanhDeriv(x)
		}
	},
	softplusSigmoid: func(sp, sig, src []float64) {
		sp, sig = sp[:len(src)], sig[:len(src)]
		for i, x := range src {
			sp[i], sig[i] = SoftplusSigmoid(x)
		}
	},
	tanhTanhDeriv: func(t, d, src []float64) {
		t, d = t[:len(src)], d[:len(src)]
		for i, x := range src {
			t[i], d[i] = TanhTanhDeriv(x)
		}
	},
	outer:        outerRows,
	outerMinCols: outerMinCols,
}

// kernels are the block kernels in use: scalarKernels unless an init
// function of a build with vector code finds the CPU able to run it.
var kernels = scalarKernels

// VectorisedBlocks reports whether the block kernels (ExpTo, LogTo, TanhTo,
// SigmoidTo, SoftplusTo, SoftplusSigmoidTo, SigmoidDerivTo, TanhDerivTo,
// TanhTanhDerivTo) run on SIMD vector code in this program; their results
// are the same either way.
func VectorisedBlocks() bool { return vectorised }

// checkBlockLengths panics unless len(dst) == len(src).
func checkBlockLengths(kernel string, dst, src []float64) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("runtime.%s: len(dst) = %d, len(src) = %d: lengths differ", kernel, len(dst), len(src)))
	}
}

// ExpTo sets dst[i] = math.Exp(src[i]).
func ExpTo(dst, src []float64) {
	checkBlockLengths("ExpTo", dst, src)
	blockTo(kernels.exp, dst, src)
}

// LogTo sets dst[i] = math.Log(src[i]).
func LogTo(dst, src []float64) {
	checkBlockLengths("LogTo", dst, src)
	blockTo(kernels.log, dst, src)
}

// TanhTo sets dst[i] = math.Tanh(src[i]).
func TanhTo(dst, src []float64) {
	checkBlockLengths("TanhTo", dst, src)
	blockTo(kernels.tanh, dst, src)
}

// SigmoidTo sets dst[i] = Sigmoid(src[i]).
func SigmoidTo(dst, src []float64) {
	checkBlockLengths("SigmoidTo", dst, src)
	blockTo(kernels.sigmoid, dst, src)
}

// SigmoidDerivTo sets dst[i] = SigmoidDeriv(src[i]).
func SigmoidDerivTo(dst, src []float64) {
	checkBlockLengths("SigmoidDerivTo", dst, src)
	blockTo(kernels.sigmoidDeriv, dst, src)
}

// TanhDerivTo sets dst[i] = TanhDeriv(src[i]).
func TanhDerivTo(dst, src []float64) {
	checkBlockLengths("TanhDerivTo", dst, src)
	blockTo(kernels.tanhDeriv, dst, src)
}

// SoftplusTo sets dst[i] = Softplus(src[i]).
func SoftplusTo(dst, src []float64) {
	checkBlockLengths("SoftplusTo", dst, src)
	blockTo(kernels.softplus, dst, src)
}

// blockTo sets dst to f of src, f a block kernel's loop: in one call below
// the threshold (alone), with no kernelArgs packed, which costs a small call
// more than its work (B2 at n = 16: 16 exps), else split across the team.
func blockTo(f func(dst, src []float64), dst, src []float64) {
	if alone(len(src)) {
		f(dst, src)
		return
	}
	split(blockPart, kernelArgs{a: dst, b: src, block: f}, len(src), 1)
}

func blockPart(k kernelArgs, lo, hi int) { k.block(k.a[lo:hi], k.b[lo:hi]) }

// SoftplusSigmoidTo sets sp[i], sig[i] = SoftplusSigmoid(src[i]): softplus
// and its derivative σ from one exp per element. Either of sp and sig may be
// src itself; sp and sig must not overlap each other.
func SoftplusSigmoidTo(sp, sig, src []float64) {
	pairTo("SoftplusSigmoidTo", "sp", "sig", kernels.softplusSigmoid, sp, sig, src)
}

// TanhTanhDerivTo sets t[i], d[i] = TanhTanhDeriv(src[i]): tanh and its
// derivative from one exp and one division per element. Either of t and d
// may be src itself; t and d must not overlap each other.
func TanhTanhDerivTo(t, d, src []float64) {
	pairTo("TanhTanhDerivTo", "t", "d", kernels.tanhTanhDeriv, t, d, src)
}

// pairTo runs f, the block kernel of two results named name, whose
// outputs are called a and b.
func pairTo(name, aName, bName string, f func(a, b, src []float64), a, b, src []float64) {
	if len(a) != len(src) || len(b) != len(src) {
		panic(fmt.Sprintf("runtime.%s: len(%s) = %d, len(%s) = %d, len(src) = %d: lengths differ", name, aName, len(a), bName, len(b), len(src)))
	}
	if alone(len(src)) {
		f(a, b, src)
		return
	}
	split(pairPart, kernelArgs{a: a, b: b, c: src, pair: f}, len(src), 1)
}

func pairPart(k kernelArgs, lo, hi int) { k.pair(k.a[lo:hi], k.b[lo:hi], k.c[lo:hi]) }
