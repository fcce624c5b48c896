package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file emits FJacobian: the derivative of a vector- or matrix-valued
// f laid out as a whole matrix, filled from the structure of its
// differential where it has one, and otherwise block by block from FJVP.

// jacobianRoots returns the nodes FJacobian computes.
func jacobianRoots(fn *derive.Function) []*derive.Node {
	var roots []*derive.Node
	for _, j := range fn.Jacobians {
		if j.Derivative != nil {
			roots = append(roots, j.Derivative)
		}
		if !j.Structured {
			continue
		}
		for _, t := range j.Terms {
			roots = append(roots, t.Coef, t.Hadamard)
			for _, side := range []struct {
				factors []*derive.Node
				product *derive.Node
			}{{t.Left, t.LeftProduct}, {t.Right, t.RightProduct}} {
				if len(side.factors) > 1 {
					roots = append(roots, side.product)
				}
				roots = append(roots, side.factors...)
			}
		}
	}
	return roots
}

func (e *function) emitJacobian(f *jen.File) {
	fn := e.fn
	e.extra = jacobianRoots(fn)
	e.countUses()
	params, names := e.params() // the inputs: FJacobian and FHessian have no outs
	jparams := make([]*val, len(fn.Wrt))
	for k, w := range fn.Wrt {
		jparams[k] = &val{Name: e.scope.fresh("J" + w.Name), Kind: plan.Object, Owner: plan.Destination}
		params = append(params, jen.Id(jparams[k].Name).Op("*").Qual(matPath, "Dense"))
	}
	e.planDims()
	var checks []plan.Step
	layouts := make([]*val, len(fn.Wrt))
	for k, w := range fn.Wrt {
		layouts[k] = &val{Name: e.scope.fresh("j" + w.Name), Kind: plan.Object, Owner: plan.Destination, Of: jparams[k]}
		fr, fc := e.dimsCode(fn.Value.Shape)
		wr, wc := e.dimsCode(w.Shape)
		checks = append(checks, &plan.Let{Vars: []*val{layouts[k]}, Value: plan.Fn(runtimePath, "NewJacobian",
			plan.Const{V: e.name}, plan.Const{V: jparams[k].Name}, ref(jparams[k]), fr, fc, wr, wc, plan.Const{V: w.Kind == spec.Vector})})
	}
	kinds := make([]spec.TypeKind, len(fn.Wrt))
	for k := range kinds {
		kinds[k] = spec.Matrix
	}
	e.checkNoAlias(jparams, kinds)
	aliasChecks := len(e.body)
	for k, jac := range fn.Jacobians {
		layout := layouts[k]
		add := func(method string, args ...expr) {
			e.stmt(&plan.Do{Call: plan.Method(ref(layout), method, args...), Updates: []*val{layout}})
		}
		zero := &plan.Do{Call: plan.Method(ref(layout), "Zero"), Writes: []*val{layout}}
		switch {
		case jac.Derivative != nil:
			e.comment(fmt.Sprintf("%s = dF/d%s = %s", jparams[k].Name, jac.Wrt.Name, e.formula(jac.Derivative)))
			e.stmt(zero)
			if jac.Derivative.Shape.IsScalar() {
				e.stmt(&plan.Set{To: plan.Elem{X: plan.Field{X: plan.Field{X: ref(layout), Name: "J"}, Name: "Data"}, I: plan.IntLit(0)}, Op: "=", Value: e.scalar(jac.Derivative)})
			} else {
				add("AddBlock", plan.IntLit(0), plan.IntLit(0), plan.IntLit(1), e.asGeneralCode(jac.Derivative))
			}
		case jac.Structured:
			e.comment(fmt.Sprintf("%s from the structure of dF = %s", jparams[k].Name, e.formula(jac.Differential)))
			e.stmt(zero)
			for _, t := range jac.Terms {
				alpha := coefficient(e.coef(t.Coef))
				if t.Hadamard != nil {
					add("AddHadamard", alpha, e.asGeneralCode(t.Hadamard))
					continue
				}
				side := func(n *derive.Node) expr {
					if n != nil {
						return e.asGeneralCode(n)
					}
					return plan.Qual{Path: runtimePath, Name: "Identity"}
				}
				l, r := side(t.LeftProduct), side(t.RightProduct)
				add("AddProduct", alpha, l, r, plan.Const{V: t.Trans})
			}
		default:
			e.jacobianByJVPs(k, jparams[k], layout)
		}
	}
	e.finishJacobian(f, params, names, checks, aliasChecks, jparams)
}

// jacobianByJVPs fills Jacobian k column block by column block: for each
// entry of the wrt input, FJVP in the unit direction of that entry writes
// the block straight into J.
func (e *function) jacobianByJVPs(k int, jparam, layout *val) {
	fn := e.fn
	e.comment(fmt.Sprintf("%s by one %s per entry of %s: dF = %s has no structure to fill it from.",
		jparam.Name, roleName(fn.Spec.Name, roleJVP, 0), fn.Wrt[k].Name, e.formula(fn.Jacobians[k].Differential)))
	dirs := make([]expr, len(fn.Wrt))
	var unit expr // the data of wrt k's direction, set entry by entry
	for l, w := range fn.Wrt {
		var data expr
		dirs[l], data = e.direction(w)
		if l == k {
			unit = data
		}
	}
	dst := e.scope.fresh("block")
	vectorF := fn.Value.Shape.IsCol()
	if vectorF {
		e.work = append(e.work, workField{dst, jen.Qual(matPath, "VecDense")})
	} else {
		e.work = append(e.work, workField{dst, jen.Qual(matPath, "Dense")})
	}
	w := fn.Wrt[k]
	index := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Index) }
	r, c := index("r"), index("c")
	var call []expr
	for _, in := range fn.Inputs {
		call = append(call, ref(e.args[in.Name]))
	}
	call = append(call, dirs...)
	call = append(call, plan.Addr(e.workField(dst)))
	// The block of J that FJVP writes, by a view of it: a part of J.
	block := &val{Name: layout.Name, Kind: plan.Object, Owner: plan.Destination, Of: layout, Part: true}
	blk := plan.Method(ref(layout), "Block", ref(r), ref(c))
	var setBlock plan.Step
	if vectorF {
		setBlock = &plan.Do{Call: plan.Method(e.workField(dst), "SetRawVector", plan.Fn(runtimePath, "ColumnOf", blk))}
	} else {
		setBlock = &plan.Do{Call: plan.Method(e.workField(dst), "SetRawMatrix", blk)}
	}
	// A scalar wrt has its Jacobian from structure, so w has entries.
	cols := e.dim(w.Shape.Cols)
	entry := plan.Spelt{X: jen.Id(r.Name).Op("*").Add(cols.Code()).Op("+").Id(c.Name), Reads: []expr{ref(r), cols, ref(c)}}
	set, reset := setUnit(w, unit, entry, 1), setUnit(w, unit, entry, 0)
	e.stmt(&plan.For{Var: r, From: plan.IntLit(0), To: e.dim(w.Shape.Rows), Body: []plan.Step{
		&plan.For{Var: c, From: plan.IntLit(0), To: e.dim(w.Shape.Cols), Body: []plan.Step{
			setBlock, set,
			&plan.Do{Call: plan.Fn("", roleName(fn.Spec.Name, roleJVP, 0), call...), Writes: []*val{block}},
			reset,
		}}}})
}

func (e *function) finishJacobian(f *jen.File, params []jen.Code, names []string, checks []plan.Step, aliasChecks int, jparams []*val) {
	fn := e.fn
	body := e.assemble(f, checks, aliasChecks, e.parameters(jparams...))
	jnames := make([]string, len(jparams))
	for k, j := range jparams {
		jnames[k] = j.Name
	}
	call := fn.Spec.Name + "(" + strings.Join(names, ", ") + ")"
	lines := append(wrap(e.name+" writes the derivative of F = "+call+" with respect to "+strings.Join(wrtNames(fn), ", ")+
		" into "+strings.Join(jnames, ", ")+", overwriting "+pronoun(len(jnames))+".", 77),
		"For F m×n and w p×q (a vector w counts as a row, 1×p; a scalar as 1×1), J is",
		"(p·m)×(q·n) and its block (k, l), rows k·m … k·m+m−1 and columns",
		"l·n … l·n+n−1, holds ∂F/∂w_kl.",
	)
	lines = append(lines, wrtDoc(fn)...)
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("F", fn.Value)
	doc.lets()
	for _, jac := range fn.Jacobians {
		doc.show("dF", jac.Differential)
		doc.lines[len(doc.lines)-1] += "  (in " + jac.Wrt.Name + ")"
		if jac.Structured && jac.Derivative == nil {
			for _, t := range jac.Terms {
				doc.line("\t\tblock (k, l) += " + derive.FormatBlock(t, doc.l))
			}
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	lines = append(lines, destinationsDoc(spec.Matrix)...)
	f.Line()
	fileComment(f, lines...)
	f.Func().Id(e.name).Params(params...).Block(body...)
	e.partMethods(f)
}
