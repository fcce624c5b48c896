// Package harness checks generated functions inside a batch program built
// by the oracle: every role (F, FGrad, FHessVec, FHessian, FJVP,
// FJacobian, FDeriv…FDerivk, FProblem) is called through small adapters
// the oracle writes, and compared with the reference value the oracle
// computed and with central finite differences of the next-lower order.
//
// The harness shares no code with what it checks: it calls the generated
// functions only through their public signatures and computes every
// expected derivative itself, from values.
package harness

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Kind is the type of an input as the spec declares it.
type Kind int

// The input kinds. Symmetric covers spd inputs too (SPD set on the Arg).
const (
	Scalar Kind = iota
	Vector
	Matrix
	Symmetric
)

// Arg describes one input: its name, kind and concrete shape. Data is
// row-major, a symmetric input stored in full.
type Arg struct {
	Name       string
	Kind       Kind
	Rows, Cols int
	SPD        bool
}

func (a Arg) size() int { return a.Rows * a.Cols }

// Func is one spec function of the batch: its inputs, the point to check
// at, the reference value there, and an adapter per generated role (nil
// when the role does not exist).
type Func struct {
	Name    string
	Inputs  []Arg
	Wrt     []int // indices into Inputs, in wrt order
	Point   [][]float64
	Want    []float64 // the reference value of F at Point, row-major
	OutRows int       // F's shape; 1×1 for a scalar F
	OutCols int
	OutCol  bool // F is a column vector (its dst is a *mat.VecDense)
	ScalarF bool // F is a scalar (its shape is 1×1 in the spec, not by its sizes)
	Order   int  // FDeriv … FDeriv<Order> exist
	Hessian bool // FHessVec exists (and FHessian when DenseHessian)
	Dense   bool // FHessian exists

	F        func(c *Call)
	Grad     func(c *Call)
	HessVec  func(c *Call)
	HessMat  func(c *Call)
	JVP      func(c *Call)
	Jacobian func(c *Call)
	Derivs   []func(c *Call) // Derivs[k-1] is FDeriv k
	Problem  func(c *Call) optimize.Problem
}

var registry []*Func

// Register adds f to the batch; the oracle's adapters call it from init.
func Register(f *Func) { registry = append(registry, f) }

// Failure is one failed check, printed as a JSON line.
type Failure struct {
	Func  string `json:"func"`
	Role  string `json:"role"`
	Check string `json:"check"`
	Msg   string `json:"msg"`
}

// Class names the kind of a failure, for counting and shrinking: the
// role's suffix (Grad, HessVec, …) and the check.
func (f Failure) Class() string {
	role := strings.TrimPrefix(f.Role, f.Func)
	if role == "" {
		role = "F"
	}
	return role + "/" + f.Check
}

// Result is the outcome for one function, printed as a JSON line.
type Result struct {
	Func     string    `json:"func"`
	Roles    []string  `json:"roles"`
	Failures []Failure `json:"failures,omitempty"`
}

// Main runs every registered function's checks and prints one Result per
// function on standard output. Names given as arguments restrict the run.
func Main() {
	only := map[string]bool{}
	for _, a := range os.Args[1:] {
		only[a] = true
	}
	enc := json.NewEncoder(os.Stdout)
	for _, f := range registry {
		if len(only) > 0 && !only[f.Name] {
			continue
		}
		r := Check(f)
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}

// Check runs every check of f and returns what failed.
func Check(f *Func) Result {
	ch := &checker{f: f, res: Result{Func: f.Name}}
	ch.run()
	sort.Strings(ch.res.Roles)
	return ch.res
}

type checker struct {
	f   *Func
	res Result
}

func (ch *checker) fail(role, check, format string, args ...any) {
	ch.res.Failures = append(ch.res.Failures, Failure{ch.f.Name, role, check, fmt.Sprintf(format, args...)})
}

// guard runs one role's checks, turning a panic into a failure. A
// finite-difference mismatch is checked again with a step five times
// smaller (the sixth-order stencil's error falls 15,000-fold), so only a
// derivative that is wrong at both steps fails: near a pole, the larger
// step's truncation error is not gradgen's.
func (ch *checker) guard(role string, body func()) {
	if role != "" {
		ch.res.Roles = append(ch.res.Roles, role)
	}
	before := len(ch.res.Failures)
	fdError = 0
	ch.protect(role, body)
	for _, f := range ch.res.Failures[before:] {
		if f.Check == "fd" {
			ch.res.Failures = ch.res.Failures[:before]
			stepScale, fdError = 0.2, 0
			ch.protect(role, body)
			stepScale = 1
			break
		}
	}
}

// stepScale scales every finite-difference step (guard's second try).
var stepScale = 1.0

func (ch *checker) protect(role string, body func()) {
	defer func() {
		if r := recover(); r != nil {
			ch.fail(role, "panic", "%v", r)
		}
	}()
	body()
}

func (ch *checker) run() {
	f := ch.f
	name := f.Name
	scalarF := f.ScalarF
	ch.expect(name, f.F != nil)
	if f.F == nil {
		return
	}
	ch.guard(name, ch.checkValue)
	if scalarF {
		ch.expect(name+"Grad", f.Grad != nil)
		ch.expect(name+"Problem", f.Problem != nil)
		if f.Grad != nil {
			ch.guard(name+"Grad", ch.checkGrad)
		}
		if f.Problem != nil {
			ch.guard(name+"Problem", ch.checkProblem)
		}
	} else {
		ch.expect(name+"JVP", f.JVP != nil)
		ch.expect(name+"Jacobian", f.Jacobian != nil)
		if f.JVP != nil {
			ch.guard(name+"JVP", ch.checkJVP)
		}
		if f.Jacobian != nil {
			ch.guard(name+"Jacobian", ch.checkJacobian)
		}
	}
	for k := 1; k <= f.Order; k++ {
		role := derivName(name, k)
		ch.expect(role, k <= len(f.Derivs) && f.Derivs[k-1] != nil)
		if k <= len(f.Derivs) && f.Derivs[k-1] != nil {
			ch.guard(role, func() { ch.checkDeriv(k) })
		}
	}
	if f.Hessian {
		ch.expect(name+"HessVec", f.HessVec != nil)
		if f.HessVec != nil {
			ch.guard(name+"HessVec", ch.checkHessVec)
		}
		if f.Dense {
			ch.expect(name+"Hessian", f.HessMat != nil)
			if f.HessMat != nil {
				ch.guard(name+"Hessian", ch.checkHessian)
			}
		}
	}
}

func derivName(name string, k int) string {
	if k == 1 {
		return name + "Deriv"
	}
	return fmt.Sprintf("%sDeriv%d", name, k)
}

func (ch *checker) expect(role string, present bool) {
	if !present {
		ch.fail(role, "missing", "the contract says %s is generated; it is not", role)
	}
}

// call runs fn at the point in (directions dirs) three times: with
// destinations pre-filled with NaN, again with garbage, which must give
// the same outputs bit for bit (destinations overwritten, pooled
// workspaces reset), and with every matrix and vector a strided view,
// which must agree to rounding (BLAS kernels may sum in another order for
// strided data). No call may change its inputs or the padding around
// them. It returns the outputs of the first call.
func (ch *checker) call(role string, fn func(*Call), in, dirs [][]float64) *Call {
	first := newCall(ch.f, in, dirs, fillNaN, false)
	first.invoke(fn)
	first.checkInputs(ch, role)
	second := newCall(ch.f, in, dirs, fillGarbage, false)
	second.invoke(fn)
	if msg := first.sameOutputs(second); msg != "" {
		ch.fail(role, "overwrite", "a second call with destinations pre-filled with garbage differs from the first: %s", msg)
	}
	strided := newCall(ch.f, in, dirs, fillGarbage, true)
	strided.invoke(fn)
	strided.checkInputs(ch, role)
	if msg := first.closeOutputs(strided); msg != "" {
		ch.fail(role, "strided", "a call with strided views differs from the first: %s", msg)
	}
	return first
}

func (ch *checker) checkValue() {
	f := ch.f
	c := ch.call(f.Name, f.F, f.Point, nil)
	got := c.output(f)
	if msg := close(got, f.Want, 1e-9, 1e-9); msg != "" {
		ch.fail(f.Name, "value", "F differs from the reference evaluation: %s", msg)
	}
}

// value evaluates F at in, flattened row-major.
func (ch *checker) value(in [][]float64) []float64 {
	c := newCall(ch.f, in, nil, fillNaN, false)
	c.invoke(ch.f.F)
	return c.output(ch.f)
}

// output returns F's value from a call of F (or FDeriv k) as a flat slice.
func (c *Call) output(f *Func) []float64 {
	if f.ScalarF {
		return []float64{c.Result}
	}
	return c.Outs[0]
}

func (ch *checker) checkGrad() {
	f := ch.f
	c := ch.call(f.Name+"Grad", f.Grad, f.Point, nil)
	if msg := close([]float64{c.Result}, f.Want, 1e-9, 1e-9); msg != "" {
		ch.fail(f.Name+"Grad", "value", "FGrad's returned f differs from the reference: %s", msg)
	}
	for k, wi := range f.Wrt {
		a := f.Inputs[wi]
		got := c.Outs[k]
		if a.size() > bigInput {
			for salt := 0; salt < 3; salt++ {
				v := ch.direction(a, salt)
				want := directional(f.Point, map[int][]float64{wi: v}, ch.value)
				if msg := closeFD([]float64{dot(got, v)}, want); msg != "" {
					ch.fail(f.Name+"Grad", "fd", "⟨∂f/∂%s, V⟩ differs from the central difference of F along V: %s", a.Name, msg)
				}
			}
			continue
		}
		want := ch.partials(f.Point, wi, ch.value)
		if msg := closeFD(got, want); msg != "" {
			ch.fail(f.Name+"Grad", "fd", "∂f/∂%s differs from central differences of F: %s", a.Name, msg)
		}
	}
}

// partials returns, for input wi, the derivative of g (a vector function
// of the inputs) with respect to each entry of the input, as a flat
// slice: entry e·len(g)+o is ∂g_o/∂x_e. For a symmetric input, entry
// (i, j) and (j, i) move together and the result is halved off the
// diagonal, the symmetric convention (G + Gᵀ)/2.
func (ch *checker) partials(point [][]float64, wi int, g func([][]float64) []float64) []float64 {
	a := ch.f.Inputs[wi]
	n := a.size()
	var out []float64
	for e := 0; e < n; e++ {
		i, j := e/a.Cols, e%a.Cols
		dir := make([]float64, n)
		dir[e] = 1
		scale := 1.0
		if a.Kind == Symmetric && i != j {
			dir[j*a.Cols+i] = 1
			scale = 0.5
		}
		d := directional(point, map[int][]float64{wi: dir}, g)
		for o := range d {
			d[o] *= scale
		}
		if out == nil {
			out = make([]float64, n*len(d))
		}
		for o, v := range d {
			out[e*len(d)+o] = v
		}
	}
	return out
}

// checkJVP compares FJVP in random directions with central differences
// of F along them.
func (ch *checker) checkJVP() {
	f := ch.f
	dirs := ch.directions(1)
	c := ch.call(f.Name+"JVP", f.JVP, f.Point, dirs)
	seeds := map[int][]float64{}
	for k, wi := range f.Wrt {
		seeds[wi] = dirs[k]
	}
	want := directional(f.Point, seeds, ch.value)
	if msg := closeFD(c.Outs[0], want); msg != "" {
		ch.fail(f.Name+"JVP", "fd", "the JVP differs from central differences of F along the directions: %s", msg)
	}
}

// checkJacobian compares every block of FJacobian with central
// differences of F in each entry of each wrt input: entry
// (k·m + i, l·n + j) is ∂F_ij/∂w_kl (a vector w counts as a row).
func (ch *checker) checkJacobian() {
	f := ch.f
	c := ch.call(f.Name+"Jacobian", f.Jacobian, f.Point, nil)
	m, n := f.OutRows, f.OutCols
	for k, wi := range f.Wrt {
		a := f.Inputs[wi]
		p, q := a.Rows, a.Cols
		if a.Kind == Vector {
			p, q = 1, a.Rows
		}
		got := c.Outs[k]
		if a.size() > bigInput {
			// Σ_kl block(k, l)·V_kl is DF[V].
			v := ch.direction(a, 0)
			want := directional(f.Point, map[int][]float64{wi: v}, ch.value)
			applied := make([]float64, m*n)
			for e := 0; e < p*q; e++ {
				kk, ll := e/q, e%q
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						applied[i*n+j] += got[(kk*m+i)*(q*n)+ll*n+j] * v[e]
					}
				}
			}
			if msg := closeFD(applied, want); msg != "" {
				ch.fail(f.Name+"Jacobian", "fd", "DF/D%s applied to V differs from the central difference of F along V: %s", a.Name, msg)
			}
			continue
		}
		fd := ch.partials(f.Point, wi, ch.value) // entry e·(m·n) + (i·n + j)
		want := make([]float64, len(got))
		for e := 0; e < p*q; e++ {
			kk, ll := e/q, e%q
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					want[(kk*m+i)*(q*n)+ll*n+j] = fd[e*m*n+i*n+j]
				}
			}
		}
		if msg := closeFD(got, want); msg != "" {
			ch.fail(f.Name+"Jacobian", "fd", "DF/D%s differs from central differences of F: %s", a.Name, msg)
		}
	}
}

// checkDeriv compares FDeriv k with central differences of FDeriv(k−1)
// (of F for k = 1) in the one scalar wrt.
func (ch *checker) checkDeriv(k int) {
	f := ch.f
	role := derivName(f.Name, k)
	c := ch.call(role, f.Derivs[k-1], f.Point, nil)
	lower := f.F
	if k > 1 {
		lower = f.Derivs[k-2]
	}
	g := func(in [][]float64) []float64 {
		lc := newCall(f, in, nil, fillNaN, false)
		lc.invoke(lower)
		return lc.output(f)
	}
	want := ch.partials(f.Point, f.Wrt[0], g)
	if msg := closeFD(c.output(f), want); msg != "" {
		ch.fail(role, "fd", "differs from central differences of the order below: %s", msg)
	}
}

// grads evaluates FGrad at in: the gradients in wrt order, concatenated.
func (ch *checker) grads(in [][]float64) []float64 {
	c := newCall(ch.f, in, nil, fillNaN, false)
	c.invoke(ch.f.Grad)
	var out []float64
	for _, g := range c.Outs {
		out = append(out, g...)
	}
	return out
}

// checkHessVec compares FHessVec in random directions (symmetric for
// symmetric inputs) with central differences of FGrad along them.
func (ch *checker) checkHessVec() {
	f := ch.f
	if f.Grad == nil {
		return
	}
	dirs := ch.directions(2)
	c := ch.call(f.Name+"HessVec", f.HessVec, f.Point, dirs)
	seeds := map[int][]float64{}
	for k, wi := range f.Wrt {
		seeds[wi] = dirs[k]
	}
	want := directional(f.Point, seeds, ch.grads)
	var got []float64
	for _, o := range c.Outs {
		got = append(got, o...)
	}
	if msg := closeFD(got, want); msg != "" {
		ch.fail(f.Name+"HessVec", "fd", "the HVP differs from central differences of FGrad along the directions: %s", msg)
	}
}

// checkHessian compares FHessian with FHessVec in unit directions and
// with central differences of FGrad, and checks it symmetric to the bit.
func (ch *checker) checkHessian() {
	f := ch.f
	c := ch.call(f.Name+"Hessian", f.HessMat, f.Point, nil)
	h := c.Outs[0]
	n := 0
	for _, wi := range f.Wrt {
		n += f.Inputs[wi].size()
	}
	if len(h) != n*n {
		ch.fail(f.Name+"Hessian", "shape", "H has %d entries, want %d×%d", len(h), n, n)
		return
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			if h[i*n+j] != h[j*n+i] && !(math.IsNaN(h[i*n+j]) && math.IsNaN(h[j*n+i])) {
				ch.fail(f.Name+"Hessian", "symmetry", "H[%d,%d] = %v but H[%d,%d] = %v", i, j, h[i*n+j], j, i, h[j*n+i])
				i = n
				break
			}
		}
	}
	if n > bigInput {
		ch.hessianAlong(h, n)
		return
	}
	// Column by column: FHessVec with a unit direction, and differences
	// of FGrad in that entry.
	var fromHVP, fromFD []float64
	col := 0
	for k, wi := range f.Wrt {
		a := f.Inputs[wi]
		for e := 0; e < a.size(); e++ {
			dirs := make([][]float64, len(f.Wrt))
			for kk, wj := range f.Wrt {
				dirs[kk] = make([]float64, f.Inputs[wj].size())
			}
			dirs[k][e] = 1
			if f.HessVec != nil {
				hc := newCall(f, f.Point, dirs, fillNaN, false)
				hc.invoke(f.HessVec)
				for _, o := range hc.Outs {
					fromHVP = append(fromHVP, o...)
				}
			}
			fromFD = append(fromFD, directional(f.Point, map[int][]float64{wi: dirs[k]}, ch.grads)...)
			col++
		}
	}
	// fromHVP and fromFD hold columns one after another: entry col·n + row.
	transposed := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			transposed[j*n+i] = h[i*n+j]
		}
	}
	if f.HessVec != nil {
		if msg := closeFD(transposed, fromHVP); msg != "" {
			ch.fail(f.Name+"Hessian", "hvp", "H's columns differ from FHessVec in unit directions: %s", msg)
		}
	}
	if msg := closeFD(transposed, fromFD); msg != "" {
		ch.fail(f.Name+"Hessian", "fd", "H differs from central differences of FGrad: %s", msg)
	}
}

// hessianAlong checks H·v against FHessVec(v) and the central difference
// of FGrad along v, for random v: a large Hessian is checked by its
// action, not column by column.
func (ch *checker) hessianAlong(h []float64, n int) {
	f := ch.f
	dirs := ch.directions(3)
	var v []float64
	seeds := map[int][]float64{}
	for k, wi := range f.Wrt {
		v = append(v, dirs[k]...)
		seeds[wi] = dirs[k]
	}
	hv := make([]float64, n)
	for i := 0; i < n; i++ {
		hv[i] = dot(h[i*n:(i+1)*n], v)
	}
	if f.HessVec != nil {
		hc := newCall(f, f.Point, dirs, fillNaN, false)
		hc.invoke(f.HessVec)
		var want []float64
		for _, o := range hc.Outs {
			want = append(want, o...)
		}
		if msg := closeFD(hv, want); msg != "" {
			ch.fail(f.Name+"Hessian", "hvp", "H v differs from FHessVec(v): %s", msg)
		}
	}
	if msg := closeFD(hv, directional(f.Point, seeds, ch.grads)); msg != "" {
		ch.fail(f.Name+"Hessian", "fd", "H v differs from the central difference of FGrad along v: %s", msg)
	}
}

// direction returns a random direction shaped like a (symmetric for a
// symmetric input).
func (ch *checker) direction(a Arg, salt int) []float64 {
	// Entries of size 1/√n keep a direction's effect on a sum of n
	// entries, and so the differences' step, moderate.
	r := newRand(ch.f.Name+"/"+a.Name, 10+salt)
	d := make([]float64, a.size())
	for e := range d {
		d[e] = r.sym() / math.Sqrt(float64(a.size()))
	}
	if a.Kind == Symmetric {
		for i := 0; i < a.Rows; i++ {
			for j := 0; j < i; j++ {
				d[i*a.Cols+j] = d[j*a.Cols+i]
			}
		}
	}
	return d
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// bigInput is the size above which derivatives are checked along random
// directions instead of entry by entry.
const bigInput = 48

// directions returns random directions for the wrt inputs, symmetric for
// symmetric inputs, drawn deterministically from the function's name.
func (ch *checker) directions(salt int) [][]float64 {
	out := make([][]float64, len(ch.f.Wrt))
	for k, wi := range ch.f.Wrt {
		out[k] = ch.direction(ch.f.Inputs[wi], 100*salt+k)
	}
	return out
}

// checkProblem checks FProblem against F, FGrad and FHessian, and its
// Grad and Hess against central differences of its own Func and Grad, in
// the packed layout: wrt inputs in order, matrices row-major, a symmetric
// input as n² entries of which the upper triangle counts.
func (ch *checker) checkProblem() {
	f := ch.f
	role := f.Name + "Problem"
	c := newCall(f, f.Point, nil, fillNaN, false)
	p := f.Problem(c)
	x := ch.pack(f.Point)
	if p.Func == nil {
		ch.fail(role, "missing", "Problem.Func is nil")
		return
	}
	if msg := close([]float64{p.Func(x)}, f.Want, 1e-9, 1e-9); msg != "" {
		ch.fail(role, "value", "Func differs from the reference: %s", msg)
	}
	if p.Grad == nil {
		ch.fail(role, "missing", "Problem.Grad is nil")
		return
	}
	grad := func(x []float64) []float64 {
		g := nanSlice(len(x))
		p.Grad(g, x)
		return g
	}
	if len(x) > bigInput {
		v := newRand(f.Name, 20).vector(len(x))
		want := diff(func(t float64) []float64 { return []float64{p.Func(axpy(x, t, v))} }, 0)
		if msg := closeFD([]float64{dot(grad(x), v)}, want); msg != "" {
			ch.fail(role, "fd", "⟨Grad, v⟩ differs from the central difference of Func along v: %s", msg)
		}
		return // FHessian, large, is checked by its action in checkHessian
	}
	want := ch.packedPartials(x, func(x []float64) []float64 { return []float64{p.Func(x)} })
	if msg := closeFD(grad(x), want); msg != "" {
		ch.fail(role, "fd", "Grad differs from central differences of Func: %s", msg)
	}
	if f.Dense {
		if p.Hess == nil {
			ch.fail(role, "missing", "hessian: true with scalar and vector wrt, but Problem.Hess is nil")
			return
		}
		h := mat.NewSymDense(len(x), nil)
		p.Hess(h, x)
		var got []float64
		for i := 0; i < len(x); i++ {
			for j := 0; j < len(x); j++ {
				got = append(got, h.At(i, j))
			}
		}
		want := ch.packedPartials(x, grad) // entry e·N + o = ∂g_o/∂x_e = H[e, o]
		if msg := closeFD(got, want); msg != "" {
			ch.fail(role, "fd", "Hess differs from central differences of Grad: %s", msg)
		}
	}
}

// pack lays the wrt inputs of in out as FProblem's variables.
func (ch *checker) pack(in [][]float64) []float64 {
	var x []float64
	for _, wi := range ch.f.Wrt {
		x = append(x, in[wi]...)
	}
	return x
}

// packedPartials returns ∂g_o/∂x_e at entry e·len(g) + o, by central
// differences in each packed entry.
func (ch *checker) packedPartials(x []float64, g func([]float64) []float64) []float64 {
	var out []float64
	for e := range x {
		d := diff(func(t float64) []float64 {
			y := append([]float64(nil), x...)
			y[e] += t
			return g(y)
		}, x[e])
		out = append(out, d...)
	}
	return out
}

// directional returns the derivative of g at point along the seeds (a
// direction for some inputs) by a central difference.
func directional(point [][]float64, seeds map[int][]float64, g func([][]float64) []float64) []float64 {
	scale := 0.0
	for i, d := range seeds {
		for e := range d {
			scale = math.Max(scale, math.Abs(point[i][e]))
		}
	}
	return diff(func(t float64) []float64 {
		in := make([][]float64, len(point))
		for i := range point {
			in[i] = append([]float64(nil), point[i]...)
			if d, ok := seeds[i]; ok {
				for e := range d {
					in[i][e] += t * d[e]
				}
			}
		}
		return g(in)
	}, scale)
}

// diff returns d/dt g(t) at 0 by the sixth-order central difference, the
// step scaled to x's magnitude.
func diff(g func(t float64) []float64, x float64) []float64 {
	h := 1e-3 * stepScale * math.Max(1, math.Abs(x))
	// Weights of g(±h), g(±2h), g(±3h): (45, −9, 1)/60h.
	p1, m1 := g(h), g(-h)
	p2, m2 := g(2*h), g(-2*h)
	p3, m3 := g(3*h), g(-3*h)
	out := make([]float64, len(p1))
	for o := range out {
		out[o] = (45*(p1[o]-m1[o]) - 9*(p2[o]-m2[o]) + (p3[o] - m3[o])) / (60 * h)
		// The fourth-order estimate from the same values: the two differ
		// by the difference's own error (rounding in g, truncation).
		fourth := (8*(p1[o]-m1[o]) - (p2[o] - m2[o])) / (12 * h)
		fdError = math.Max(fdError, math.Abs(out[o]-fourth))
	}
	return out
}

// fdError is the largest disagreement of the sixth- and fourth-order
// differences since the role's checks began (guard resets it): the
// finite differences' own error, which closeFD tolerates ten times over.
var fdError float64

// close reports where got and want differ by more than atol·scale +
// rtol·|want|, scale the largest magnitude in want (at least 1); "" when
// they agree. NaN agrees only with NaN.
func close(got, want []float64, rtol, atol float64) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d values, want %d", len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		if !math.IsInf(w, 0) && !math.IsNaN(w) {
			scale = math.Max(scale, math.Abs(w))
		}
	}
	worst, at := -1.0, -1
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if got[i] == want[i] || (math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			continue
		}
		if math.IsNaN(d) || d > atol*scale+rtol*math.Abs(want[i]) {
			if math.IsNaN(d) || d > worst {
				worst, at = d, i
				if math.IsNaN(d) {
					break
				}
			}
		}
	}
	if at < 0 {
		return ""
	}
	return fmt.Sprintf("entry %d is %.17g, want %.17g (of %d; largest |want| %.3g)", at, got[at], want[at], len(got), scale)
}

// closeFD compares with a finite-difference estimate, allowing for the
// estimate's own error.
func closeFD(got, want []float64) string {
	scale := 1.0
	for _, w := range want {
		if !math.IsInf(w, 0) && !math.IsNaN(w) {
			scale = math.Max(scale, math.Abs(w))
		}
	}
	return close(got, want, 1e-6, 1e-6+10*fdError/scale)
}

func axpy(x []float64, t float64, v []float64) []float64 {
	y := append([]float64(nil), x...)
	for i := range y {
		y[i] += t * v[i]
	}
	return y
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
