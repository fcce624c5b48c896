package emit

import (
	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file writes the checks every generated function runs first: the
// dimensions bound from the inputs and checked against every input and
// destination, and the one alias check.

// planDims names the variable of every named dimension, bound from the
// first input that has it. Statements come later, from checkShapes, once
// the body shows which dimensions it uses.
func (e *function) planDims() {
	for _, in := range e.ins {
		for _, d := range []derive.Dim{in.Shape.Rows, in.Shape.Cols} {
			if _, bound := e.dims[d]; !bound && d.Name != "" {
				e.dims[d] = plan.NewValue(d.Name, plan.Int, plan.Local)
				e.binder[d] = in
			}
		}
	}
}

// checkShapes returns the steps that bind the dimensions the function
// uses and check every input and gradient destination against them.
func (e *function) checkShapes() []plan.Step {
	lit := func(d derive.Dim) expr { return plan.Const{V: d.String()} }
	name := func(s string) expr { return plan.Const{V: s} }
	check := func(fn string, args ...expr) plan.Step {
		return &plan.Do{Call: plan.Fn(runtimePath, fn, append([]expr{name(e.name)}, args...)...)}
	}
	local := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Local) }
	// Destination checks first: they decide which bindings are used. Each
	// sizes a zero-value destination as gonum's receivers are sized, and
	// comes before the alias check, which sees the sized destination.
	var grads []plan.Step
	for _, o := range e.outs {
		w, d := o.to, ref(o.arg)
		switch w.Kind {
		case spec.Scalar:
			grads = append(grads, check("DestScalar", name(o.param), d))
		case spec.Vector:
			grads = append(grads, check("DestVector", name(o.param), d, e.dim(w.Shape.Rows), lit(w.Shape.Rows)))
		case spec.Symmetric, spec.SPD:
			grads = append(grads, check("DestSymmetric", name(o.param), d, e.dim(w.Shape.Rows), lit(w.Shape.Rows)))
		case spec.Matrix:
			grads = append(grads, check("DestMatrix", name(o.param), d,
				e.dim(w.Shape.Rows), e.dim(w.Shape.Cols), lit(w.Shape.Rows), lit(w.Shape.Cols)))
		}
	}
	// binds reports whether slot k (0 rows, 1 columns) of in binds d.
	binds := func(in *derive.Input, d derive.Dim, k int) bool {
		return d.Name != "" && e.binder[d] == in && (k == 0 || in.Shape.Rows != d)
	}
	// Every dimension an input does not bind is checked, and so used.
	for _, in := range e.ins {
		slots := []derive.Dim{in.Shape.Rows}
		if in.Kind == spec.Matrix {
			slots = append(slots, in.Shape.Cols)
		}
		for k, d := range slots {
			if d.Name != "" && !binds(in, d, k) {
				e.used[d] = true
			}
		}
	}
	var out []plan.Step
	for _, in := range e.ins {
		r, c := in.Shape.Rows, in.Shape.Cols
		arg := ref(e.args[in.Name])
		switch in.Kind {
		case spec.Vector, spec.Symmetric, spec.SPD:
			get, checkFn := "Len", "CheckVector"
			if in.Kind != spec.Vector {
				get, checkFn = "SymmetricDim", "CheckSymmetric"
			}
			if binds(in, r, 0) {
				e.used[r] = true
				out = append(out, &plan.Let{Vars: []*val{e.dims[r]}, Value: plan.Method(arg, get), Pure: true}, e.checkDim(in.Name, r))
				continue
			}
			out = append(out, check(checkFn, name(in.Name), plan.Method(arg, get), e.dim(r), lit(r)))
		case spec.Matrix:
			checked := !binds(in, r, 0) || !binds(in, c, 1)
			bound := func(d derive.Dim, k int, fallback string) *val {
				if !binds(in, d, k) {
					return local(fallback)
				}
				e.used[d] = true
				return e.dims[d]
			}
			rows, cols := bound(r, 0, in.Name+"Rows"), bound(c, 1, in.Name+"Cols")
			out = append(out, &plan.Let{Vars: []*val{rows, cols}, Value: plan.Method(arg, "Dims"), Pure: true})
			for k, d := range []derive.Dim{r, c} {
				if binds(in, d, k) {
					out = append(out, e.checkDim(in.Name, d))
				}
			}
			if checked {
				out = append(out, check("CheckMatrix", name(in.Name), ref(rows), ref(cols),
					e.dim(r), e.dim(c), lit(r), lit(c)))
			}
		}
	}
	return append(out, grads...)
}

// checkDim returns the check that the dimension d, just bound from the
// input arg, is at least 1: gonum has no empty matrices or vectors, so a
// zero value (&mat.Dense{}, &mat.VecDense{}) panics with a *ShapeError
// naming the dimension instead of inside BLAS.
func (e *function) checkDim(arg string, d derive.Dim) plan.Step {
	return &plan.Do{Call: plan.Fn(runtimePath, "CheckDim", plan.Const{V: e.name}, plan.Const{V: arg}, ref(e.dims[d]), plan.Const{V: d.Name})}
}

// checkAliases panics when a destination shares memory with an input or
// another destination.
func (e *function) checkAliases() {
	dests := make([]*val, len(e.outs))
	kinds := make([]spec.TypeKind, len(e.outs))
	for k, o := range e.outs {
		dests[k], kinds[k] = o.arg, o.to.Kind
	}
	e.checkNoAlias(dests, kinds)
}

// checkNoAlias emits the function's one runtime.CheckNoAlias call, which
// checks the destinations (of kinds destKinds) against each other and
// against every input passed by reference, if there is a pair to check.
// Its size grows with the number of arguments, not with their product.
// With at most inlinePairs pairs the call runs only when the memory of a
// pair meets (runtime.Apart, inlined): the arguments of the exact check
// cost more than the check itself in a small function.
func (e *function) checkNoAlias(dests []*val, destKinds []spec.TypeKind) {
	var inputs, inputData []expr
	for _, in := range e.ins {
		if in.Kind != spec.Scalar { // passed by value
			inputs = append(inputs, aliasArg(e.args[in.Name], in.Kind))
			inputData = append(inputData, aliasData(e.args[in.Name], in.Kind))
		}
	}
	if len(dests) == 0 || len(inputs) == 0 && len(dests) == 1 {
		return
	}
	destArgs := make([]expr, len(dests))
	var meets plan.AnyOf
	for k, d := range dests {
		destArgs[k] = aliasArg(d, destKinds[k])
		data := aliasData(d, destKinds[k])
		for _, x := range inputData {
			meets = append(meets, plan.Not(plan.Fn(runtimePath, "Apart", data, x)))
		}
		for p := range k {
			meets = append(meets, plan.Not(plan.Fn(runtimePath, "Apart", data, aliasData(dests[p], destKinds[p]))))
		}
	}
	check := &plan.Do{Call: plan.Fn(runtimePath, "CheckNoAlias", plan.Const{V: e.name}, aliasArgs(destArgs), aliasArgs(inputs))}
	if len(meets) > inlinePairs {
		e.stmt(check)
		return
	}
	e.stmt(&plan.Block{If: meets, Body: []plan.Step{check}})
}

// inlinePairs is the most pairs of arguments checkNoAlias tests inline
// before the exact check.
const inlinePairs = 12

// aliasArgs returns the []runtime.Arg literal of args, one per line when
// there are more than a few; nil when there are none.
func aliasArgs(args []expr) expr {
	if len(args) == 0 {
		return plan.Qual{Name: "nil"}
	}
	return plan.Composite{Slice: true, Type: plan.Qual{Path: runtimePath, Name: "Arg"}, Elems: args, Lines: len(args) > 3}
}

// aliasData returns the backing slice of the gonum value arg of kind k, or
// the one element of a scalar destination: what runtime.Apart compares.
func aliasData(arg *val, k spec.TypeKind) expr {
	x := ref(arg)
	switch k {
	case spec.Scalar: // a *float64 destination
		return plan.Fn(runtimePath, "ScalarData", x)
	case spec.Vector:
		return plan.Field{X: plan.Method(x, "RawVector"), Name: "Data"}
	case spec.Symmetric, spec.SPD:
		return plan.Field{X: plan.Method(x, "RawSymmetric"), Name: "Data"}
	}
	return plan.Field{X: plan.Method(x, "RawMatrix"), Name: "Data"}
}

// aliasArg returns the runtime.Arg of the gonum value arg of kind k
// (through RawMatrix, RawVector or RawSymmetric), or of the *float64 of a
// scalar destination: the elements runtime.CheckNoAlias compares.
func aliasArg(arg *val, k spec.TypeKind) expr {
	name, x := plan.Const{V: arg.Name}, ref(arg)
	switch k {
	case spec.Scalar: // a *float64 destination
		return plan.Fn(runtimePath, "ScalarArg", name, x)
	case spec.Vector:
		return plan.Fn(runtimePath, "VectorArg", name, plan.Method(x, "RawVector"))
	case spec.Symmetric, spec.SPD:
		return plan.Fn(runtimePath, "SymmetricArg", name, plan.Method(x, "RawSymmetric"))
	}
	return plan.Fn(runtimePath, "MatrixArg", name, plan.Method(x, "RawMatrix"))
}
