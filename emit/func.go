package emit

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit/plan"
	"github.com/gradgen/gradgen/spec"
)

// val is a value computed in the generated function: a float64 local, a
// blas64.Vector, a blas64.General or a blas64.Symmetric view of a symmetric
// input.
type val = plan.Value

// ref reads the value v by name.
func ref(v *val) expr { return plan.Ref{V: v} }

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
	arg   *val // the parameter
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

	body    []plan.Step
	args    map[string]*val // the parameters by name
	uses    map[*derive.Node]int
	dotSums map[*derive.Node]*derive.Node // a dot product aᵀ b summed from a ⊙ b (countUsesFrom)
	vals    map[*derive.Node]*val
	parts   []*partial              // products formed without a node, in the order formed
	spelt   map[*derive.Node]string // the names values are spelt by in localName: lets', then stored values' (store)
	dims    map[derive.Dim]*val
	used    map[derive.Dim]bool          // dimensions the generated code reads
	binder  map[derive.Dim]*derive.Input // the input each dimension is read from
	work    []workField
	fields  map[*val]string // the workspace field of each buffer
	globals []*val          // package-level values the body refers to
	plans   io.Writer       // receives the plan at each stage, for gradgen -plan
	traced  string          // the plan last written to plans
	gemm    string          // the workspace's runtime.Gemm field, once a product needs it
	facts   map[*derive.Node]*factor
	fulls   map[*derive.Node]*val // symmetric inputs expanded to general matrices
	entries map[string]*val       // the one entry of each 1×1 vector or matrix input read (scalar)

	top     *scope      // package-level names
	ws      *val        // the workspace
	wsType  string      // its type, once declared
	checked []plan.Step // the plan printed, once checked
	i, j    *val        // loop variables
	// Tiled loops: their variables (named on first use), and, while a
	// matrix loop body is built, its column index and whether the body
	// reads a stored matrix transposed.
	tiles      *plan.TileVars
	loopJ      expr
	transposed bool
	// entry is the loop whose body is being built: its shape and its
	// iteration's entry; shape is zero outside loop bodies.
	entry   loopEntry
	pre     []plan.Step          // statements the loop body being built runs first in each iteration
	inlined map[*derive.Node]int // uses of a node consumed by computing it in place (inline.go)
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
	e := &function{fn: fn, role: r, order: order, scope: newScope(top), vals: map[*derive.Node]*val{}, entries: map[string]*val{},
		dims: map[derive.Dim]*val{}, used: map[derive.Dim]bool{}, binder: map[derive.Dim]*derive.Input{}, facts: map[*derive.Node]*factor{}, fulls: map[*derive.Node]*val{},
		args: map[string]*val{}, fields: map[*val]string{}}
	e.name = roleName(fn.Spec.Name, r, order)
	e.spelt = maps.Clone(fn.Names)
	if e.spelt == nil {
		e.spelt = map[*derive.Node]string{}
	}
	e.ins = append(e.ins, fn.Inputs...)
	switch r {
	case roleJVP:
		e.ins = append(e.ins, fn.JVPDirs...)
	case roleHessVec:
		e.ins = append(e.ins, fn.HessDirs...)
	}
	for _, in := range e.ins {
		e.scope.reserve(in.Name)
		e.args[in.Name] = &val{Name: in.Name, Kind: plan.Object, Owner: plan.Input, Shape: in.Shape}
		if in.Kind == spec.Scalar {
			e.args[in.Name].Kind = plan.Scalar
		}
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
		e.outs = append(e.outs, e.destination(valueInput(fn), n, "dst"))
	}
	wrt := func(prefix string, nodes []*derive.Node) {
		for k, w := range fn.Wrt {
			e.outs = append(e.outs, e.destination(w, nodes[k], prefix+w.Name))
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
	e.ws = plan.NewValue(e.scope.fresh("ws"), plan.Object, plan.Local)
	e.i, e.j = plan.NewValue(e.scope.fresh("i"), plan.Int, plan.Index), plan.NewValue(e.scope.fresh("j"), plan.Int, plan.Index)
	return e
}

// destination returns the output that writes node into a new parameter
// named after base, of the kind and shape of to.
func (e *function) destination(to *derive.Input, node *derive.Node, base string) output {
	name := e.scope.fresh(base)
	arg := &val{Name: name, Kind: plan.Object, Owner: plan.Destination, Shape: to.Shape}
	e.args[name] = arg
	return output{to, node, name, arg}
}

// param returns a parameter by name.
func (e *function) param(name string) *val { return e.args[name] }

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
func (e *function) valueByEuler(d int) *val {
	fn := e.fn
	// Count uses as if f were not computed: it is not.
	e.countUsesFrom(fn.Grads)
	for _, o := range e.outs {
		e.writeGradient(o.to, o.node, o.arg)
	}
	// sum is Σ ⟨∂f/∂w, w⟩ and abs Σ|w| over the wrt inputs w (eulerGuard).
	var sum, abs expr
	add := func(acc, term expr) expr {
		if acc == nil {
			return term
		}
		return plan.Add(acc, term)
	}
	for k, w := range fn.Wrt {
		g, x := ref(e.outs[k].arg), ref(e.param(w.Name))
		var dot, size expr
		switch {
		case w.Kind == spec.Scalar:
			dot = plan.Mul(plan.Deref(g), x)
			size = plan.Fn(mathPath, "Abs", x)
		case w.Shape.IsScalar():
			dot = plan.Mul(e.scalar(w.Node), gradEntry(w, g))
			size = plan.Fn(mathPath, "Abs", e.scalar(w.Node))
		case w.Kind == spec.Vector:
			dot = plan.Fn(blas64Path, "Dot", plan.Method(g, "RawVector"), plan.Method(x, "RawVector"))
			size = plan.Fn(blas64Path, "Asum", plan.Method(x, "RawVector"))
		case w.Kind == spec.Matrix:
			dot = plan.Fn(runtimePath, "MatrixDot", plan.Method(g, "RawMatrix"), plan.Method(x, "RawMatrix"))
			size = plan.Fn(runtimePath, "MatrixAbsSum", plan.Method(x, "RawMatrix"))
		default:
			dot = plan.Fn(runtimePath, "SymmetricDot", plan.Method(g, "RawSymmetric"), plan.Method(x, "RawSymmetric"))
			size = plan.Fn(runtimePath, "SymmetricAbsSum", plan.Method(x, "RawSymmetric"))
		}
		sum, abs = add(sum, dot), add(abs, size)
	}
	f := plan.NewValue(e.scope.fresh("f"), plan.Scalar, plan.Local)
	e.comment(fmt.Sprintf("f is homogeneous of degree %d in %s: by Euler's theorem f = Σ ⟨∂f/∂w, w⟩ / %d.", d, strings.Join(wrtNames(fn), ", "), d))
	if d != 1 {
		sum = plan.Div(sum, plan.Lit(float64(d)))
	}
	e.stmt(&plan.Let{Vars: []*val{f}, Value: sum})
	e.eulerGuard(f, abs)
	return f
}

// eulerGuard writes the check that f, read off the gradients, is f to
// rounding: a gradient entry that underflows adds up to 2⁻¹⁰⁷⁴|w| to the
// sum and one that overflows makes it ±Inf or NaN (tr(S⁻¹C) at S = 1e300:
// f = 1e−300, its gradient −1e−600 = −0, so f read off it was −0). When f
// is not finite, or |f| < 2⁻¹⁰²² Σ|w| (abs), where underflow's
// 2⁻¹⁰⁷⁴ Σ|w| can exceed f's last digit, FGrad returns the function
// itself instead (runtime.EulerLost): the gradients stand, f is computed
// directly.
func (e *function) eulerGuard(f *val, abs expr) {
	var args []expr
	for _, in := range e.ins {
		args = append(args, ref(e.param(in.Name)))
	}
	e.comment("f is lost if a gradient entry overflowed, or underflowed past f's last digit: then f is computed directly")
	e.stmt(&plan.Block{If: plan.Fn(runtimePath, "EulerLost", ref(f), abs), Body: []plan.Step{
		&plan.Return{Value: plan.Fn("", e.fn.Spec.Name, args...)},
	}})
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
func gradEntry(w *derive.Input, g expr) expr {
	if w.Kind == spec.Vector {
		return plan.Method(g, "AtVec", plan.IntLit(0))
	}
	return plan.Method(g, "At", plan.IntLit(0), plan.IntLit(0))
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

// countUses counts the readers of every node the function computes
// (countUsesFrom its roots).
func (e *function) countUses() { e.countUsesFrom(e.roots()) }

// countUsesFrom counts the readers of every node under roots, a root
// counting once more, and settles the dot products that are summed from a
// Hadamard product formed anyway (dotSum): their reads of a and b move to
// a ⊙ b. The counts are fixed before lowering starts; lowering only reads
// them.
func (e *function) countUsesFrom(roots []*derive.Node) {
	e.uses = map[*derive.Node]int{}
	order := derive.Postorder(roots...)
	for _, n := range order {
		for _, a := range n.Args {
			e.uses[a]++
		}
	}
	for _, r := range roots {
		if r != nil {
			e.uses[r]++
		}
	}
	e.dotSums = map[*derive.Node]*derive.Node{}
	for _, n := range order {
		if h := e.dotSum(n); h != nil {
			e.uses[n.Args[0]]--
			e.uses[n.Args[1]]--
			e.uses[h]++
			e.dotSums[n] = h
		}
	}
}

func (e *function) stmt(s plan.Step) { e.body = append(e.body, s) }

// declare emits vars := value as a pure declaration: a view of an input,
// a workspace buffer, a block of H, a scalar, which plan.DropUnread drops
// when nothing reads it.
func (e *function) declare(value expr, vars ...*val) {
	e.stmt(&plan.Let{Vars: vars, Value: value, Pure: true})
}

func (e *function) comment(text string) { e.stmt(&plan.Comment{Text: text}) }

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
	var result expr
	if d := e.eulerDegree(); d != 0 {
		result = ref(e.valueByEuler(d))
	} else if p := e.panels(); p != nil {
		result = e.emitPanels(p)
	} else {
		if e.ret != nil {
			value := e.scalar(e.ret)
			if v, ok := e.vals[e.ret]; ok {
				result = ref(v)
			} else {
				f := plan.NewValue(e.scope.fresh("f"), plan.Scalar, plan.Local)
				e.stmt(&plan.Let{Vars: []*val{f}, Value: value})
				result = ref(f)
			}
		} else if e.returns() {
			result = plan.Const{V: 0.0}
		}
		for _, o := range e.outs {
			e.writeGradient(o.to, o.node, o.arg)
		}
	}
	if result != nil {
		e.stmt(&plan.Return{Value: result})
	}
	e.finish(f, params, names, aliasChecks)
}

// planError is a plan that breaks an invariant of package plan: the
// generator's fault, reported by Generate as an internal error.
type planError struct {
	fn  string
	err error
}

func (p planError) Error() string {
	return fmt.Sprintf("emit: internal error: the plan of %s breaks the rule that %v", p.fn, p.err)
}

// checkGraphKept returns the internal error of a lowering of fn that
// added nodes to the derived graph g, which had before nodes: lowering
// reads the graph and builds only its plan (partials for the products it
// forms), so that what derive proved is what is emitted.
func checkGraphKept(fn string, g *derive.Graph, before int) error {
	if added := g.Len() - before; added != 0 {
		return planError{fn, fmt.Errorf("lowering adds no node to the derived graph: it added %d", added)}
	}
	return nil
}

// parameters returns the values of the function's parameters: the inputs
// (and directions), the destinations and extra, FJacobian's and
// FHessian's outputs.
func (e *function) parameters(extra ...*val) []*val {
	var out []*val
	for _, in := range e.ins {
		out = append(out, e.args[in.Name])
	}
	for _, o := range e.outs {
		out = append(out, o.arg)
	}
	return append(out, extra...)
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

// assemble returns the function body: the shape checks, then checks (the
// shape checks of destinations built by hand), the alias checks (the first
// aliasChecks statements emitted), the workspace, and the rest, as Go,
// once the plan has passed plan.DropUnread and plan.Check. params are the
// function's parameters.
func (e *function) assemble(f *jen.File, checks []plan.Step, aliasChecks int, params []*val) []jen.Code {
	rest := e.body[aliasChecks:]
	e.trace("lowered", rest)
	rest, dead := plan.DropDeadStores(rest)
	e.trace("after DropDeadStores", rest)
	rest = plan.Fuse(rest, blockKernels(), jointBlockKernels())
	e.trace("after Fuse", rest)
	rest = plan.BlockKernels(rest, blockKernels(), jointBlockKernels(), e.workBuffer, func(base string) string { return e.scope.fresh(base) })
	e.trace("after BlockKernels", rest)
	rest, reused := plan.ReuseStorage(rest)
	e.trace("after ReuseStorage", rest)
	// ReuseStorage moves sums above an in-place call (hoist), which may
	// leave two loops over the same entries side by side: join them.
	rest = plan.Fuse(rest, blockKernels(), jointBlockKernels())
	e.trace("after Fuse again", rest)
	rest = plan.RowViewsOf(rest, func(base string) string { return e.scope.fresh(base) })
	e.trace("after RowViewsOf", rest)
	rest = e.parallelLoops(rest)
	e.trace("after parallelLoops", rest)
	for _, v := range append(dead, reused...) {
		e.work = slices.DeleteFunc(e.work, func(w workField) bool { return w.name == e.fields[v] })
		delete(e.fields, v)
	}
	body := append(e.checkShapes(), checks...)
	body = append(body, e.body[:aliasChecks]...)
	if len(e.work) > 0 {
		body = append(body, e.workspace(f)...)
	}
	body = append(body, cleanVectorState()...)
	body = plan.DropUnusedRowViews(plan.DropUnread(append(body, rest...)))
	e.trace("with the checks and the workspace, after DropUnread: the plan checked and printed", body)
	if err := plan.Check(append(params, e.globals...), body, e.fields); err != nil {
		panic(planError{e.name, err})
	}
	e.checked = body
	return plan.Go(body)
}

// cleanVectorState returns the steps that start every function's
// computation with the vector registers' upper halves clean: a goroutine
// resuming from an asynchronous preemption in a Go 1.26 GOEXPERIMENT=simd
// build leaves them dirty, and the scalar float64 code after it then runs
// up to 200× slower until something clears them (runtime.CleanVectorState;
// a no-op elsewhere). The steps are new for each function, as every other
// step of its plan is, so no later pass shares them with another plan.
func cleanVectorState() []plan.Step {
	return []plan.Step{
		&plan.Comment{Text: "clear the vector registers' upper halves, which a preemption may leave dirty (runtime.CleanVectorState)"},
		&plan.Do{Call: plan.Fn(runtimePath, "CleanVectorState")},
	}
}

// trace writes the plan steps at stage to e.plans, if set; a stage that
// changed nothing says so.
func (e *function) trace(stage string, steps []plan.Step) {
	if e.plans == nil {
		return
	}
	text := plan.Format(steps)
	if text == e.traced {
		fmt.Fprintf(e.plans, "== %s: %s: no change\n\n", e.name, stage)
		return
	}
	e.traced = text
	fmt.Fprintf(e.plans, "== %s: %s\n%s\n", e.name, stage, text)
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

// workspace declares the pooled workspace type and returns the steps
// that take one from the pool for the call.
func (e *function) workspace(f *jen.File) []plan.Step {
	typ := e.top.fresh(lowerFirst(e.name)+"Work", e.scope)
	e.wsType = typ
	pool := e.top.fresh(lowerFirst(e.name)+"Pool", e.scope)
	fields := make([]jen.Code, len(e.work))
	for k, w := range e.work {
		fields[k] = jen.Id(w.name).Add(w.typ)
	}
	f.Line()
	comment(f, fmt.Sprintf("%s holds %s's scratch space, reused across calls through %s.", typ, e.name, pool))
	f.Type().Id(typ).Struct(fields...)
	f.Line()
	f.Var().Id(pool).Op("=").Qual(syncPath, "Pool").Values(jen.Dict{
		jen.Id("New"): jen.Func().Params().Any().Block(jen.Return(jen.New(jen.Id(typ)))),
	})
	poolVar := plan.NewValue(pool, plan.Object, plan.Input) // package-level
	e.globals = append(e.globals, poolVar)
	return []plan.Step{
		&plan.Let{Vars: []*val{e.ws}, Value: plan.Assert{X: plan.Method(ref(poolVar), "Get"), Type: typ}},
		&plan.Defer{Call: plan.Method(ref(poolVar), "Put", ref(e.ws))},
	}
}

// workField returns the workspace field name as an expression: ws.name.
func (e *function) workField(name string) expr { return plan.Field{X: ref(e.ws), Name: name} }

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
func (e *function) dim(d derive.Dim) expr {
	if d.Name == "" {
		return plan.IntLit(d.Size)
	}
	e.used[d] = true
	return ref(e.dims[d])
}

// storage returns the blas64 value the generated code works on for the
// gonum argument arg of kind k holding a value of shape s. The rule for
// every stored value: a vector-shaped one, a column n×1 or a row 1×n
// whatever its Go type, is a blas64.Vector (what read, the products and the
// loops take a vector to be), so a *mat.Dense of one column is viewed as
// its column and one of one row as its row; a symmetric one is a
// blas64.Symmetric, anything else a blas64.General.
func (e *function) storage(arg *val, k spec.TypeKind, s derive.Shape) expr {
	x := ref(arg)
	switch {
	case k == spec.Vector:
		return plan.Method(x, "RawVector")
	case k == spec.Symmetric || k == spec.SPD:
		return plan.Method(x, "RawSymmetric")
	case s.IsCol():
		return plan.Fn(runtimePath, "ColumnOf", plan.Method(x, "RawMatrix"))
	case s.IsRow():
		return plan.Composite{Type: plan.Qual{Path: blas64Path, Name: "Vector"}, Sorted: true, Fields: []plan.KeyValue{
			{Key: "N", Value: e.dim(s.Cols)}, {Key: "Inc", Value: plan.IntLit(1)}, {Key: "Data", Value: plan.Method(x, "RawRowView", plan.IntLit(0))},
		}}
	}
	return plan.Method(x, "RawMatrix")
}

// storageKind returns the plan kind of the blas64 value storage returns.
func storageKind(k spec.TypeKind, s derive.Shape) plan.Kind {
	switch {
	case k == spec.Symmetric || k == spec.SPD:
		return plan.Symmetric
	case k == spec.Vector || s.IsVector():
		return plan.Vector
	}
	return plan.Matrix
}

// finish assembles the function: shape checks, alias checks, workspace,
// body, under its doc comment.
func (e *function) finish(f *jen.File, params []jen.Code, names []string, aliasChecks int) {
	body := e.assemble(f, nil, aliasChecks, e.parameters())
	f.Line()
	fileComment(f, e.doc(names)...)
	sig := f.Func().Id(e.name).Params(params...)
	if e.returns() {
		sig.Float64()
	}
	sig.Block(body...)
	e.partMethods(f)
}

// partMethods declares, after the function, the struct type and method
// RunPart of each of its parallel loops.
func (e *function) partMethods(f *jen.File) {
	for _, s := range e.checked {
		if p, ok := s.(*plan.For); ok && p.Parallel != nil {
			e.partMethod(f, p)
		}
	}
}

// partMethod declares the struct type of the values a parallel loop shares
// and its method RunPart, which runs one part of the loop.
func (e *function) partMethod(f *jen.File, p *plan.For) {
	var fields []jen.Code
	names := plan.PartFields(p)
	for k, v := range plan.Shared(p) {
		fields = append(fields, jen.Id(names[k]).Add(kindType(v.Kind)))
	}
	f.Line()
	comment(f, fmt.Sprintf("%s holds the values the parts of %s's %s share, while they run.", p.Parallel.Type, e.name, p.Parallel.Loop))
	f.Type().Id(p.Parallel.Type).Struct(fields...)
	f.Line()
	comment(f, fmt.Sprintf("RunPart runs one part of %s's %s, the rows runtime.PartRows gives it; runtime.Parts calls it.", e.name, p.Parallel.Loop))
	f.Func().Params(jen.Id(p.Parallel.Field).Op("*").Id(p.Parallel.Type)).Id(plan.PartMethod).Params(jen.Id(p.Var.Name).Int()).Block(plan.GoPart(p)...)
}

// kindType returns the Go type of a value of kind k.
func kindType(k plan.Kind) jen.Code {
	switch k {
	case plan.Scalar:
		return jen.Float64()
	case plan.Int:
		return jen.Int()
	case plan.Vector:
		return jen.Qual(blas64Path, "Vector")
	case plan.Matrix:
		return jen.Qual(blas64Path, "General")
	case plan.Symmetric:
		return jen.Qual(blas64Path, "Symmetric")
	}
	panic("emit: a parallel loop shares a value of no blas64 kind")
}
