// Package generated holds gradgen's round-trip corpus: specs covering every
// operator and input type, their checked-in generated code, and the tests
// that check that code against the reference evaluation and finite
// differences.
package generated

//go:generate go run ../cmd/gradgen derivation.yaml models.yaml ops.yaml precedence.yaml names.yaml random.yaml types.yaml worked.yaml
