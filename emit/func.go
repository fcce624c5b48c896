package emit

import (
	"fmt"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// val is a value computed in the generated function: a float64 local, a
// blas64.Vector or a blas64.General.
type val struct {
	name       string
	contiguous bool // a workspace buffer: unit increment, stride = columns
	sym        bool // a blas64.Symmetric view of a symmetric input (upper triangle)
}

func (v *val) id() *jen.Statement { return jen.Id(v.name) }

// role is what a generated function computes.
type role int

// The generated functions of a spec function F.
const (
	roleValue    role = iota // F: f, returned or written into dst
	roleGrad                 // FGrad: f and its gradients
	roleDeriv                // FDeriv, FDeriv2, …: dᵏf/dtᵏ
	roleJVP                  // FJVP: Σ Df[dWᵢ]
	roleHessVec              // FHessVec: the Hessian-vector product
	roleJacobian             // FJacobian: DF/DWᵢ in the block layout
	roleHessian              // FHessian: the dense Hessian
)

// output is a destination a generated function writes: node, into the
// parameter param, which has the kind and shape of to (a wrt input for
// gradients, f's own for values).
type output struct {
	to    *derive.Input
	node  *derive.Node
	param string
}

// function emits one generated Go function.
type function struct {
	fn    *derive.Function
	role  role
	order int // roleDeriv: k of dᵏf/dtᵏ
	name  string
	scope *scope

	ins  []*derive.Input // the inputs, then any directions
	outs []output        // the destinations written
	ret  *derive.Node    // the scalar returned; nil for none
	// extra are further nodes the function computes (FJacobian's and
	// FHessian's structured terms), for counting uses.
	extra []*derive.Node

	body   []jen.Code
	decls  map[jen.Code]*declaration // the statements of body (and of the shape checks) that only declare
	uses   map[*derive.Node]int
	vals   map[*derive.Node]*val
	dims   map[derive.Dim]jen.Code
	used   map[derive.Dim]bool          // dimensions the generated code reads
	binder map[derive.Dim]*derive.Input // the input each dimension is read from
	work   []workField
	gemm   string // the workspace's runtime.Gemm field, once a product needs it
	facts  map[*derive.Node]*factor
	fulls  map[*derive.Node]*val // symmetric inputs expanded to general matrices

	top    *scope // package-level names
	wsName string
	i, j   string // loop variables
	// Tiled loops: their variables (named on first use), and, while a
	// matrix loop body is built, its column index and whether the body
	// reads a stored matrix transposed.
	ti, tj, tiEnd, tjEnd string
	loopJ                expr
	transposed           bool
	pending              *pendingLoop // the loop just emitted, which the next may join
	pre                  []jen.Code   // statements the loop body being built runs first in each iteration
	legal                legality     // what loop bodies read, sum and fill, for the fusion rules (legality.go)
}

// workField is a field of the function's pooled workspace.
type workField struct {
	name string
	typ  jen.Code
}

// factor is a factorisation of a square operand, kept in the workspace.
type factor struct {
	field string
	spd   bool
}

func newFunc(fn *derive.Function, r role, order int, top *scope) *function {
	e := &function{fn: fn, role: r, order: order, scope: newScope(top), vals: map[*derive.Node]*val{},
		dims: map[derive.Dim]jen.Code{}, used: map[derive.Dim]bool{}, binder: map[derive.Dim]*derive.Input{}, facts: map[*derive.Node]*factor{}, fulls: map[*derive.Node]*val{},
		decls: map[jen.Code]*declaration{}}
	e.name = roleName(fn.Spec.Name, r, order)
	e.ins = append(e.ins, fn.Inputs...)
	switch r {
	case roleJVP:
		e.ins = append(e.ins, fn.JVPDirs...)
	case roleHessVec:
		e.ins = append(e.ins, fn.HessDirs...)
	}
	for _, in := range e.ins {
		e.scope.reserve(in.Name)
	}
	for _, d := range fn.Dims {
		e.scope.reserve(d.Name)
	}
	scalar := fn.Value.Shape.IsScalar()
	value := func(n *derive.Node) {
		if scalar {
			e.ret = n
			return
		}
		e.outs = append(e.outs, output{valueInput(fn), n, e.scope.fresh("dst")})
	}
	wrt := func(prefix string, nodes []*derive.Node) {
		for k, w := range fn.Wrt {
			e.outs = append(e.outs, output{w, nodes[k], e.scope.fresh(prefix + w.Name)})
		}
	}
	switch r {
	case roleValue:
		value(fn.Value)
	case roleGrad:
		e.ret = fn.Value
		wrt("d", fn.Grads)
	case roleDeriv:
		value(fn.Derivs[order-1])
	case roleJVP:
		value(fn.JVP)
	case roleHessVec:
		wrt("h", fn.HessVec)
	}
	e.top = top
	e.wsName = e.scope.fresh("ws")
	e.i, e.j = e.scope.fresh("i"), e.scope.fresh("j")
	return e
}

// valueInput describes f's value as a destination: a vector for a column,
// a matrix otherwise.
func valueInput(fn *derive.Function) *derive.Input {
	kind := spec.Matrix
	if fn.Value.Shape.IsCol() {
		kind = spec.Vector
	}
	return &derive.Input{Name: fn.Spec.Name, Kind: kind, Shape: fn.Value.Shape}
}

// eulerDegree returns d when FGrad should read f off its gradients by
// Euler's theorem, f = (1/d) Σ ⟨∂f/∂w, w⟩: f is homogeneous of degree
// d ≠ 0 in the wrt inputs together, and computing f directly would form a
// matrix product that no gradient needs. It returns 0 otherwise.
func (e *function) eulerDegree() int {
	fn := e.fn
	if e.role != roleGrad {
		return 0
	}
	var vars []*derive.Node
	for k, w := range fn.Wrt {
		if fn.Grads[k] == nil {
			return 0
		}
		vars = append(vars, w.Node)
	}
	d, ok := derive.Degree(fn.Value, vars)
	if !ok || d == 0 {
		return 0
	}
	needed := map[*derive.Node]bool{}
	for _, n := range derive.Postorder(fn.Grads...) {
		needed[n] = true
	}
	for _, n := range derive.Postorder(fn.Value) {
		if !needed[n] && n.Op == derive.OpMul && n.Shape.IsMatrix() {
			return d
		}
	}
	return 0
}

// valueByEuler writes the gradients, then f = (1/d) Σ ⟨∂f/∂w, w⟩ from
// them, and returns the local holding f.
func (e *function) valueByEuler(d int) string {
	fn := e.fn
	// Count uses as if f were not computed: it is not.
	e.uses = map[*derive.Node]int{}
	for _, n := range derive.Postorder(fn.Grads...) {
		for _, a := range n.Args {
			e.uses[a]++
		}
	}
	for _, g := range fn.Grads {
		e.uses[g]++
	}
	for _, o := range e.outs {
		e.writeGradient(o.to, o.node, o.param)
	}
	var sum expr
	for k, w := range fn.Wrt {
		g := jen.Id(e.outs[k].param)
		x := jen.Id(w.Name)
		var dot expr
		switch {
		case w.Kind == spec.Scalar:
			dot = mul(deref{ident(e.outs[k].param)}, ident(w.Name))
		case w.Shape.IsScalar():
			dot = mul(e.scalar(w.Node), atom{gradEntry(w, g)})
		case w.Kind == spec.Vector:
			dot = atom{jen.Qual(blas64Path, "Dot").Call(g.Clone().Dot("RawVector").Call(), x.Clone().Dot("RawVector").Call())}
		case w.Kind == spec.Matrix:
			dot = atom{jen.Qual(runtimePath, "MatrixDot").Call(g.Clone().Dot("RawMatrix").Call(), x.Clone().Dot("RawMatrix").Call())}
		default:
			dot = atom{jen.Qual(runtimePath, "SymmetricDot").Call(g.Clone().Dot("RawSymmetric").Call(), x.Clone().Dot("RawSymmetric").Call())}
		}
		if sum == nil {
			sum = dot
		} else {
			sum = add(sum, dot)
		}
	}
	f := e.scope.fresh("f")
	e.comment(fmt.Sprintf("f is homogeneous of degree %d in %s: by Euler's theorem f = Σ ⟨∂f/∂w, w⟩ / %d.", d, strings.Join(wrtNames(fn), ", "), d))
	if d != 1 {
		sum = div(sum, literal(float64(d)))
	}
	e.stmt(jen.Id(f).Op(":=").Add(sum.code()))
	return f
}

func wrtNames(fn *derive.Function) []string {
	var names []string
	for _, w := range fn.Wrt {
		names = append(names, w.Name)
	}
	return names
}

// gradEntry reads the one entry of the gradient destination of a 1×1
// vector or matrix input.
func gradEntry(w *derive.Input, g *jen.Statement) jen.Code {
	if w.Kind == spec.Vector {
		return g.Clone().Dot("AtVec").Call(jen.Lit(0))
	}
	return g.Clone().Dot("At").Call(jen.Lit(0), jen.Lit(0))
}

func (e *function) roots() []*derive.Node {
	var roots []*derive.Node
	if e.ret != nil {
		roots = append(roots, e.ret)
	}
	for _, o := range e.outs {
		roots = append(roots, o.node)
	}
	for _, n := range e.extra {
		if n != nil {
			roots = append(roots, n)
		}
	}
	return roots
}

func (e *function) countUses() {
	e.uses = map[*derive.Node]int{}
	for _, n := range derive.Postorder(e.roots()...) {
		for _, a := range n.Args {
			e.uses[a]++
		}
	}
	for _, r := range e.roots() {
		if r != nil {
			e.uses[r]++
		}
	}
}

func (e *function) stmt(c jen.Code) { e.body = append(e.body, c) }

// declaration is a statement names := value whose value has no effect but
// to be the value (a view of an input, a workspace buffer, a block of H, a
// scalar): the rule that a declared name is used is kept where such
// statements are declared, by dropUnread.
type declaration struct {
	names []string
	value jen.Code
}

// declaration returns the statement names := value and records it as a
// declaration.
func (e *function) declaration(value jen.Code, names ...string) jen.Code {
	s := jen.List(idList(names)...).Op(":=").Add(value)
	e.decls[s] = &declaration{names: names, value: value}
	return s
}

// declare emits names := value as a declaration.
func (e *function) declare(value jen.Code, names ...string) { e.stmt(e.declaration(value, names...)) }

// dropUnread returns body without the declarations none of whose names a
// statement reads, dropped until none is left (a dropped view may leave
// the dimension it read unread), and with each name no statement reads in
// a kept declaration spelled _.
func (e *function) dropUnread(body []jen.Code) []jen.Code {
	read := make([]jen.Code, len(body)) // what each statement reads
	for k, s := range body {
		read[k] = s
		if d := e.decls[s]; d != nil {
			read[k] = jen.Id("_").Op("=").Add(d.value)
		}
	}
	reads := statementReads(read...)
	count := map[string]int{}
	for _, ids := range reads {
		for _, id := range ids {
			count[id]++
		}
	}
	dropped := make([]bool, len(body))
	for changed := true; changed; {
		changed = false
		for k, s := range body {
			d := e.decls[s]
			if d == nil || dropped[k] || slices.ContainsFunc(d.names, func(n string) bool { return count[n] > 0 }) {
				continue
			}
			dropped[k], changed = true, true
			for _, id := range reads[k] {
				count[id]--
			}
		}
	}
	var out []jen.Code
	for k, s := range body {
		d := e.decls[s]
		switch {
		case dropped[k]:
			continue
		case d != nil && slices.ContainsFunc(d.names, func(n string) bool { return count[n] == 0 }):
			names := make([]string, len(d.names))
			for i, n := range d.names {
				names[i] = n
				if count[n] == 0 {
					names[i] = "_"
				}
			}
			s = jen.List(idList(names)...).Op(":=").Add(d.value)
		}
		out = append(out, s)
	}
	return out
}

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
	src := []byte(jen.Func().Id("_").Params().Block(block...).GoString())
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

func (e *function) comment(text string) { e.stmt(commentLine(text)) }

// typeOf returns the Go parameter type of an input kind.
func typeOf(k spec.TypeKind) jen.Code {
	switch k {
	case spec.Vector:
		return jen.Op("*").Qual(matPath, "VecDense")
	case spec.Matrix:
		return jen.Op("*").Qual(matPath, "Dense")
	case spec.Symmetric, spec.SPD:
		return jen.Op("*").Qual(matPath, "SymDense")
	}
	return jen.Float64()
}

func (e *function) emit(f *jen.File) {
	switch e.role {
	case roleJacobian:
		e.emitJacobian(f)
		return
	case roleHessian:
		e.emitHessian(f)
		return
	}
	e.countUses()
	params, names := e.params()
	e.planDims()
	e.checkAliases()
	aliasChecks := len(e.body)
	var result jen.Code
	if d := e.eulerDegree(); d != 0 {
		result = jen.Id(e.valueByEuler(d))
	} else if p := e.panels(); p != nil {
		result = e.emitPanels(p)
	} else {
		if e.ret != nil {
			value := e.scalar(e.ret)
			if v, ok := e.vals[e.ret]; ok {
				result = v.id()
			} else {
				name := e.scope.fresh("f")
				e.stmt(jen.Id(name).Op(":=").Add(value.code()))
				result = jen.Id(name)
			}
		} else if e.returns() {
			result = jen.Lit(0.0)
		}
		for _, o := range e.outs {
			e.writeGradient(o.to, o.node, o.param)
		}
	}
	if result != nil {
		e.stmt(jen.Return(result))
	}
	e.checkDeclaredUsed()
	e.finish(f, params, names, aliasChecks)
}

// returns reports whether the function returns a float64: F, FGrad and
// FDeriv… of a scalar f.
func (e *function) returns() bool {
	return e.fn.Value.Shape.IsScalar() && (e.role == roleValue || e.role == roleGrad || e.role == roleDeriv)
}

// params returns the parameters, the inputs (and directions) then the
// destinations, and the names of the inputs.
func (e *function) params() ([]jen.Code, []string) {
	var params []jen.Code
	var names []string
	for _, in := range e.ins {
		params = append(params, jen.Id(in.Name).Add(typeOf(in.Kind)))
		names = append(names, in.Name)
	}
	for _, o := range e.outs {
		t := typeOf(o.to.Kind)
		if o.to.Kind == spec.Scalar {
			t = jen.Op("*").Float64()
		}
		params = append(params, jen.Id(o.param).Add(t))
	}
	return params, names
}

// finish assembles the function: shape checks, alias checks, workspace,
// body, under its doc comment.
func (e *function) finish(f *jen.File, params []jen.Code, names []string, aliasChecks int) {
	body := e.assemble(f, nil, aliasChecks)
	f.Line()
	fileComment(f, e.doc(names)...)
	sig := f.Func().Id(e.name).Params(params...)
	if e.returns() {
		sig.Float64()
	}
	sig.Block(body...)
}

// doc returns the doc comment: what the function computes, the spec's doc,
// and the formulas.
func (e *function) doc(names []string) []string {
	fn := e.fn
	var lines []string
	call := fn.Spec.Name + "(" + strings.Join(names[:len(fn.Inputs)], ", ") + ")"
	var params []string
	for _, o := range e.outs {
		params = append(params, o.param)
	}
	dirs := strings.Join(names[len(fn.Inputs):], ", ")
	switch e.role {
	case roleValue:
		if e.returns() {
			lines = append(lines, e.name+" returns f = "+call+".")
		} else {
			lines = append(lines, e.name+" writes f = "+call+" into "+params[0]+", overwriting it.")
		}
	case roleGrad:
		var ds []string
		for _, w := range fn.Wrt {
			ds = append(ds, "∂f/∂"+w.Name)
		}
		lines = append(lines, e.name+" returns f = "+call+" and writes "+strings.Join(ds, ", ")+" into "+strings.Join(params, ", ")+",")
		lines = append(lines, "overwriting them; each has the shape of its input (denominator layout).")
	case roleDeriv:
		what := derivName(fn.Wrt[0].Name, e.order)
		if e.returns() {
			lines = append(lines, e.name+" returns "+what+" of f = "+call+".")
		} else {
			lines = append(lines, e.name+" writes "+what+" of f = "+call+" into "+params[0]+",")
			lines = append(lines, "overwriting it; it has the shape of f.")
		}
	case roleJVP:
		lines = append(lines, e.name+" writes the directional derivative of f = "+call+" in the")
		lines = append(lines, "directions "+dirs+" into "+params[0]+" (Σ Df["+dirs+"], no Jacobian formed), overwriting it.")
	case roleHessVec:
		lines = append(lines, e.name+" writes the Hessian-vector product of f = "+call+",")
		lines = append(lines, "the derivative of its gradient in the directions "+dirs+", into "+strings.Join(params, ", ")+",")
		lines = append(lines, "overwriting them (forward over reverse; no Hessian is formed).")
	}
	lines = append(lines, specDoc(fn)...)
	doc := newDocFormulas(fn)
	doc.show("f", fn.Value)
	doc.lets()
	switch e.role {
	case roleGrad:
		for k, w := range fn.Wrt {
			doc.show("∂f/∂"+w.Name, fn.Grads[k])
		}
	case roleDeriv:
		for k := 1; k <= e.order; k++ {
			doc.show(derivName(fn.Wrt[0].Name, k), fn.Derivs[k-1])
		}
	case roleJVP:
		doc.show("df", fn.JVP)
	case roleHessVec:
		for k, w := range fn.Wrt {
			doc.show("d(∂f/∂"+w.Name+")", fn.HessVec[k])
		}
	}
	lines = append(lines, "")
	lines = append(lines, doc.finish()...)
	if e.role == roleGrad && hasSymmetric(fn.Wrt) {
		lines = append(lines, "", "Gradients of symmetric inputs are the symmetric gradients (G + G')/2.")
	}
	panics := "It panics if the shapes disagree"
	if len(e.outs) > 0 {
		panics += " or a destination shares memory with an input"
	}
	lines = append(lines, "", panics+".")
	return lines
}

// derivName is df/dt, d²f/dt², … for order k.
func derivName(t string, k int) string { return derive.DerivativeLabel(derive.Plain, t, k) }

// assemble returns the function body: the shape checks, then checks (the
// shape checks of destinations built by hand), the alias checks (the first
// aliasChecks statements emitted), the workspace, and the rest.
func (e *function) assemble(f *jen.File, checks []jen.Code, aliasChecks int) []jen.Code {
	body := append(e.checkShapes(), checks...)
	body = append(body, e.body[:aliasChecks]...)
	if len(e.work) > 0 {
		body = append(body, e.workspace(f)...)
	}
	return e.dropUnread(append(body, e.body[aliasChecks:]...))
}

// docFormulas is the formula block of a doc comment: one line per formula,
// the lets, and the shared subexpressions they name (derive.Listing), each
// tab-indented so godoc shows them as code.
type docFormulas struct {
	fn    *derive.Function
	l     *derive.Listing
	lines []string
}

func newDocFormulas(fn *derive.Function) *docFormulas {
	return &docFormulas{fn: fn, l: derive.NewFunctionListing(fn, derive.Plain)}
}

// show adds the line "label = n".
func (d *docFormulas) show(label string, n *derive.Node) {
	d.lines = append(d.lines, "\t"+label+" = "+d.l.Format(n))
}

// line adds a line of its own.
func (d *docFormulas) line(s string) { d.lines = append(d.lines, s) }

// lets adds the definition of each let, in spec order.
func (d *docFormulas) lets() {
	for _, let := range d.fn.Spec.Lets {
		for n, name := range d.fn.Names {
			if name == let.Name {
				d.lines = append(d.lines, "\t"+name+" = "+d.l.Spell(n))
			}
		}
	}
}

// finish returns the lines, the shared subexpressions' definitions last.
func (d *docFormulas) finish() []string {
	for _, def := range d.l.Definitions() {
		d.lines = append(d.lines, "\t"+def.Name+" = "+def.Text)
	}
	return d.lines
}

// specDoc returns the spec's doc text as comment lines, after a blank line;
// nothing when there is none.
func specDoc(fn *derive.Function) []string {
	if fn.Spec.Doc == "" {
		return nil
	}
	lines := []string{""}
	for _, l := range strings.Split(strings.TrimRight(fn.Spec.Doc, "\n"), "\n") {
		lines = append(lines, wrap(l, 77)...)
	}
	return lines
}

func without(names map[*derive.Node]string, n *derive.Node) map[*derive.Node]string {
	out := make(map[*derive.Node]string, len(names))
	for k, v := range names {
		if k != n {
			out[k] = v
		}
	}
	return out
}

func hasSymmetric(ins []*derive.Input) bool {
	for _, in := range ins {
		if in.Kind == spec.Symmetric || in.Kind == spec.SPD {
			return true
		}
	}
	return false
}

// workspace declares the pooled workspace type and returns the statements
// that take one from the pool for the call.
func (e *function) workspace(f *jen.File) []jen.Code {
	typ := e.top.fresh(lowerFirst(e.name)+"Work", e.scope)
	pool := e.top.fresh(lowerFirst(e.name)+"Pool", e.scope)
	fields := make([]jen.Code, len(e.work))
	for k, w := range e.work {
		fields[k] = jen.Id(w.name).Add(w.typ)
	}
	f.Line()
	fileComment(f, fmt.Sprintf("%s holds %s's scratch space, reused across calls through %s.", typ, e.name, pool))
	f.Type().Id(typ).Struct(fields...)
	f.Line()
	f.Var().Id(pool).Op("=").Qual(syncPath, "Pool").Values(jen.Dict{
		jen.Id("New"): jen.Func().Params().Any().Block(jen.Return(jen.New(jen.Id(typ)))),
	})
	return []jen.Code{
		jen.Id(e.wsName).Op(":=").Id(pool).Dot("Get").Call().Assert(jen.Op("*").Id(typ)),
		jen.Defer().Id(pool).Dot("Put").Call(jen.Id(e.wsName)),
	}
}

// lowerFirst lowers the leading capital, or the leading run of capitals of
// an initialism as Go spells it: Bilinear → bilinear, NLL → nll,
// NLLGrad → nllGrad, HTTPServer → httpServer.
func lowerFirst(s string) string {
	r := []rune(s)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	if n > 1 && n < len(r) {
		n-- // the last capital starts the next word
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// dim returns the Go expression of a dimension's size.
func (e *function) dim(d derive.Dim) jen.Code {
	if d.Name == "" {
		return jen.Lit(d.Size)
	}
	e.used[d] = true
	return e.dims[d]
}

// planDims names the variable of every named dimension, bound from the
// first input that has it. Statements come later, from checkShapes, once
// the body shows which dimensions it uses.
func (e *function) planDims() {
	for _, in := range e.ins {
		for _, d := range []derive.Dim{in.Shape.Rows, in.Shape.Cols} {
			if _, bound := e.dims[d]; !bound && d.Name != "" {
				e.dims[d] = jen.Id(d.Name)
				e.binder[d] = in
			}
		}
	}
}

// checkShapes returns the statements that bind the dimensions the
// function uses and check every input and gradient destination against
// them.
func (e *function) checkShapes() []jen.Code {
	lit := func(d derive.Dim) jen.Code { return jen.Lit(d.String()) }
	// Gradient checks first: they decide which bindings are used.
	var grads []jen.Code
	for _, o := range e.outs {
		w, d := o.to, o.param
		switch w.Kind {
		case spec.Vector:
			grads = append(grads, jen.Qual(runtimePath, "CheckVector").Call(jen.Lit(e.name), jen.Lit(d), jen.Id(d).Dot("Len").Call(), e.dim(w.Shape.Rows), lit(w.Shape.Rows)))
		case spec.Symmetric, spec.SPD:
			grads = append(grads, jen.Qual(runtimePath, "CheckSymmetric").Call(jen.Lit(e.name), jen.Lit(d), jen.Id(d).Dot("SymmetricDim").Call(), e.dim(w.Shape.Rows), lit(w.Shape.Rows)))
		case spec.Matrix:
			rows, cols := e.scope.fresh(d+"Rows"), e.scope.fresh(d+"Cols")
			grads = append(grads, jen.List(jen.Id(rows), jen.Id(cols)).Op(":=").Id(d).Dot("Dims").Call(),
				jen.Qual(runtimePath, "CheckMatrix").Call(jen.Lit(e.name), jen.Lit(d), jen.Id(rows), jen.Id(cols),
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
	var out []jen.Code
	for _, in := range e.ins {
		r, c := in.Shape.Rows, in.Shape.Cols
		switch in.Kind {
		case spec.Vector, spec.Symmetric, spec.SPD:
			get, check := "Len", "CheckVector"
			if in.Kind != spec.Vector {
				get, check = "SymmetricDim", "CheckSymmetric"
			}
			if binds(in, r, 0) {
				e.used[r] = true
				out = append(out, e.declaration(jen.Id(in.Name).Dot(get).Call(), r.Name), e.checkDim(in.Name, r))
				continue
			}
			out = append(out, jen.Qual(runtimePath, check).Call(jen.Lit(e.name), jen.Lit(in.Name), jen.Id(in.Name).Dot(get).Call(), e.dim(r), lit(r)))
		case spec.Matrix:
			checked := !binds(in, r, 0) || !binds(in, c, 1)
			name := func(d derive.Dim, k int, fallback string) string {
				if !binds(in, d, k) {
					return e.scope.fresh(fallback)
				}
				e.used[d] = true
				return d.Name
			}
			rows, cols := name(r, 0, in.Name+"Rows"), name(c, 1, in.Name+"Cols")
			out = append(out, e.declaration(jen.Id(in.Name).Dot("Dims").Call(), rows, cols))
			for k, d := range []derive.Dim{r, c} {
				if binds(in, d, k) {
					out = append(out, e.checkDim(in.Name, d))
				}
			}
			if checked {
				out = append(out, jen.Qual(runtimePath, "CheckMatrix").Call(jen.Lit(e.name), jen.Lit(in.Name), jen.Id(rows), jen.Id(cols),
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
func (e *function) checkDim(arg string, d derive.Dim) jen.Code {
	return jen.Qual(runtimePath, "CheckDim").Call(jen.Lit(e.name), jen.Lit(arg), jen.Id(d.Name), jen.Lit(d.Name))
}

// checkAliases panics when a destination shares memory with an input or
// another destination.
func (e *function) checkAliases() {
	dests := make([]jen.Code, len(e.outs))
	for k, o := range e.outs {
		dests[k] = aliasArg(o.param, o.to.Kind)
	}
	e.checkNoAlias(dests)
}

// checkNoAlias emits the function's one runtime.CheckNoAlias call, which
// checks the destinations dests (aliasArg values) against each other and
// against every input passed by reference, if there is a pair to check.
// Its size grows with the number of arguments, not with their product.
func (e *function) checkNoAlias(dests []jen.Code) {
	var inputs []jen.Code
	for _, in := range e.ins {
		if in.Kind != spec.Scalar { // passed by value
			inputs = append(inputs, aliasArg(in.Name, in.Kind))
		}
	}
	if len(dests) == 0 || len(inputs) == 0 && len(dests) == 1 {
		return
	}
	e.stmt(jen.Qual(runtimePath, "CheckNoAlias").Call(jen.Lit(e.name), aliasArgs(dests), aliasArgs(inputs)))
}

// aliasArgs returns the []runtime.Arg literal of args, one per line when
// there are more than a few; nil when there are none.
func aliasArgs(args []jen.Code) jen.Code {
	if len(args) == 0 {
		return jen.Nil()
	}
	return jen.Index().Qual(runtimePath, "Arg").ValuesFunc(func(g *jen.Group) {
		for _, a := range args {
			if len(args) > 3 {
				a = jen.Line().Add(a)
			}
			g.Add(a)
		}
		if len(args) > 3 {
			g.Line()
		}
	})
}

// storage returns the blas64 value the generated code works on for the
// gonum argument name of kind k holding a value of shape s. The rule for
// every stored value: a vector-shaped one, a column n×1 or a row 1×n
// whatever its Go type, is a blas64.Vector (what read, the products and the
// loops take a vector to be), so a *mat.Dense of one column is viewed as
// its column and one of one row as its row; a symmetric one is a
// blas64.Symmetric, anything else a blas64.General.
func (e *function) storage(name string, k spec.TypeKind, s derive.Shape) jen.Code {
	switch {
	case k == spec.Vector:
		return jen.Id(name).Dot("RawVector").Call()
	case k == spec.Symmetric || k == spec.SPD:
		return jen.Id(name).Dot("RawSymmetric").Call()
	case s.IsCol():
		return jen.Qual(runtimePath, "ColumnOf").Call(jen.Id(name).Dot("RawMatrix").Call())
	case s.IsRow():
		return jen.Qual(blas64Path, "Vector").Values(jen.Dict{
			jen.Id("N"): e.dim(s.Cols), jen.Id("Inc"): jen.Lit(1), jen.Id("Data"): jen.Id(name).Dot("RawRowView").Call(jen.Lit(0)),
		})
	}
	return jen.Id(name).Dot("RawMatrix").Call()
}

// aliasArg returns the runtime.Arg of the gonum value name of kind k
// (through RawMatrix, RawVector or RawSymmetric), or of the *float64 of a
// scalar destination: the elements runtime.CheckNoAlias compares.
func aliasArg(name string, k spec.TypeKind) jen.Code {
	switch k {
	case spec.Scalar: // a *float64 destination
		return jen.Qual(runtimePath, "ScalarArg").Call(jen.Lit(name), jen.Id(name))
	case spec.Vector:
		return jen.Qual(runtimePath, "VectorArg").Call(jen.Lit(name), jen.Id(name).Dot("RawVector").Call())
	case spec.Symmetric, spec.SPD:
		return jen.Qual(runtimePath, "SymmetricArg").Call(jen.Lit(name), jen.Id(name).Dot("RawSymmetric").Call())
	}
	return jen.Qual(runtimePath, "MatrixArg").Call(jen.Lit(name), jen.Id(name).Dot("RawMatrix").Call())
}
