// Package higher holds gradgen's corpus of derivatives beyond the
// gradient (dᵏF/dtᵏ, JVPs, Jacobians, Hessian-vector products, Hessians),
// its checked-in generated code and the tests that check it against
// finite differences.
package higher

//go:generate go run ../../cmd/gradgen -test higher.yaml
