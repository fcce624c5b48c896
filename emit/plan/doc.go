// Package plan is the intermediate form between a differentiated function
// and its Go source: typed steps over named values, checked before they
// are printed.
//
// Lowering (package emit) turns a derived graph into a plan: values
// (Value: an argument, a view of one, a workspace buffer, a scalar, a
// dimension, a loop index, each with its kind, shape and owner) and steps
// over them (Let, Set, Do — a BLAS call with its operands described by
// Blas, a runtime kernel, a factorisation —, Loop over the entries of a
// vector or matrix, For — Parallel when its iterations, parts of a
// matrix's rows, run at once —, Block, Clamp, Comment, Return, Defer), whose
// expressions (Expr) are trees: scalar arithmetic printed by one
// precedence-aware printer, entries (At), fields, calls.
//
// Passes rewrite plans: DropDeadStores removes buffers nothing reads,
// Fuse joins loops over the same entries, ReuseStorage gives a buffer the
// storage of one nothing reads again, DropUnread removes declarations
// nothing reads. Check verifies the invariants every plan keeps (each a
// Rule constant: values declared before use, buffers written before read,
// no reduction read in the loop that accumulates it, destinations written
// once in full or zeroed first, every declared name read, no two buffers in
// one workspace field, BLAS operand shapes that agree, no buffer read once
// its storage is reused, the parts of a parallel loop writing storage of
// their own); a violation is an internal error naming the
// function and the rule. Go prints a plan through jennifer; Format lists
// it for people (gradgen -plan).
package plan
