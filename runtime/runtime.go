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

// SupportsVersion14 is referenced by generated code as
//
//	const _ = runtime.SupportsVersion14
//
// so that code generated for version 14 of this API fails to compile
// against a runtime that does not provide it, at that line. Version 14
// adds TanhTanhDeriv and its block kernel TanhTanhDerivTo, which generated
// code calls where it needs tanh and its derivative of one buffer; a
// runtime of version 14 still runs code generated for versions 13, 11 and
// earlier, which refer to SupportsVersion13 and the rest.
const SupportsVersion14 = true

// SupportsVersion13 is the guard of code generated for version 13, which
// adds Gemm.MulPlusTranspose and Chain.MulPlusTransposeTo, which generated
// code calls for a product (A + Aᵀ) B, or a longer chain with such a
// factor, whose sum nothing else reads; a runtime of version 13 still
// runs code generated for versions 11 to 3, which refer to
// SupportsVersion11 and the rest. (Version 12 was withdrawn before any
// release; no runtime defines SupportsVersion12.)
const SupportsVersion13 = true

// SupportsVersion11 is the guard of code generated for version 11, which
// added CleanVectorState, which every generated function calls before its
// computation (upper_simd.go); a runtime of version 11 still runs code
// generated for versions 10 to 3, which refer to SupportsVersion10 and
// the rest.
const SupportsVersion11 = true

// SupportsVersion10 is the guard of code generated for version 10, which
// added TanhDeriv, SigmoidDeriv and their block kernels TanhDerivTo and
// SigmoidDerivTo (the derivatives of tanh and sigmoid from the argument),
// and EulerLost, MatrixAbsSum and SymmetricAbsSum (the check of f read off
// a gradient by Euler's theorem); a runtime of version 10 still runs code
// generated for versions 9, 8, 7, 6, 5, 4 and 3, which refer to
// SupportsVersion9 and the rest. Version 9 (issue 15) added LoopParts, the
// count of parts of the rows that generated elementwise loops over
// matrices run at once. Version 8 (issue 15) added PanelGemv,
// which generated row-panel loops call for a panel's first product.
// Version 7 (issue 15) added Parts and its helpers (PanelParts, PartRows,
// PartPanelRows, PartAccumulator, AddParts, SumParts), which generated
// row-panel loops run their parts with. Version 6
// (issue 15) added Gemv, which generated code calls for matrix-vector
// products. Version 5 (issue 15) added Square, which generated code calls for x .^ 2.
// Version 4 (issue 15) added OuterTo, which generated code calls for outer
// products. Version 3 (issue 13): destinations are readied by DestMatrix,
// DestVector, DestSymmetric and DestScalar (a zero value sized, nil named)
// and Jacobian layouts by NewJacobian, whose Check is gone. Version 2 (issue
// 11): CheckNoAlias takes gonum's raw storage and CheckDim bounds
// dimensions. Code generated for an older version refers to
// SupportsVersion1 or SupportsVersion2, which are gone, and so stops at its
// guard line.
const SupportsVersion10 = true

// SupportsVersion9 is the guard of code generated for version 9, which
// version 10 only extends.
const SupportsVersion9 = true

// SupportsVersion8 is the guard of code generated for version 8, which
// version 9 only extends.
const SupportsVersion8 = true

// SupportsVersion7 is the guard of code generated for version 7, which
// version 8 only extends.
const SupportsVersion7 = true

// SupportsVersion6 is the guard of code generated for version 6, which
// version 7 only extends.
const SupportsVersion6 = true

// SupportsVersion5 is the guard of code generated for version 5, which
// version 6 only extends.
const SupportsVersion5 = true

// SupportsVersion4 is the guard of code generated for version 4, which
// version 5 only extends.
const SupportsVersion4 = true

// SupportsVersion3 is the guard of code generated for version 3, which
// version 4 only extends.
const SupportsVersion3 = true
