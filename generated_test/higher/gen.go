// Package higher holds gradgen's corpus of derivatives beyond the
// gradient (dᵏF/dtᵏ, JVPs, Jacobians, Hessian-vector products, Hessians),
// its regression corpus, their checked-in generated code and the tests
// that check them against finite differences.
package higher

//go:generate go run ../../cmd/gradgen -test higher.yaml
//go:generate go run ../../cmd/gradgen regress.yaml
