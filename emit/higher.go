package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file emits FJacobian and FHessian: derivatives laid out as whole
// matrices, filled from the structure of their differentials where they
// have one, and otherwise column by column from FJVP or FHessVec.

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

// product returns the node of the product of fs, nil for none.
func (e *function) productNode(fs []*derive.Node) *derive.Node {
	if len(fs) == 0 {
		return nil
	}
	return e.fn.Graph.Mul(fs...)
}

// coef returns a term's coefficient, 1 when nil.
func (e *function) coef(c *derive.Node) expr {
	if c == nil {
		return plan.Lit(1)
	}
	return e.scalar(c)
}

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
			if len(t.Left) > 1 {
				roots = append(roots, fn.Graph.Mul(t.Left...))
			}
			roots = append(roots, t.Left...)
			if len(t.Right) > 1 {
				roots = append(roots, fn.Graph.Mul(t.Right...))
			}
			roots = append(roots, t.Right...)
		}
	}
	return roots
}

// field is a keyed element of a composite literal, kept in the order
// given (jen.Dict sorts its keys).
func field(name string, value jen.Code) jen.Code {
	return jen.Line().Id(name).Op(":").Add(value)
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
		checks = append(checks,
			&plan.Let{Vars: []*val{layouts[k]}, Value: plan.Composite{Type: plan.Qual{Path: runtimePath, Name: "Jacobian"}, Fields: []plan.KeyValue{
				{Key: "J", Value: plan.Method(ref(jparams[k]), "RawMatrix")},
				{Key: "FRows", Value: fr}, {Key: "FCols", Value: fc},
				{Key: "WRows", Value: wr}, {Key: "WCols", Value: wc},
				{Key: "VectorW", Value: plan.Const{V: w.Kind == spec.Vector}},
			}}},
			&plan.Do{Call: plan.Method(ref(layouts[k]), "Check", plan.Const{V: e.name}, plan.Const{V: jparams[k].Name})})
	}
	dests := make([]expr, len(fn.Wrt))
	for k := range fn.Wrt {
		dests[k] = aliasArg(jparams[k], spec.Matrix)
	}
	e.checkNoAlias(dests)
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
				add("AddBlock", plan.IntLit(0), plan.IntLit(0), plan.Const{V: 1.0}, e.asGeneralCode(jac.Derivative))
			}
		case jac.Structured:
			e.comment(fmt.Sprintf("%s from the structure of dF = %s", jparams[k].Name, e.formula(jac.Differential)))
			e.stmt(zero)
			for _, t := range jac.Terms {
				alpha := e.coef(t.Coef)
				if t.Hadamard != nil {
					add("AddHadamard", alpha, e.asGeneralCode(t.Hadamard))
					continue
				}
				side := func(fs []*derive.Node) expr {
					if n := e.productNode(fs); n != nil {
						return e.asGeneralCode(n)
					}
					return plan.Qual{Path: runtimePath, Name: "Identity"}
				}
				l, r := side(t.Left), side(t.Right)
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
	lines := []string{
		e.name + " writes the derivative of F = " + call + " with respect to " + strings.Join(wrtNames(fn), ", ") + " into " + strings.Join(jnames, ", ") + ", overwriting them.",
		"For F m×n and w p×q (a vector w counts as a row, 1×p; a scalar as 1×1), J is",
		"(p·m)×(q·n) and its block (k, l), rows k·m … k·m+m−1 and columns",
		"l·n … l·n+n−1, holds ∂F/∂w_kl.",
	}
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("F", fn.Value)
	doc.lets()
	for _, jac := range fn.Jacobians {
		doc.show("dF", jac.Differential)
		doc.lines[len(doc.lines)-1] += "  (in " + jac.Wrt.Name + ")"
		if jac.Structured && jac.Derivative == nil {
			for _, t := range jac.Terms {
				doc.line("\t\tblock (k, l) += " + derive.FormatBlock(fn.Graph, t, doc.l))
			}
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	lines = append(lines, "", "It panics if the shapes disagree or a destination shares memory with an input.")
	f.Line()
	fileComment(f, lines...)
	f.Func().Id(e.name).Params(params...).Block(body...)
}

// hessianRoots returns the nodes FHessian computes from structure.
func hessianRoots(fn *derive.Function) []*derive.Node {
	if !fn.HessStructured {
		return nil
	}
	var roots []*derive.Node
	for _, b := range fn.HessBlocks {
		if b.Column != nil {
			roots = append(roots, b.Column)
		}
		for _, t := range b.Terms {
			roots = append(roots, t.Coef, t.Diag)
			for _, side := range [][]*derive.Node{t.Left, t.Right} {
				if len(side) > 0 {
					roots = append(roots, sideNode(fn.Graph, side))
				}
			}
		}
	}
	return roots
}

// sideNode is the node a MapTerm side is read from: the factor under a
// single transpose (read with its transpose flag), else the product.
func sideNode(g *derive.Graph, fs []*derive.Node) *derive.Node {
	if len(fs) == 1 && fs[0].Op == derive.OpTranspose && fs[0].Args[0].Shape.IsMatrix() {
		return fs[0].Args[0]
	}
	return g.Mul(fs...)
}

func (e *function) emitHessian(f *jen.File) {
	fn := e.fn
	g := fn.Graph
	e.extra = hessianRoots(fn)
	e.countUses()
	params, names := e.params() // the inputs: FJacobian and FHessian have no outs
	hv := &val{Name: e.scope.fresh("H"), Kind: plan.Object, Owner: plan.Destination}
	h := hv.Name
	params = append(params, jen.Id(h).Op("*").Qual(matPath, "Dense"))
	e.planDims()
	// Offsets and sizes of the wrt blocks.
	sizes := make([]offset, len(fn.Wrt))
	offsets := make([]offset, len(fn.Wrt)+1)
	for k, w := range fn.Wrt {
		sizes[k] = constOffset(1)
		if w.Kind == spec.Vector {
			sizes[k] = e.dimOffset(w.Shape.Rows)
		}
		offsets[k+1] = offsets[k].add(sizes[k])
	}
	local := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Local) }
	size := local("size")
	hRows, hCols := local(h+"Rows"), local(h+"Cols")
	checks := []plan.Step{
		&plan.Let{Vars: []*val{size}, Value: offsets[len(fn.Wrt)].expr()},
		&plan.Let{Vars: []*val{hRows, hCols}, Value: plan.Method(ref(hv), "Dims")},
		&plan.Do{Call: plan.Fn(runtimePath, "CheckMatrix", plan.Const{V: e.name}, plan.Const{V: h}, ref(hRows), ref(hCols), ref(size), ref(size), plan.Const{V: size.Name}, plan.Const{V: size.Name})},
	}
	e.checkNoAlias([]expr{aliasArg(hv, spec.Matrix)})
	aliasChecks := len(e.body)
	raw := &val{Name: e.scope.fresh(h + "Raw"), Kind: plan.Matrix, Owner: plan.Destination, Of: hv}
	stride := valueOffset(plan.Field{X: ref(raw), Name: "Stride"})
	e.declare(plan.Method(ref(hv), "RawMatrix"), raw)
	if !fn.HessStructured {
		e.hessianByHVPs(hv, raw, offsets, sizes)
	} else {
		e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "ZeroMatrix", ref(raw)), Writes: []*val{raw}})
		diag := ""
		for _, b := range fn.HessBlocks {
			wi, wj := fn.Wrt[b.Row], fn.Wrt[b.Col]
			// at is entry (r, 0) of the block: H's row offset + r, its
			// column offset.
			at := func(r offset) expr {
				row := offsets[b.Row].add(r)
				return plan.Elem{X: plan.Field{X: ref(raw), Name: "Data"}, I: row.times(stride).add(offsets[b.Col]).expr()}
			}
			if b.Column != nil {
				e.comment(fmt.Sprintf("∂²f/∂%s∂%s = %s", wi.Name, wj.Name, e.formula(b.Column)))
				if b.Column.Shape.IsScalar() {
					e.stmt(&plan.Set{To: at(constOffset(0)), Op: "=", Value: e.scalar(b.Column)})
				} else {
					v := e.ensure(b.Column)
					e.stmt(forRange(e.i, sizes[b.Row].expr(), &plan.Set{To: at(valueOffset(ref(e.i))), Op: "=", Value: e.read(b.Column, v, ref(e.i), plan.IntLit(0))}))
				}
				continue
			}
			blk := &val{Name: e.scope.fresh("blk" + capitalise(wi.Name) + capitalise(wj.Name)), Kind: plan.Matrix, Owner: plan.Destination, Of: raw, Part: true,
				Shape: derive.Shape{Rows: blockDim(wi), Cols: blockDim(wj)}}
			e.declare(plan.Fn(runtimePath, "Block", ref(raw), offsets[b.Row].expr(), offsets[b.Col].expr(), sizes[b.Row].expr(), sizes[b.Col].expr()), blk)
			for _, t := range b.Terms {
				alpha := e.coef(t.Coef)
				e.comment(fmt.Sprintf("∂²f/∂%s∂%s += %s", wi.Name, wj.Name, e.formulaMap(t)))
				if len(t.Left) == 0 && len(t.Right) == 0 {
					i, term := ref(e.i), alpha
					if t.Diag != nil {
						v := e.ensure(t.Diag)
						term = scaled(alpha, e.read(t.Diag, v, i, plan.IntLit(0)))
					}
					e.stmt(forRange(e.i, sizes[b.Row].expr(), &plan.Set{To: plan.At{V: blk, I: i, J: i}, Op: "+=", Value: term}))
					continue
				}
				if fs := append(append([]*derive.Node{}, t.Left...), t.Right...); t.Diag == nil && g.Mul(fs...).Shape.IsMatrix() {
					// A plain product: added by its BLAS call with beta = 1
					// (x yᵀ is one Ger), or entry by entry for one factor.
					if len(fs) == 1 {
						f := fs[0]
						e.stmt(e.loop(f.Shape, func(i, j expr) plan.Step {
							return &plan.Set{To: plan.At{V: blk, I: i, J: j}, Op: "+=", Value: scaled(alpha, e.elem(f, i, j))}
						}))
					} else {
						e.productInto(fs, alpha, blk, nil, true)
					}
					continue
				}
				if diag == "" {
					diag = e.scope.fresh("diag")
					e.work = append(e.work, workField{diag, jen.Qual(runtimePath, "DiagProduct")})
				}
				dvec := expr(plan.Composite{Type: plan.Qual{Path: blas64Path, Name: "Vector"}})
				if t.Diag != nil {
					dvec = ref(e.ensure(t.Diag))
				}
				update := func(method string, args ...expr) {
					e.stmt(&plan.Do{Call: plan.Method(e.workField(diag), method, append([]expr{ref(blk)}, args...)...), Updates: []*val{blk}})
				}
				if t.Diag != nil && len(t.Left) > 0 && len(t.Right) > 0 && g.Mul(t.Left...) == g.T(g.Mul(t.Right...)) {
					update("SandwichAdd", alpha, e.asGeneralCode(g.Mul(t.Right...)), dvec)
					continue
				}
				left, transL := expr(plan.Qual{Path: runtimePath, Name: "Identity"}), false
				if len(t.Left) > 0 {
					n := sideNode(g, t.Left)
					transL = n != g.Mul(t.Left...)
					left = e.asGeneralCode(n)
				}
				right := expr(plan.Qual{Path: runtimePath, Name: "Identity"})
				if len(t.Right) > 0 {
					right = e.asGeneralCode(g.Mul(t.Right...))
				}
				update("Add", alpha, left, dvec, right, plan.Const{V: transL})
			}
		}
		e.comment("Symmetric to the last bit: (H + H')/2.")
		e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "SymmetrizeSquare", ref(raw)), Updates: []*val{raw}})
	}
	body := e.assemble(f, checks, aliasChecks, e.parameters(hv))
	call := fn.Spec.Name + "(" + strings.Join(names, ", ") + ")"
	lines := []string{
		e.name + " writes the Hessian of f = " + call + " with respect to " + strings.Join(wrtNames(fn), ", ") + " into " + h + ",",
		"overwriting it: " + h + " is N×N, N the total size of the wrt variables packed in wrt order",
		"(the packing of " + roleName(fn.Spec.Name, roleProblem, 0) + "), and symmetric to the last bit.",
	}
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("f", fn.Value)
	doc.lets()
	if fn.HessStructured {
		for _, b := range fn.HessBlocks {
			wi, wj := fn.Wrt[b.Row].Name, fn.Wrt[b.Col].Name
			if b.Column != nil {
				doc.show("∂²f/∂"+wi+"∂"+wj, b.Column)
				continue
			}
			var parts []string
			for _, t := range b.Terms {
				parts = append(parts, derive.FormatMap(g, t, doc.l))
			}
			if len(parts) == 0 {
				parts = []string{"0"}
			}
			doc.line("\t∂²f/∂" + wi + "∂" + wj + " = " + strings.Join(parts, " + "))
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	if !fn.HessStructured {
		lines = append(lines, "", "The Hessian-vector product has no structure to read the Hessian off, so", e.name+" assembles it from one "+roleName(fn.Spec.Name, roleHessVec, 0)+" per column.")
	}
	lines = append(lines, "", "It panics if the shapes disagree or "+h+" shares memory with an input.")
	f.Line()
	fileComment(f, lines...)
	f.Func().Id(e.name).Params(params...).Block(body...)
}

// blockDim is the size of a wrt input's block of the Hessian: its length,
// or 1 for a scalar.
func blockDim(w *derive.Input) derive.Dim {
	if w.Kind == spec.Vector {
		return w.Shape.Rows
	}
	return derive.Lit(1)
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

// hessianByHVPs fills the Hessian column by column: FHessVec in the unit
// direction of each wrt entry writes the column straight into H, as the
// row it equals.
func (e *function) hessianByHVPs(h, raw *val, offsets, sizes []offset) {
	fn := e.fn
	hv := roleName(fn.Spec.Name, roleHessVec, 0)
	e.comment(fmt.Sprintf("%s by one %s per column, written as the row it equals, then (H + H')/2.", h.Name, hv))
	dirs := make([]expr, len(fn.Wrt))
	units := make([]expr, len(fn.Wrt)) // the data of each direction
	for l, w := range fn.Wrt {
		dirs[l], units[l] = e.direction(w)
	}
	outs := make([]expr, len(fn.Wrt))
	var setOuts []plan.Step
	col := plan.NewValue(e.scope.fresh("col"), plan.Int, plan.Local)
	// The columns FHessVec writes: parts of H.
	column := &val{Name: raw.Name, Kind: plan.Matrix, Owner: plan.Destination, Of: raw, Part: true}
	data := plan.Field{X: ref(raw), Name: "Data"}
	for i, w := range fn.Wrt {
		// Column col of the symmetric H is its row col: write there, with
		// unit stride (strided writes make the products several times
		// slower). Each output views exactly its own entries: views that
		// ran on to the end of H would overlap, and FHessVec refuses them.
		start := valueOffset(ref(col)).times(valueOffset(plan.Field{X: ref(raw), Name: "Stride"})).add(offsets[i])
		if w.Kind == spec.Scalar {
			outs[i] = plan.Addr(plan.Elem{X: data, I: start.expr()})
			continue
		}
		field := e.scope.fresh("col" + capitalise(w.Name))
		e.work = append(e.work, workField{field, jen.Qual(matPath, "VecDense")})
		setOuts = append(setOuts, &plan.Do{Call: plan.Method(e.workField(field), "SetRawVector", plan.Composite{Type: plan.Qual{Path: blas64Path, Name: "Vector"}, Sorted: true, Fields: []plan.KeyValue{
			{Key: "N", Value: e.dim(w.Shape.Rows)}, {Key: "Inc", Value: plan.IntLit(1)}, {Key: "Data", Value: plan.Slice{X: data, Lo: start.expr(), Hi: start.add(sizes[i]).expr()}},
		}}), Views: []*val{raw}})
		outs[i] = plan.Addr(e.workField(field))
	}
	var call []expr
	for _, in := range fn.Inputs {
		call = append(call, ref(e.args[in.Name]))
	}
	call = append(append(call, dirs...), outs...)
	hvp := &plan.Do{Call: plan.Fn("", hv, call...), Writes: []*val{column}, Views: []*val{raw}}
	for l, w := range fn.Wrt {
		r := plan.NewValue(e.scope.fresh("r"), plan.Int, plan.Index)
		set, reset := setUnit(w, units[l], ref(r), 1), setUnit(w, units[l], ref(r), 0)
		if w.Kind == spec.Scalar {
			body := []plan.Step{&plan.Let{Vars: []*val{col}, Value: offsets[l].expr()}}
			body = append(body, setOuts...)
			e.stmt(&plan.Block{Body: append(body, set, hvp, reset)})
			continue
		}
		body := []plan.Step{&plan.Let{Vars: []*val{col}, Value: offsets[l].add(valueOffset(ref(r))).expr()}}
		body = append(body, setOuts...)
		body = append(body, set, hvp, reset)
		e.stmt(&plan.For{Var: r, From: plan.IntLit(0), To: e.dim(w.Shape.Rows), Body: body})
	}
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "SymmetrizeSquare", ref(raw)), Updates: []*val{raw}})
}
