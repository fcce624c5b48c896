// Package hessian benchmarks gradgen's generated dense Hessian of
// L2-regularised logistic regression (hessian.yaml, generated code in
// hessian_grad.go) against the two ways of building it without one: d
// Hessian-vector products with unit vectors, and 2d gradients of central
// finite differences. hessian_test.go checks that the three agree with
// each other and with Xᵀ diag(s(1−s)) X + λI written by hand, and times
// them for d ∈ {16, 128, 512} with n = 4d samples:
//
//	BenchmarkHessian/d=<d>/FHessian   LogRegHHessian, one Syrk
//	BenchmarkHessian/d=<d>/HVPs       d calls of LogRegHHessVec, one per column (copied in)
//	BenchmarkHessian/d=<d>/fd-grad    2d calls of LogRegHGrad, central differences
package hessian

//go:generate go tool gradgen hessian.yaml
