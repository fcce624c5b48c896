package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file holds what FJacobian (jacobian.go) and FHessian (hessian.go)
// share: operands as general matrices, coefficients, sizes, and the unit
// directions their fallbacks call FJVP and FHessVec with.

// asGeneralCode returns the blas64.General of the non-scalar node n: a
// column vector as an n×1 matrix, a row vector copied contiguous as 1×n.
func (e *function) asGeneralCode(n *derive.Node) expr {
	switch {
	case n.Shape.IsCol():
		return plan.Fn(runtimePath, "Column", ref(e.ensure(n)))
	case n.Shape.IsRow():
		v := e.ensure(n)
		if !v.Contiguous {
			c := e.buffer(n.Shape, e.localName(n)+"Row")
			e.stmt(&plan.Do{Call: plan.Fn(blas64Path, "Copy", ref(v), ref(c)), Writes: []*val{c}})
			v = c
		}
		return plan.Fn(runtimePath, "Row", ref(v))
	}
	return ref(e.general(n))
}

// coef returns a term's coefficient, 1 when nil.
func (e *function) coef(c *derive.Node) expr {
	if c == nil {
		return plan.Lit(1)
	}
	return e.scalar(c)
}

// dimsCode returns the Go expressions of the rows and columns of shape.
func (e *function) dimsCode(s derive.Shape) (expr, expr) {
	return e.dim(s.Rows), e.dim(s.Cols)
}

// dimOffset is the size of the dimension d as an offset.
func (e *function) dimOffset(d derive.Dim) offset {
	if d.Name == "" {
		return constOffset(d.Size)
	}
	return valueOffset(e.dim(d))
}

// direction declares a direction argument for FJVP or FHessVec shaped like
// the wrt input w, all zeros: a float64 local for a scalar, a workspace
// vector or matrix otherwise. It returns the argument and the Go
// expression of its data (the local, or the workspace slice), where unit
// entries are set.
func (e *function) direction(w *derive.Input) (arg, data expr) {
	field := e.scope.fresh("dir" + capitalise(w.Name))
	if w.Kind == spec.Scalar {
		v := plan.NewValue(field, plan.Scalar, plan.Local)
		e.stmt(&plan.Let{Vars: []*val{v}, Value: plan.Const{V: 0.0}})
		return ref(v), ref(v)
	}
	buf := plan.Addr(e.workField(field + "Data"))
	if w.Kind == spec.Vector {
		e.work = append(e.work, workField{field, jen.Qual(matPath, "VecDense")}, workField{field + "Data", jen.Index().Float64()})
		e.stmt(&plan.Do{Call: plan.Method(e.workField(field), "SetRawVector", plan.Fn(runtimePath, "Vec", buf, e.dim(w.Shape.Rows)))})
	} else {
		e.work = append(e.work, workField{field, jen.Qual(matPath, "Dense")}, workField{field + "Data", jen.Index().Float64()})
		e.stmt(&plan.Do{Call: plan.Method(e.workField(field), "SetRawMatrix", plan.Fn(runtimePath, "Mat", buf, e.dim(w.Shape.Rows), e.dim(w.Shape.Cols)))})
	}
	e.stmt(&plan.Do{Call: plan.Method(e.workField(field), "Zero")})
	return plan.Addr(e.workField(field)), e.workField(field + "Data")
}

// setUnit returns the statement that sets entry idx of a direction's data
// to v (the scalar itself for a scalar w).
func setUnit(w *derive.Input, data, idx expr, v int) plan.Step {
	if w.Kind == spec.Scalar {
		return &plan.Set{To: data, Op: "=", Value: plan.Const{V: float64(v)}}
	}
	return &plan.Set{To: plan.Elem{X: data, I: idx}, Op: "=", Value: plan.Const{V: v}}
}
