// Package derive is gradgen's mathematics: it lowers a spec function to an
// expression DAG, differentiates it symbolically, and evaluates and prints
// the result. It knows nothing of Go; package emit writes the DAG as code.
//
// The language is one table (ops.go): every operator is an Op holding its
// shape rules, reference evaluation, forward (Tangent, Taylor) and
// reverse (Adjoint) derivative rules, degree of homogeneity, printing in
// every notation, and whether and how a spec calls it; the few callable
// names that are not operators of their own (norm1, dot, diag, eye,
// vector, matrix) are the sugar spellings beside it. FunctionNames and the
// builder read the table, and TestOperatorTable checks every entry.
//
// The files, by phase:
//
//   - graph.go, shape.go: the DAG (Graph, Node), interned by structure so
//     a common subexpression is one node, simplified as it is built;
//     symbolic shapes and dimensions.
//   - build.go: Build, spec → DAG with shape inference (fills such as
//     vector(1) take their shape from where they are used).
//   - grad.go: reverse mode, the gradient of a scalar f.
//   - higher.go, taylor.go, linear.go: forward mode (JVPs, Hessian-vector
//     products), Taylor mode (dᵏf/dtᵏ), and Jacobians and Hessians read
//     off the structure of a differential.
//   - degree.go: homogeneity, for Euler's theorem.
//   - eval.go, reference.go: the reference evaluator on gonum/mat that
//     tests compare generated code with.
//   - print.go, listing.go, explain.go: printing in plain, Unicode and
//     LaTeX notation, listings that share repeated subexpressions, and
//     the step-by-step derivations of gradgen -explain.
package derive
