package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// This file emits FJacobian and FHessian: derivatives laid out as whole
// matrices, filled from the structure of their differentials where they
// have one, and otherwise column by column from FJVP or FHessVec.

// asGeneralCode returns the blas64.General of the non-scalar node n: a
// column vector as an n×1 matrix, a row vector copied contiguous as 1×n.
func (e *function) asGeneralCode(n *derive.Node) jen.Code {
	switch {
	case n.Shape.IsCol():
		return jen.Qual(runtimePath, "Column").Call(e.ensure(n).id())
	case n.Shape.IsRow():
		v := e.ensure(n)
		if !v.contiguous {
			c := e.buffer(n.Shape, e.localName(n)+"Row")
			e.stmt(jen.Qual(blas64Path, "Copy").Call(v.id(), c.id()))
			v = c
		}
		return jen.Qual(runtimePath, "Row").Call(v.id())
	}
	return e.general(n).id()
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
		return literal(1)
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
func (e *function) dimsCode(s derive.Shape) (jen.Code, jen.Code) {
	return e.dim(s.Rows), e.dim(s.Cols)
}

func (e *function) emitJacobian(f *jen.File) {
	fn := e.fn
	e.extra = jacobianRoots(fn)
	e.countUses()
	params, names := e.params() // the inputs: FJacobian and FHessian have no outs
	jparams := make([]string, len(fn.Wrt))
	for k, w := range fn.Wrt {
		jparams[k] = e.scope.fresh("J" + w.Name)
		params = append(params, jen.Id(jparams[k]).Op("*").Qual(matPath, "Dense"))
	}
	e.planDims()
	var checks []jen.Code
	layouts := make([]string, len(fn.Wrt))
	for k, w := range fn.Wrt {
		layouts[k] = e.scope.fresh("j" + w.Name)
		fr, fc := e.dimsCode(fn.Value.Shape)
		wr, wc := e.dimsCode(w.Shape)
		checks = append(checks,
			jen.Id(layouts[k]).Op(":=").Qual(runtimePath, "Jacobian").Values(
				field("J", jen.Id(jparams[k]).Dot("RawMatrix").Call()),
				field("FRows", fr), field("FCols", fc),
				field("WRows", wr), field("WCols", wc),
				field("VectorW", jen.Lit(w.Kind == spec.Vector)), jen.Line(),
			),
			jen.Id(layouts[k]).Dot("Check").Call(jen.Lit(e.name), jen.Lit(jparams[k])))
	}
	dests := make([]jen.Code, len(fn.Wrt))
	for k := range fn.Wrt {
		dests[k] = aliasArg(jparams[k], spec.Matrix)
	}
	e.checkNoAlias(dests)
	aliasChecks := len(e.body)
	for k, jac := range fn.Jacobians {
		layout := jen.Id(layouts[k])
		switch {
		case jac.Derivative != nil:
			e.comment(fmt.Sprintf("%s = dF/d%s = %s", jparams[k], jac.Wrt.Name, e.formula(jac.Derivative)))
			e.stmt(layout.Clone().Dot("Zero").Call())
			if jac.Derivative.Shape.IsScalar() {
				e.stmt(jen.Id(layouts[k]).Dot("J").Dot("Data").Index(jen.Lit(0)).Op("=").Add(e.scalar(jac.Derivative).code()))
			} else {
				e.stmt(layout.Clone().Dot("AddBlock").Call(jen.Lit(0), jen.Lit(0), jen.Lit(1.0), e.asGeneralCode(jac.Derivative)))
			}
		case jac.Structured:
			e.comment(fmt.Sprintf("%s from the structure of dF = %s", jparams[k], e.formula(jac.Differential)))
			e.stmt(layout.Clone().Dot("Zero").Call())
			for _, t := range jac.Terms {
				alpha := e.coef(t.Coef)
				if t.Hadamard != nil {
					e.stmt(layout.Clone().Dot("AddHadamard").Call(alpha.code(), e.asGeneralCode(t.Hadamard)))
					continue
				}
				side := func(fs []*derive.Node) jen.Code {
					if n := e.productNode(fs); n != nil {
						return e.asGeneralCode(n)
					}
					return jen.Qual(runtimePath, "Identity")
				}
				l, r := side(t.Left), side(t.Right)
				e.stmt(layout.Clone().Dot("AddProduct").Call(alpha.code(), l, r, jen.Lit(t.Trans)))
			}
		default:
			e.jacobianByJVPs(k, jparams[k], layouts[k])
		}
	}
	e.finishJacobian(f, params, names, checks, aliasChecks, jparams)
}

// jacobianByJVPs fills Jacobian k column block by column block: for each
// entry of the wrt input, FJVP in the unit direction of that entry writes
// the block straight into J.
func (e *function) jacobianByJVPs(k int, jparam, layout string) {
	fn := e.fn
	e.comment(fmt.Sprintf("%s by one %s per entry of %s: dF = %s has no structure to fill it from.",
		jparam, roleName(fn.Spec.Name, roleJVP, 0), fn.Wrt[k].Name, e.formula(fn.Jacobians[k].Differential)))
	dirs := make([]jen.Code, len(fn.Wrt))
	var unit jen.Code // the data of wrt k's direction, set entry by entry
	for l, w := range fn.Wrt {
		var data jen.Code
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
	r, c := e.scope.fresh("r"), e.scope.fresh("c")
	var call []jen.Code
	for _, in := range fn.Inputs {
		call = append(call, jen.Id(in.Name))
	}
	call = append(call, dirs...)
	call = append(call, jen.Op("&").Id(e.wsName).Dot(dst))
	var setBlock jen.Code
	blk := jen.Id(layout).Dot("Block").Call(jen.Id(r), jen.Id(c))
	if vectorF {
		setBlock = jen.Id(e.wsName).Dot(dst).Dot("SetRawVector").Call(jen.Qual(runtimePath, "ColumnOf").Call(blk))
	} else {
		setBlock = jen.Id(e.wsName).Dot(dst).Dot("SetRawMatrix").Call(blk)
	}
	// A scalar wrt has its Jacobian from structure, so w has entries.
	entry := jen.Id(r).Op("*").Add(e.dim(w.Shape.Cols)).Op("+").Id(c)
	set, reset := setUnit(w, unit, entry, 1), setUnit(w, unit, entry, 0)
	e.stmt(jen.For(jen.Id(r).Op(":=").Lit(0), jen.Id(r).Op("<").Add(e.dim(w.Shape.Rows)), jen.Id(r).Op("++")).Block(
		jen.For(jen.Id(c).Op(":=").Lit(0), jen.Id(c).Op("<").Add(e.dim(w.Shape.Cols)), jen.Id(c).Op("++")).Block(
			setBlock, set,
			jen.Id(roleName(fn.Spec.Name, roleJVP, 0)).Call(call...),
			reset,
		)))
}

func (e *function) finishJacobian(f *jen.File, params []jen.Code, names []string, checks []jen.Code, aliasChecks int, jparams []string) {
	fn := e.fn
	body := e.assemble(f, checks, aliasChecks)
	call := fn.Spec.Name + "(" + strings.Join(names, ", ") + ")"
	lines := []string{
		e.name + " writes the derivative of F = " + call + " with respect to " + strings.Join(wrtNames(fn), ", ") + " into " + strings.Join(jparams, ", ") + ", overwriting them.",
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
	h := e.scope.fresh("H")
	params = append(params, jen.Id(h).Op("*").Qual(matPath, "Dense"))
	e.planDims()
	// Offsets and sizes of the wrt blocks.
	sizes := make([]offset, len(fn.Wrt))
	offsets := make([]offset, len(fn.Wrt)+1)
	for k, w := range fn.Wrt {
		sizes[k] = constOffset(1)
		if w.Kind == spec.Vector {
			sizes[k] = dimOffset(w.Shape.Rows, e.dim)
		}
		offsets[k+1] = offsets[k].add(sizes[k])
	}
	size := e.scope.fresh("size")
	hRows, hCols := e.scope.fresh(h+"Rows"), e.scope.fresh(h+"Cols")
	checks := []jen.Code{
		jen.Id(size).Op(":=").Add(offsets[len(fn.Wrt)].code()),
		jen.List(jen.Id(hRows), jen.Id(hCols)).Op(":=").Id(h).Dot("Dims").Call(),
		jen.Qual(runtimePath, "CheckMatrix").Call(jen.Lit(e.name), jen.Lit(h), jen.Id(hRows), jen.Id(hCols), jen.Id(size), jen.Id(size), jen.Lit(size), jen.Lit(size)),
	}
	e.checkNoAlias([]jen.Code{aliasArg(h, spec.Matrix)})
	aliasChecks := len(e.body)
	raw := e.scope.fresh(h + "Raw")
	stride := termOffset(jen.Id(raw).Dot("Stride"))
	e.declare(jen.Id(h).Dot("RawMatrix").Call(), raw)
	if !fn.HessStructured {
		e.hessianByHVPs(h, raw, offsets, sizes)
	} else {
		e.stmt(jen.Qual(runtimePath, "ZeroMatrix").Call(jen.Id(raw)))
		diag := ""
		for _, b := range fn.HessBlocks {
			wi, wj := fn.Wrt[b.Row], fn.Wrt[b.Col]
			// at is entry (r, 0) of the block: H's row offset + r, its
			// column offset.
			at := func(r offset) jen.Code {
				row := offsets[b.Row].add(r)
				return jen.Id(raw).Dot("Data").Index(row.times(stride).add(offsets[b.Col]).code())
			}
			if b.Column != nil {
				e.comment(fmt.Sprintf("∂²f/∂%s∂%s = %s", wi.Name, wj.Name, e.formula(b.Column)))
				if b.Column.Shape.IsScalar() {
					e.stmt(jen.Add(at(constOffset(0))).Op("=").Add(e.scalar(b.Column).code()))
				} else {
					v := e.ensure(b.Column)
					e.stmt(forRange(e.i, sizes[b.Row].code(), jen.Add(at(termOffset(jen.Id(e.i)))).Op("=").Add(e.read(b.Column, v, ident(e.i), intLit(0)).code())))
				}
				continue
			}
			blk := e.scope.fresh("blk" + capitalise(wi.Name) + capitalise(wj.Name))
			e.declare(jen.Qual(runtimePath, "Block").Call(jen.Id(raw), offsets[b.Row].code(), offsets[b.Col].code(), sizes[b.Row].code(), sizes[b.Col].code()), blk)
			for _, t := range b.Terms {
				alpha := e.coef(t.Coef)
				e.comment(fmt.Sprintf("∂²f/∂%s∂%s += %s", wi.Name, wj.Name, e.formulaMap(t)))
				if len(t.Left) == 0 && len(t.Right) == 0 {
					i, term := ident(e.i), alpha
					if t.Diag != nil {
						v := e.ensure(t.Diag)
						term = mul(alpha, e.read(t.Diag, v, i, intLit(0)))
					}
					e.stmt(forRange(e.i, sizes[b.Row].code(), jen.Add(e.readAt(&val{name: blk}, i, i).code()).Op("+=").Add(term.code())))
					continue
				}
				if fs := append(append([]*derive.Node{}, t.Left...), t.Right...); t.Diag == nil && g.Mul(fs...).Shape.IsMatrix() {
					// A plain product: added by its BLAS call with beta = 1
					// (x yᵀ is one Ger), or entry by entry for one factor.
					dst := &val{name: blk}
					if len(fs) == 1 {
						f := fs[0]
						e.stmt(e.loop(f.Shape, func(i, j expr) jen.Code {
							return jen.Add(e.readAt(dst, i, j).code()).Op("+=").Add(mul(alpha, e.elem(f, i, j)).code())
						}))
					} else {
						e.productInto(fs, alpha, dst, nil, true)
					}
					continue
				}
				if diag == "" {
					diag = e.scope.fresh("diag")
					e.work = append(e.work, workField{diag, jen.Qual(runtimePath, "DiagProduct")})
				}
				dvec := jen.Qual(blas64Path, "Vector").Values()
				if t.Diag != nil {
					dvec = e.ensure(t.Diag).id()
				}
				if t.Diag != nil && len(t.Left) > 0 && len(t.Right) > 0 && g.Mul(t.Left...) == g.T(g.Mul(t.Right...)) {
					e.stmt(jen.Id(e.wsName).Dot(diag).Dot("SandwichAdd").Call(jen.Id(blk), alpha.code(), e.asGeneralCode(g.Mul(t.Right...)), dvec))
					continue
				}
				left, transL := jen.Code(jen.Qual(runtimePath, "Identity")), false
				if len(t.Left) > 0 {
					n := sideNode(g, t.Left)
					transL = n != g.Mul(t.Left...)
					left = e.asGeneralCode(n)
				}
				right := jen.Code(jen.Qual(runtimePath, "Identity"))
				if len(t.Right) > 0 {
					right = e.asGeneralCode(g.Mul(t.Right...))
				}
				e.stmt(jen.Id(e.wsName).Dot(diag).Dot("Add").Call(jen.Id(blk), alpha.code(), left, dvec, right, jen.Lit(transL)))
			}
		}
		e.comment("Symmetric to the last bit: (H + H')/2.")
		e.stmt(jen.Qual(runtimePath, "SymmetrizeSquare").Call(jen.Id(raw)))
	}
	body := e.assemble(f, checks, aliasChecks)
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

// direction declares a direction argument for FJVP or FHessVec shaped like
// the wrt input w, all zeros: a float64 local for a scalar, a workspace
// vector or matrix otherwise. It returns the argument and the Go
// expression of its data (the local, or the workspace slice), where unit
// entries are set.
func (e *function) direction(w *derive.Input) (arg, data jen.Code) {
	field := e.scope.fresh("dir" + capitalise(w.Name))
	if w.Kind == spec.Scalar {
		e.stmt(jen.Id(field).Op(":=").Lit(0.0))
		return jen.Id(field), jen.Id(field)
	}
	buf := jen.Op("&").Id(e.wsName).Dot(field + "Data")
	if w.Kind == spec.Vector {
		e.work = append(e.work, workField{field, jen.Qual(matPath, "VecDense")}, workField{field + "Data", jen.Index().Float64()})
		e.stmt(jen.Id(e.wsName).Dot(field).Dot("SetRawVector").Call(jen.Qual(runtimePath, "Vec").Call(buf, e.dim(w.Shape.Rows))))
	} else {
		e.work = append(e.work, workField{field, jen.Qual(matPath, "Dense")}, workField{field + "Data", jen.Index().Float64()})
		e.stmt(jen.Id(e.wsName).Dot(field).Dot("SetRawMatrix").Call(jen.Qual(runtimePath, "Mat").Call(buf, e.dim(w.Shape.Rows), e.dim(w.Shape.Cols))))
	}
	e.stmt(jen.Id(e.wsName).Dot(field).Dot("Zero").Call())
	return jen.Op("&").Id(e.wsName).Dot(field), jen.Id(e.wsName).Dot(field + "Data")
}

// setUnit returns the statement that sets entry idx of a direction's data
// to v (the scalar itself for a scalar w).
func setUnit(w *derive.Input, data, idx jen.Code, v int) jen.Code {
	if w.Kind == spec.Scalar {
		return jen.Add(data).Op("=").Lit(float64(v))
	}
	return jen.Add(data).Index(idx).Op("=").Lit(v)
}

// hessianByHVPs fills the Hessian column by column: FHessVec in the unit
// direction of each wrt entry writes the column straight into H, as the
// row it equals.
func (e *function) hessianByHVPs(h, raw string, offsets, sizes []offset) {
	fn := e.fn
	hv := roleName(fn.Spec.Name, roleHessVec, 0)
	e.comment(fmt.Sprintf("%s by one %s per column, written as the row it equals, then (H + H')/2.", h, hv))
	dirs := make([]jen.Code, len(fn.Wrt))
	units := make([]jen.Code, len(fn.Wrt)) // the data of each direction
	for l, w := range fn.Wrt {
		dirs[l], units[l] = e.direction(w)
	}
	outs := make([]jen.Code, len(fn.Wrt))
	var setOuts []jen.Code
	col := e.scope.fresh("col")
	for i, w := range fn.Wrt {
		// Column col of the symmetric H is its row col: write there, with
		// unit stride (strided writes make the products several times
		// slower). Each output views exactly its own entries: views that
		// ran on to the end of H would overlap, and FHessVec refuses them.
		start := termOffset(jen.Id(col)).times(termOffset(jen.Id(raw).Dot("Stride"))).add(offsets[i])
		if w.Kind == spec.Scalar {
			outs[i] = jen.Op("&").Id(raw).Dot("Data").Index(start.code())
			continue
		}
		field := e.scope.fresh("col" + capitalise(w.Name))
		e.work = append(e.work, workField{field, jen.Qual(matPath, "VecDense")})
		setOuts = append(setOuts, jen.Id(e.wsName).Dot(field).Dot("SetRawVector").Call(jen.Qual(blas64Path, "Vector").Values(jen.Dict{
			jen.Id("N"): e.dim(w.Shape.Rows), jen.Id("Inc"): jen.Lit(1), jen.Id("Data"): jen.Id(raw).Dot("Data").Index(start.code().Op(":").Add(start.add(sizes[i]).code())),
		})))
		outs[i] = jen.Op("&").Id(e.wsName).Dot(field)
	}
	var call []jen.Code
	for _, in := range fn.Inputs {
		call = append(call, jen.Id(in.Name))
	}
	call = append(append(call, dirs...), outs...)
	for l, w := range fn.Wrt {
		r := e.scope.fresh("r")
		set, reset := setUnit(w, units[l], jen.Id(r), 1), setUnit(w, units[l], jen.Id(r), 0)
		if w.Kind == spec.Scalar {
			body := []jen.Code{jen.Id(col).Op(":=").Add(offsets[l].code())}
			body = append(body, setOuts...)
			e.stmt(jen.Block(append(body, set, jen.Id(hv).Call(call...), reset)...))
			continue
		}
		body := []jen.Code{jen.Id(col).Op(":=").Add(offsets[l].add(termOffset(jen.Id(r))).code())}
		body = append(body, setOuts...)
		body = append(body, set, jen.Id(hv).Call(call...), reset)
		e.stmt(jen.For(jen.Id(r).Op(":=").Lit(0), jen.Id(r).Op("<").Add(e.dim(w.Shape.Rows)), jen.Id(r).Op("++")).Block(body...))
	}
	e.stmt(jen.Qual(runtimePath, "SymmetrizeSquare").Call(jen.Id(raw)))
}
