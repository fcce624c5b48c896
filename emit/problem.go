package emit

import (
	"fmt"
	"go/scanner"
	"go/token"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

const optimizePath = "gonum.org/v1/gonum/optimize"

// problemNames returns the names of fn's gonum/optimize adapter and of its
// unpacking helper.
func problemNames(name string) (problem, unpack string) { return name + "Problem", name + "Unpack" }

// problem emits FProblem, an optimize.Problem over the wrt variables
// packed into one []float64 (in wrt order, matrices row-major), and
// FUnpack, which views such a slice as the variables.
type problem struct {
	fn            *derive.Function
	name, unpack  string
	fixed         []*derive.Input // the inputs not in wrt, in input order
	free          []derive.Dim    // dimensions no fixed input has: extra int parameters
	scope         *scope
	x, grad, size string
}

func emitProblem(f *jen.File, fn *derive.Function, top *scope) {
	p := &problem{fn: fn, scope: newScope(top)}
	p.name, p.unpack = problemNames(fn.Spec.Name)
	p.fixed, p.free = problemParams(fn)
	for _, in := range fn.Inputs {
		p.scope.reserve(in.Name)
	}
	for _, d := range fn.Dims {
		p.scope.reserve(d.Name)
	}
	p.x, p.grad, p.size = p.scope.fresh("x"), p.scope.fresh("grad"), p.scope.fresh("size")
	p.emitProblem(f)
	p.emitUnpack(f)
}

// problemParams returns what FProblem and FUnpack take: the inputs not in
// wrt, in input order, and the dimensions that only wrt inputs have.
func problemParams(fn *derive.Function) (fixed []*derive.Input, free []derive.Dim) {
	inWrt := map[string]bool{}
	for _, w := range fn.Wrt {
		inWrt[w.Name] = true
	}
	bound := map[derive.Dim]bool{}
	for _, in := range fn.Inputs {
		if !inWrt[in.Name] {
			fixed = append(fixed, in)
			bound[in.Shape.Rows], bound[in.Shape.Cols] = true, true
		}
	}
	for _, w := range fn.Wrt {
		for _, d := range []derive.Dim{w.Shape.Rows, w.Shape.Cols} {
			if d.Name != "" && !bound[d] {
				bound[d] = true
				free = append(free, d)
			}
		}
	}
	return fixed, free
}

// params returns the fixed inputs and free dimensions as parameters, and
// as arguments.
func (p *problem) params() (params, args []jen.Code) {
	for _, in := range p.fixed {
		params = append(params, jen.Id(in.Name).Add(typeOf(in.Kind)))
		args = append(args, jen.Id(in.Name))
	}
	for _, d := range p.free {
		params = append(params, jen.Id(d.Name).Int())
		args = append(args, jen.Id(d.Name))
	}
	return params, args
}

func (p *problem) wrtNames() []string {
	var names []string
	for _, w := range p.fn.Wrt {
		names = append(names, w.Name)
	}
	return names
}

func (p *problem) emitProblem(f *jen.File) {
	fn := p.fn
	params, args := p.params()
	vars := p.wrtNames()
	var fixedNames []string
	for _, in := range p.fixed {
		fixedNames = append(fixedNames, in.Name)
	}
	// Func: unpack x and call F; Grad: unpack x and grad and call FGrad.
	var callF, callGrad []jen.Code
	grads := make([]string, len(fn.Wrt))
	for k, w := range fn.Wrt {
		grads[k] = p.scope.fresh("d" + w.Name)
	}
	isWrt := map[string]int{}
	for k, w := range fn.Wrt {
		isWrt[w.Name] = k + 1
	}
	for _, in := range fn.Inputs {
		if isWrt[in.Name] > 0 && in.Kind == spec.Scalar {
			callF = append(callF, jen.Op("*").Id(in.Name))
			callGrad = append(callGrad, jen.Op("*").Id(in.Name))
		} else {
			callF = append(callF, jen.Id(in.Name))
			callGrad = append(callGrad, jen.Id(in.Name))
		}
	}
	for k := range fn.Wrt {
		callGrad = append(callGrad, jen.Id(grads[k]))
	}
	unpackX := append([]jen.Code{jen.Id(p.x)}, args...)
	unpackG := append([]jen.Code{jen.Id(p.grad)}, args...)
	// x is unpacked, and so checked, first: a grad whose length differs
	// from a right x's is then named as the culprit, not FUnpack's x.
	gradBody := []jen.Code{
		jen.List(idList(vars)...).Op(":=").Id(p.unpack).Call(unpackX...),
		jen.Qual(runtimePath, "CheckVector").Call(jen.Lit(p.name+".Grad"), jen.Lit(p.grad), jen.Len(jen.Id(p.grad)), jen.Len(jen.Id(p.x)), jen.Lit("len("+p.x+")")),
		jen.List(idList(grads)...).Op(":=").Id(p.unpack).Call(unpackG...),
		jen.Id(gradName(fn.Spec.Name)).Call(callGrad...),
	}
	var off offset
	for _, w := range fn.Wrt {
		size := p.sizeOf(w)
		if w.Kind == spec.Symmetric || w.Kind == spec.SPD {
			gradBody = append(gradBody, jen.Qual(runtimePath, "PackSymmetricGradient").Call(
				jen.Id(p.grad).Index(off.code().Op(":").Add(off.add(size).code())), p.dimExpr(w.Shape.Rows)))
		}
		off = off.add(size)
	}
	outer := p.bindRead(gradBody...)

	doc := p.name + " returns the problem of minimising " + fn.Spec.Name + " over " + strings.Join(vars, ", ")
	if len(fixedNames) > 0 {
		doc += " with " + strings.Join(fixedNames, ", ") + " fixed,"
	}
	doc += " for gonum/optimize. Its variable packs " + strings.Join(vars, ", ") + " into one []float64, in that order, matrices row-major; " + p.unpack + " views such a slice as the variables."
	if hasSymmetric(fn.Wrt) {
		doc += " A symmetric n×n variable takes n² entries of which only the upper triangle counts; Grad reports the derivative with respect to those entries."
	}
	if fn.Spec.Hessian && fn.DenseHessian {
		doc += " Hess fills the Hessian from " + roleName(fn.Spec.Name, roleHessian, 0) + ", so gonum's Newton method works."
	}
	if len(p.free) > 0 {
		doc += " Dimensions that no fixed input gives are parameters."
	}
	f.Line()
	comment(f, doc)
	fields := jen.Dict{
		jen.Id("Func"): jen.Func().Params(jen.Id(p.x).Index().Float64()).Float64().Block(
			jen.List(idList(vars)...).Op(":=").Id(p.unpack).Call(unpackX...),
			jen.Return(jen.Id(fn.Spec.Name).Call(callF...)),
		),
		jen.Id("Grad"): jen.Func().Params(jen.Id(p.grad), jen.Id(p.x).Index().Float64()).Block(gradBody...),
	}
	if hess := p.hess(callF, unpackX); hess != nil {
		fields[jen.Id("Hess")] = hess
	}
	f.Func().Id(p.name).Params(params...).Qual(optimizePath, "Problem").Block(append(outer,
		jen.Return(jen.Qual(optimizePath, "Problem").Values(fields)))...,
	)
}

// hess returns the Hess field of the problem: FHessian into a matrix
// kept between calls, copied into optimize's symmetric hess; nil when the
// function has no FHessian.
func (p *problem) hess(callF, unpackX []jen.Code) *jen.Statement {
	fn := p.fn
	if !fn.Spec.Hessian || !fn.DenseHessian {
		return nil
	}
	hess, dense, n := p.scope.fresh("hess"), p.scope.fresh("dense"), p.scope.fresh("n")
	call := append(append([]jen.Code{}, callF...), jen.Id(dense))
	return jen.Func().Params(jen.Id(hess).Op("*").Qual(matPath, "SymDense"), jen.Id(p.x).Index().Float64()).Block(
		jen.List(idList(p.wrtNames())...).Op(":=").Id(p.unpack).Call(unpackX...),
		jen.Id(n).Op(":=").Len(jen.Id(p.x)),
		jen.Qual(runtimePath, "DestSymmetric").Call(jen.Lit(p.name+".Hess"), jen.Lit(hess), jen.Id(hess), jen.Id(n), jen.Lit("len("+p.x+")")),
		jen.Id(dense).Op(":=").Qual(matPath, "NewDense").Call(jen.Id(n), jen.Id(n), jen.Nil()),
		jen.Id(roleName(fn.Spec.Name, roleHessian, 0)).Call(call...),
		jen.Qual(runtimePath, "UpperTo").Call(jen.Id(hess).Dot("RawSymmetric").Call(), jen.Id(dense).Dot("RawMatrix").Call()),
	)
}

// offset is a position in packed storage: a constant plus symbolic terms
// (sizes, indices, products of them), none of them a sum, each with a
// count. It prints itself: the terms joined by +, a repeated term once
// with its count (3*m, not m+m+m, so that the offsets of k inputs stay
// O(1) long each when their sizes repeat), the constants folded into one,
// and a sum that is multiplied parenthesised, so no caller places
// parentheses.
type offset struct {
	konst int
	terms []offsetTerm
}

// reads returns the expressions of a plan o's terms are made of.
func (o offset) reads() []expr {
	var out []expr
	for _, t := range o.terms {
		out = append(out, t.reads...)
	}
	return out
}

// expr returns o as an expression of a plan.
func (o offset) expr() expr { return plan.Spelt{X: o.code(), Reads: o.reads()} }

// offsetTerm is count times the symbolic term code; its Go text tells
// repeated terms apart.
type offsetTerm struct {
	code  jen.Code
	text  *termText // shared by the copies of the term
	count int
	reads []expr // the expressions of a plan code is made of
}

// termText is the Go text of a term, printed when first asked for: most
// terms are factors of a product or stand alone, never compared (printing
// every term, formatted, was 6 % of generating 100 functions, pprof).
type termText struct {
	printed bool
	text    string
}

// key returns t's Go text.
func (t offsetTerm) key() string {
	if !t.text.printed {
		t.text.text, t.text.printed = rawText(t.code), true
	}
	return t.text.text
}

// constOffset is the constant offset k.
func constOffset(k int) offset { return offset{konst: k} }

// termOffset is the offset of one symbolic term t, which must not be a
// sum, and which is made of the expressions of a plan reads.
func termOffset(t jen.Code, reads ...expr) offset {
	return offset{terms: []offsetTerm{{code: t, text: new(termText), count: 1, reads: reads}}}
}

// valueOffset is the offset of a value of a plan (a dimension, an index).
func valueOffset(x expr) offset { return termOffset(x.Code(), x) }

// dimOffset is the size of the dimension d, spelled by name for a named one.
func dimOffset(d derive.Dim, name func(derive.Dim) jen.Code) offset {
	if d.Name == "" {
		return constOffset(d.Size)
	}
	return termOffset(name(d))
}

// isConst reports whether o has no symbolic terms.
func (o offset) isConst() bool { return len(o.terms) == 0 }

// add returns o + p, a term both have once with the sum of their counts.
func (o offset) add(p offset) offset {
	sum := offset{konst: o.konst + p.konst, terms: append([]offsetTerm{}, o.terms...)}
	for _, t := range p.terms {
		if k := slices.IndexFunc(sum.terms, func(u offsetTerm) bool { return u.key() == t.key() }); k >= 0 {
			sum.terms[k].count += t.count
		} else {
			sum.terms = append(sum.terms, t)
		}
	}
	return sum
}

// times returns o·p: constants multiplied out, a factor of 1 dropped, and
// each factor that is a sum parenthesised.
func (o offset) times(p offset) offset {
	switch {
	case o.isConst() && p.isConst():
		return constOffset(o.konst * p.konst)
	case o.isConst() && o.konst == 0 || p.isConst() && p.konst == 0:
		return constOffset(0)
	case o.isConst() && o.konst == 1:
		return p
	case p.isConst() && p.konst == 1:
		return o
	}
	return termOffset(jen.Add(o.factor()).Op("*").Add(p.factor()), append(o.reads(), p.reads()...)...)
}

// factor returns o as an operand of a product: parenthesised when a sum.
func (o offset) factor() *jen.Statement {
	if len(o.terms)+min(o.konst, 1) > 1 {
		return jen.Parens(o.code())
	}
	return o.code()
}

// code returns o as a Go expression: its terms, then its constant, which
// is left out when zero.
func (o offset) code() *jen.Statement {
	if o.isConst() {
		return jen.Lit(o.konst)
	}
	s := o.terms[0].expr()
	for _, t := range o.terms[1:] {
		s = s.Op("+").Add(t.expr())
	}
	if o.konst != 0 {
		s = s.Op("+").Lit(o.konst)
	}
	return s
}

// expr returns t as a Go expression: count*code for a repeated term.
func (t offsetTerm) expr() *jen.Statement {
	if t.count == 1 {
		return jen.Add(t.code)
	}
	return jen.Lit(t.count).Op("*").Add(t.code)
}

// comment writes text as a doc comment wrapped at 80 columns.
func comment(f *jen.File, text string) {
	fileComment(f, wrap(text, 77)...)
}

// wrap breaks text into lines of at most width bytes at spaces; a word
// longer than width gets a line of its own. Blank text is one empty line.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// bindRead returns statements binding each dimension that code reads,
// from the first fixed input that has it: a dimension is bound where it
// is read, and only there.
func (p *problem) bindRead(code ...jen.Code) []jen.Code {
	need := map[derive.Dim]bool{}
	for _, ids := range statementReads(code...) {
		for _, id := range ids {
			for _, d := range p.fn.Dims {
				if d.Name == id {
					need[d] = true
				}
			}
		}
	}
	for _, d := range p.free {
		delete(need, d)
	}
	var body []jen.Code
	for _, in := range p.fixed {
		switch in.Kind {
		case spec.Vector, spec.Symmetric, spec.SPD:
			if d := in.Shape.Rows; need[d] {
				get := "Len"
				if in.Kind != spec.Vector {
					get = "SymmetricDim"
				}
				body = append(body, jen.Id(d.Name).Op(":=").Id(in.Name).Dot(get).Call())
				delete(need, d)
			}
		case spec.Matrix:
			r, c := in.Shape.Rows, in.Shape.Cols
			rn, cn := "_", "_"
			if need[r] {
				rn = r.Name
				delete(need, r)
			}
			if need[c] && c != r {
				cn = c.Name
				delete(need, c)
			}
			if rn != "_" || cn != "_" {
				body = append(body, jen.List(jen.Id(rn), jen.Id(cn)).Op(":=").Id(in.Name).Dot("Dims").Call())
			}
		}
	}
	return body
}

// source names where FUnpack reads the dimension d: the first fixed input
// that has it (as bindRead binds it), or the int parameter d itself.
func (p *problem) source(d derive.Dim) string {
	for _, in := range p.fixed {
		if in.Shape.Rows == d || (in.Kind == spec.Matrix && in.Shape.Cols == d) {
			return in.Name
		}
	}
	return d.Name
}

func idList(names []string) []jen.Code {
	out := make([]jen.Code, len(names))
	for i, n := range names {
		out[i] = jen.Id(n)
	}
	return out
}

// dimExpr is the Go expression of a dimension inside FUnpack and the
// closures of FProblem: bound variables there share the dimension's name.
func (p *problem) dimExpr(d derive.Dim) jen.Code {
	if d.Name == "" {
		return jen.Lit(d.Size)
	}
	return jen.Id(d.Name)
}

// sizeOf is the number of packed entries of a wrt variable.
func (p *problem) sizeOf(w *derive.Input) offset {
	switch w.Kind {
	case spec.Scalar:
		return constOffset(1)
	case spec.Vector:
		return dimOffset(w.Shape.Rows, p.dimExpr)
	}
	return dimOffset(w.Shape.Rows, p.dimExpr).times(dimOffset(w.Shape.Cols, p.dimExpr))
}

func (p *problem) emitUnpack(f *jen.File) {
	fn := p.fn
	params, _ := p.params()
	params = append([]jen.Code{jen.Id(p.x).Index().Float64()}, params...)
	var results []jen.Code
	for _, w := range fn.Wrt {
		t := typeOf(w.Kind)
		if w.Kind == spec.Scalar {
			t = jen.Op("*").Float64()
		}
		results = append(results, jen.Id(w.Name).Add(t))
	}
	shapes := []jen.Code{jen.Lit(p.unpack), jen.Id(p.x)}
	for _, w := range fn.Wrt {
		rows, cols := constOffset(1), constOffset(1)
		if w.Kind != spec.Scalar {
			rows = dimOffset(w.Shape.Rows, p.dimExpr)
		}
		if w.Kind != spec.Scalar && w.Kind != spec.Vector {
			cols = dimOffset(w.Shape.Cols, p.dimExpr)
		}
		shapes = append(shapes, rows.code(), cols.code())
	}
	var body []jen.Code
	checked := map[derive.Dim]bool{}
	for _, w := range fn.Wrt {
		for _, d := range []derive.Dim{w.Shape.Rows, w.Shape.Cols} {
			if d.Name != "" && !checked[d] {
				checked[d] = true
				body = append(body, jen.Qual(runtimePath, "CheckDim").Call(jen.Lit(p.unpack), jen.Lit(p.source(d)), jen.Id(d.Name), jen.Lit(d.Name)))
			}
		}
	}
	body = append(body, jen.Qual(runtimePath, "CheckPacked").Call(shapes...))
	var off offset
	for _, w := range fn.Wrt {
		size := p.sizeOf(w)
		end := off.add(size).code()
		slice := jen.Id(p.x).Index(off.code().Op(":").Add(end).Op(":").Add(end))
		var view jen.Code
		switch w.Kind {
		case spec.Scalar:
			view = jen.Op("&").Id(p.x).Index(off.code())
		case spec.Vector:
			view = jen.Qual(matPath, "NewVecDense").Call(p.dimExpr(w.Shape.Rows), slice)
		case spec.Matrix:
			view = jen.Qual(matPath, "NewDense").Call(p.dimExpr(w.Shape.Rows), p.dimExpr(w.Shape.Cols), slice)
		default:
			view = jen.Qual(matPath, "NewSymDense").Call(p.dimExpr(w.Shape.Rows), slice)
		}
		body = append(body, jen.Id(w.Name).Op("=").Add(view))
		off = off.add(size)
	}
	body = append(append(p.bindRead(body...), body...), jen.Return())
	f.Line()
	comment(f, p.unpack+" returns views of x as "+fn.Spec.Name+"'s variables "+strings.Join(p.wrtNames(), ", ")+
		", packed as "+p.name+" packs them; the fixed inputs give their shapes. The views share x's memory. It panics if x has the wrong length.")
	f.Func().Id(p.unpack).Params(params...).Params(results...).Block(body...)
}

// rawText returns the Go text jennifer writes for code, unformatted: for
// comparing and scanning, never for output. jennifer's own printing of a
// statement (GoString) is a go/format pass, parse and print, each time:
// in statementReads and offsetTerm.key it took 9 % of the CPU of
// generating 100 functions (pprof), twice this way's.
func rawText(code jen.Code) string {
	f := jen.NewFile("p")
	f.NoFormat = true
	f.Comment(rawTextMarker)
	f.Add(code)
	var b strings.Builder
	if err := f.Render(&b); err != nil {
		panic(planError{"the generated code", fmt.Errorf("jennifer renders it (%v)", err)})
	}
	text := b.String()
	return text[strings.Index(text, "// "+rawTextMarker)+len("// "+rawTextMarker):]
}

// rawTextMarker is the comment rawText puts before its code, after
// jennifer's package clause and imports.
const rawTextMarker = "gradgen: code"

// statementMarker is the comment statementReads puts before each statement.
const statementMarker = "gradgen: statement"

// statementReads returns, for each Go statement, the identifiers it reads,
// once per occurrence, field and method names after a dot left out. The
// statements are rendered together (one formatting pass), each after a
// marker comment.
func statementReads(stmts ...jen.Code) [][]string {
	block := make([]jen.Code, 0, 2*len(stmts))
	for _, s := range stmts {
		block = append(block, jen.Comment(statementMarker), s)
	}
	src := []byte(rawText(jen.Func().Id("_").Params().Block(block...)))
	var sc scanner.Scanner
	sc.Init(token.NewFileSet().AddFile("", -1, len(src)), src, nil, scanner.ScanComments)
	reads := make([][]string, len(stmts))
	k, prev := -1, token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		switch {
		case tok == token.EOF:
			return reads
		case tok == token.COMMENT && lit == "// "+statementMarker:
			k++
		case tok == token.IDENT && prev != token.PERIOD && k >= 0:
			reads[k] = append(reads[k], lit)
		}
		if tok != token.COMMENT {
			prev = tok
		}
	}
}
