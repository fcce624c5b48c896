// Package runtime is the support library imported by code that gradgen
// generates. It provides numerically stable scalar kernels, reductions,
// shape and aliasing checks that panic with precise messages, and dense
// factorizations (LU, Cholesky, cofactor matrix) that reuse their storage.
//
// The package works on the raw gonum types of gonum.org/v1/gonum/blas/blas64
// so that generated code can pass the RawMatrix of a *mat.Dense or the
// RawSymmetric of a *mat.SymDense without copying. Destinations are always
// explicit arguments, the zero value of every type is ready to use, and
// repeated calls with unchanged sizes do not allocate. (For factorizations
// of order n > 128 gonum's native Dgemm, called inside LAPACK, runs in
// parallel and allocates a little.)
//
// Singular and otherwise degenerate inputs never cause a panic and never
// produce a wrong finite number: results follow IEEE 754 conventions
// (±Inf where the limit is signed and well defined, NaN otherwise), as
// documented on each function. Panics are reserved for programming errors
// such as mismatched shapes.
package runtime

// SupportsVersion1 is referenced by generated code as
//
//	const _ = runtime.SupportsVersion1
//
// so that code generated for version 1 of this API fails to compile against
// a runtime that does not provide it.
const SupportsVersion1 = true
