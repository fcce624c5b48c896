package emit

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// This file emits FHessian: the dense Hessian, read off the structure of
// the second differential where it has one, and otherwise column by column
// from FHessVec.

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
			roots = append(roots, t.Coef, t.Diag, t.LeftProduct, t.RightProduct)
		}
	}
	return roots
}

// hessianLayout is where FHessian writes: H, its raw matrix, and the
// offset and size of each wrt input's block of rows and columns.
type hessianLayout struct {
	h, raw         *val
	offsets, sizes []offset
	stride         offset // of raw's rows
}

func (e *function) emitHessian(f *jen.File) {
	fn := e.fn
	e.extra = hessianRoots(fn)
	e.countUses()
	params, names := e.params() // the inputs: FJacobian and FHessian have no outs
	l := &hessianLayout{h: &val{Name: e.scope.fresh("H"), Kind: plan.Object, Owner: plan.Destination}}
	h := l.h.Name
	params = append(params, jen.Id(h).Op("*").Qual(matPath, "Dense"))
	e.planDims()
	// Offsets and sizes of the wrt blocks.
	l.sizes = make([]offset, len(fn.Wrt))
	l.offsets = make([]offset, len(fn.Wrt)+1)
	for k, w := range fn.Wrt {
		l.sizes[k] = constOffset(1)
		if w.Kind == spec.Vector {
			l.sizes[k] = e.dimOffset(w.Shape.Rows)
		}
		l.offsets[k+1] = l.offsets[k].add(l.sizes[k])
	}
	local := func(base string) *val { return plan.NewValue(e.scope.fresh(base), plan.Int, plan.Local) }
	size := local("size")
	checks := []plan.Step{
		&plan.Let{Vars: []*val{size}, Value: l.offsets[len(fn.Wrt)].expr()},
		&plan.Do{Call: plan.Fn(runtimePath, "DestMatrix", plan.Const{V: e.name}, plan.Const{V: h}, ref(l.h), ref(size), ref(size), plan.Const{V: size.Name}, plan.Const{V: size.Name})},
	}
	e.checkNoAlias([]*val{l.h}, []spec.TypeKind{spec.Matrix})
	aliasChecks := len(e.body)
	l.raw = &val{Name: e.scope.fresh(h + "Raw"), Kind: plan.Matrix, Owner: plan.Destination, Of: l.h}
	l.stride = valueOffset(plan.Field{X: ref(l.raw), Name: "Stride"})
	e.declare(plan.Method(ref(l.h), "RawMatrix"), l.raw)
	if fn.HessStructured {
		e.hessianByStructure(l)
	} else {
		e.hessianByHVPs(l.h, l.raw, l.offsets, l.sizes)
	}
	body := e.assemble(f, checks, aliasChecks, e.parameters(l.h))
	f.Line()
	fileComment(f, e.hessianDoc(names, h)...)
	f.Func().Id(e.name).Params(params...).Block(body...)
	e.partMethods(f)
}

// hessianByStructure writes H block by block from the structure of the
// second differential: a block that is a column of values, or a sum of
// terms, each added by a product, a diagonal or a runtime.DiagProduct.
func (e *function) hessianByStructure(l *hessianLayout) {
	fn := e.fn
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "ZeroMatrix", ref(l.raw)), Writes: []*val{l.raw}})
	diag := ""
	for _, b := range fn.HessBlocks {
		wi, wj := fn.Wrt[b.Row], fn.Wrt[b.Col]
		if b.Column != nil {
			e.hessianColumn(l, b)
			continue
		}
		blk := &val{Name: e.scope.fresh("blk" + capitalise(wi.Name) + capitalise(wj.Name)), Kind: plan.Matrix, Owner: plan.Destination, Of: l.raw, Part: true,
			Shape: derive.Shape{Rows: blockDim(wi), Cols: blockDim(wj)}}
		e.declare(plan.Fn(runtimePath, "Block", ref(l.raw), l.offsets[b.Row].expr(), l.offsets[b.Col].expr(), l.sizes[b.Row].expr(), l.sizes[b.Col].expr()), blk)
		for _, t := range b.Terms {
			alpha := e.coef(t.Coef) // its statements, if any, go first
			e.comment(fmt.Sprintf("∂²f/∂%s∂%s += %s", wi.Name, wj.Name, e.formulaMap(t)))
			e.hessianTerm(t, alpha, blk, l.sizes[b.Row], &diag)
		}
	}
	e.comment("Symmetric to the last bit: (H + H')/2.")
	e.stmt(&plan.Do{Call: plan.Fn(runtimePath, "SymmetrizeSquare", ref(l.raw)), Updates: []*val{l.raw}})
}

// hessianColumn writes a block that is one column: the block of a scalar
// wrt's column, entry (r, 0) of H's block at its row offset + r and its
// column offset.
func (e *function) hessianColumn(l *hessianLayout, b *derive.HessBlock) {
	wi, wj := e.fn.Wrt[b.Row], e.fn.Wrt[b.Col]
	at := func(r offset) expr {
		row := l.offsets[b.Row].add(r)
		return plan.Elem{X: plan.Field{X: ref(l.raw), Name: "Data"}, I: row.times(l.stride).add(l.offsets[b.Col]).expr()}
	}
	e.comment(fmt.Sprintf("∂²f/∂%s∂%s = %s", wi.Name, wj.Name, e.formula(b.Column)))
	if b.Column.Shape.IsScalar() {
		e.stmt(&plan.Set{To: at(constOffset(0)), Op: "=", Value: e.scalar(b.Column)})
		return
	}
	v := e.ensure(b.Column)
	e.stmt(forRange(e.i, l.sizes[b.Row].expr(), &plan.Set{To: at(valueOffset(ref(e.i))), Op: "=", Value: e.read(b.Column, v, ref(e.i), plan.IntLit(0))}))
}

// hessianTerm adds the term t, of coefficient alpha, to the block blk,
// size rows: a diagonal entry by entry, a plain product by its BLAS call
// with β = 1, anything else by the workspace's runtime.DiagProduct (named
// in *diag, added on first use).
func (e *function) hessianTerm(t derive.MapTerm, alpha expr, blk *val, size offset, diag *string) {
	if len(t.Left) == 0 && len(t.Right) == 0 {
		i, term := ref(e.i), alpha
		if t.Diag != nil {
			v := e.ensure(t.Diag)
			term = scaled(alpha, e.read(t.Diag, v, i, plan.IntLit(0)))
		}
		e.stmt(forRange(e.i, size.expr(), &plan.Set{To: plan.At{V: blk, I: i, J: i}, Op: "+=", Value: term}))
		return
	}
	if fs := append(append([]*derive.Node{}, t.Left...), t.Right...); t.Diag == nil && chainShape(fs).IsMatrix() {
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
		return
	}
	if *diag == "" {
		*diag = e.scope.fresh("diag")
		e.work = append(e.work, workField{*diag, jen.Qual(runtimePath, "DiagProduct")})
	}
	dvec := expr(plan.Composite{Type: plan.Qual{Path: blas64Path, Name: "Vector"}})
	if t.Diag != nil {
		dvec = ref(e.ensure(t.Diag))
	}
	update := func(method string, args ...expr) {
		e.stmt(&plan.Do{Call: plan.Method(e.workField(*diag), method, append([]expr{ref(blk)}, args...)...), Updates: []*val{blk}})
	}
	if t.Diag != nil && derive.Transposes(t.LeftProduct, t.RightProduct) {
		update("SandwichAdd", coefficient(alpha), e.asGeneralCode(t.RightProduct), dvec)
		return
	}
	left, transL := expr(plan.Qual{Path: runtimePath, Name: "Identity"}), false
	if l := t.LeftProduct; l != nil {
		// A transposed matrix is read with its transpose flag.
		if l.Op == derive.OpTranspose && l.Args[0].Shape.IsMatrix() {
			l, transL = l.Args[0], true
		}
		left = e.asGeneralCode(l)
	}
	right := expr(plan.Qual{Path: runtimePath, Name: "Identity"})
	if t.RightProduct != nil {
		right = e.asGeneralCode(t.RightProduct)
	}
	update("Add", coefficient(alpha), left, dvec, right, plan.Const{V: transL})
}

// blockDim is the size of a wrt input's block of the Hessian: its length,
// or 1 for a scalar.
func blockDim(w *derive.Input) derive.Dim {
	if w.Kind == spec.Vector {
		return w.Shape.Rows
	}
	return derive.Lit(1)
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
