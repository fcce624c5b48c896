package derive

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/spec"
)

// exprGen draws random well-shaped expressions over randomInputs: a, b
// vector(n); c vector(m); A matrix(n, n); X matrix(n, m); s scalar; S
// symmetric(n); P spd(n). Besides compositions it draws the corners where
// rules meet: an argument shared by the terms of a sum (diag(A) in
// diag(A)ᵀw + sum(exp(diag(A)))), transposed and symmetric arguments of
// diag, det, logdet and inv, row vectors, reductions of scalars, and fills
// whose shape comes from a scalar or outer product.
type exprGen struct{ rng *rand.Rand }

// pick draws one of options, parenthesised so it composes as an operand.
func (g exprGen) pick(options ...func() string) string {
	e := options[g.rng.IntN(len(options))]()
	if strings.Contains(e, " ") {
		return "(" + e + ")"
	}
	return e
}

var smooth = []string{"exp", "sin", "cos", "tanh", "sigmoid", "softplus", "arctan"}

func (g exprGen) fn() string { return smooth[g.rng.IntN(len(smooth))] }

func (g exprGen) scalar(d int) string {
	if d == 0 {
		return g.pick(func() string { return "s" }, func() string { return fmt.Sprint(1 + g.rng.IntN(3)) })
	}
	return g.pick(
		func() string { return "sum(" + g.vecN(d-1) + ")" },
		func() string { return "tr(" + g.sq(d-1) + ")" },
		func() string { return "(" + g.vecN(d-1) + ")' * " + g.vecN(d-1) },
		func() string { return g.scalar(d-1) + " * " + g.scalar(d-1) },
		func() string { return g.scalar(d-1) + " - " + g.scalar(d-1) },
		func() string { return g.fn() + "(" + g.scalar(d-1) + ")" },
		func() string { return "dot(" + g.mat(d-1) + ", X)" },
		func() string { return "logsumexp(" + g.vecN(d-1) + ")" },
		func() string { return "norm2(" + g.vecN(d-1) + " + vector(3))" },
		func() string { return "det(A) + logdet(A)" },
		func() string { return "(" + g.scalar(d-1) + ") ^ 2" },
		func() string { return g.scalar(d-1) + " / (2 + sigmoid(s))" },
		func() string {
			return "dot(diag(" + g.sq(d-1) + "), " + g.vecN(d-1) + ") + sum(" + g.fn() + "(diag(" + g.sq(d-1) + ")))"
		},
		func() string { return "tr(" + g.sq(d-1) + " + " + g.sq(d-1) + ")" },
		func() string { return "dot((" + g.vecN(d-1) + ")', (" + g.vecN(d-1) + ")')" },
		func() string { return "sum((" + g.vecN(d-1) + ")' .^ 2)" },
		func() string { return "norm2(" + g.scalar(d-1) + ") + logsumexp(" + g.scalar(d-1) + ")" },
		func() string { return "det(A') + logdet(A') + logdet(P) + tr(inv(P') * S)" },
		func() string { return "(" + g.vecN(d-1) + ")' * inv(P) * " + g.vecN(d-1) },
		func() string { return "sum((" + g.scalar(d-1) + " * vector(1)) .* " + g.vecN(d-1) + ")" },
		func() string { return "sum((" + g.vecN(d-1) + ")' * S)" },
	)
}

func (g exprGen) vecN(d int) string {
	if d == 0 {
		return g.pick(func() string { return "a" }, func() string { return "b" })
	}
	return g.pick(
		func() string { return g.sq(d-1) + " * " + g.vecN(d-1) },
		func() string { return "X * c" },
		func() string { return g.vecN(d-1) + " + " + g.vecN(d-1) },
		func() string { return g.vecN(d-1) + " .* " + g.vecN(d-1) },
		func() string { return g.vecN(d-1) + " ./ (2 + " + "sigmoid(" + g.vecN(d-1) + "))" },
		func() string { return g.scalar(d-1) + " * " + g.vecN(d-1) },
		func() string { return g.fn() + "(" + g.vecN(d-1) + ")" },
		func() string { return "diag(" + g.sq(d-1) + ")" },
		func() string { return "inv(A) * " + g.vecN(d-1) },
		func() string { return "(" + g.vecN(d-1) + ") .^ 2" },
		func() string { return "1 - " + g.vecN(d-1) },
		func() string { return "diag((" + g.sq(d-1) + ")')" },
		func() string { return "S * " + g.vecN(d-1) },
		func() string { return "((" + g.vecN(d-1) + ")' .^ 2)'" },
		func() string { return "((" + g.vecN(d-1) + ") * c' + vector(1) * c') * c" },
	)
}

func (g exprGen) sq(d int) string {
	if d == 0 {
		return g.pick(func() string { return "A" }, func() string { return "A'" },
			func() string { return "S" }, func() string { return "P" })
	}
	return g.pick(
		func() string { return g.sq(d-1) + " * " + g.sq(d-1) },
		func() string { return g.vecN(d-1) + " * (" + g.vecN(d-1) + ")'" },
		func() string { return "X * X'" },
		func() string { return "(" + g.sq(d-1) + ")'" },
		func() string { return g.sq(d-1) + " - " + g.sq(d-1) },
		func() string { return g.fn() + "(" + g.sq(d-1) + ")" },
		func() string { return "diag(" + g.vecN(d-1) + ")" },
		func() string { return "inv(A)" },
		func() string { return g.sq(d-1) + " + eye(n)" },
		func() string { return "inv(P) * " + g.sq(d-1) },
		func() string { return "A + vector(1) * (" + g.vecN(d-1) + ")'" },
	)
}

func (g exprGen) mat(d int) string {
	if d == 0 {
		return "X"
	}
	return g.pick(
		func() string { return g.sq(d-1) + " * X" },
		func() string { return g.vecN(d-1) + " * c'" },
		func() string { return g.fn() + "(" + g.mat(d-1) + ")" },
		func() string { return g.mat(d-1) + " .* X" },
	)
}

const randomInputs = `
      a: vector(n)
      b: vector(n)
      c: vector(m)
      A: matrix(n, n)
      X: matrix(n, m)
      s: scalar
      S: symmetric(n)
      P: spd(n)`

var (
	randomCases = flag.Int("random.n", 300, "how many random expressions TestRandomExpressions checks")
	randomSeed  = flag.Uint64("random.seed", 12, "the seed of TestRandomExpressions")
)

// TestRandomExpressions differentiates random expressions and compares
// the derived gradients, evaluated by the reference evaluator, with
// central finite differences of the reference value: the derivative rules
// and the simplifier checked together, with no code generation.
func TestRandomExpressions(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, *randomSeed))
	gen := exprGen{rng}
	cases := *randomCases
	if testing.Short() {
		cases = 50
	}
	for k := 0; k < cases; k++ {
		expr := gen.scalar(1 + rng.IntN(3))
		src := "functions:\n  - name: F\n    inputs:" + randomInputs + "\n    expr: \"" + expr + "\"\n    hessian: true\n"
		file, err := spec.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		fns, err := Build(file)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		checkAgainstFiniteDifferences(t, expr, fns[0], rng)
	}
}

func checkAgainstFiniteDifferences(t *testing.T, expr string, fn *Function, rng *rand.Rand) {
	dims := map[string]int{"n": 2 + rng.IntN(3), "m": 2 + rng.IntN(3)}
	inputs := randomPoint(fn, dims, rng)
	value := func() float64 { return NewEvaluator(inputs, dims).Eval(fn.Value).At(0, 0) }
	if v := value(); math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
		return // outside the domain this test can check
	}
	ev := NewEvaluator(inputs, dims)
	for k, w := range fn.Wrt {
		x := inputs[w.Name].RawMatrix().Data
		x0 := append([]float64(nil), x...)
		// A symmetric input varies as (P + Pᵀ)/2, whose gradient in P is
		// the symmetric gradient (G + Gᵀ)/2 the derivation returns.
		sym := w.Node.Sym && !w.Shape.IsScalar()
		numeric := fd.Gradient(nil, func(p []float64) float64 {
			copy(x, p)
			if sym {
				copy(x, symmetrize(inputs[w.Name]).RawMatrix().Data)
			}
			defer copy(x, x0)
			return value()
		}, append([]float64(nil), x0...), &fd.Settings{Formula: fd.Central})
		var symbolic []float64
		if g := fn.Grads[k]; g != nil {
			symbolic = ev.Eval(g).RawMatrix().Data
		} else {
			symbolic = make([]float64, len(x))
		}
		for i := range numeric {
			if math.Abs(numeric[i]) > 1e3 {
				return // too steep for central differences to check
			}
			if math.Abs(numeric[i]-symbolic[i]) > 1e-4*math.Max(1, math.Abs(numeric[i])) {
				t.Errorf("%s\n∂f/∂%s = %s\nentry %d: derived %v, finite differences %v",
					expr, w.Name, Format(fn.Grads[k], Plain, nil), i, symbolic[i], numeric[i])
				return
			}
		}
		// Forward mode agrees with reverse mode: df in a random direction
		// D is Σ G ⊙ D.
		dir := mat.NewDense(sizeOf(w.Shape.Rows, dims), sizeOf(w.Shape.Cols, dims), nil)
		for i := range dir.RawMatrix().Data {
			dir.RawMatrix().Data[i] = rng.NormFloat64()
		}
		if sym {
			dir = symmetrize(dir)
		}
		dx := fn.Graph.Var("direction", w.Shape, sym)
		with := map[string]*mat.Dense{"direction": dir}
		for name, v := range inputs {
			with[name] = v
		}
		forward := 0.0
		if df := fn.Graph.Differential(fn.Value, w.Node, dx); df != nil {
			forward = NewEvaluator(with, dims).Eval(df).At(0, 0)
		}
		reverse := 0.0
		for i, d := range dir.RawMatrix().Data {
			reverse += symbolic[i] * d
		}
		if math.Abs(forward-reverse) > 1e-9*math.Max(1, math.Abs(reverse)) {
			t.Errorf("%s\nd%s: forward mode %v, reverse mode %v", expr, w.Name, forward, reverse)
		}
	}
	if fn.HessVec != nil {
		checkHessVec(t, expr, fn, inputs, dims, rng)
	}
}

// checkHessVec compares the Hessian-vector products, the tangents of the
// gradients, with central differences of the gradients along the same
// directions: the Tangent rules checked on the expressions the Adjoint
// rules produce.
func checkHessVec(t *testing.T, expr string, fn *Function, inputs map[string]*mat.Dense, dims map[string]int, rng *rand.Rand) {
	with := map[string]*mat.Dense{}
	for name, v := range inputs {
		with[name] = v
	}
	dirs := make([]*mat.Dense, len(fn.Wrt))
	for k, w := range fn.Wrt {
		d := mat.NewDense(sizeOf(w.Shape.Rows, dims), sizeOf(w.Shape.Cols, dims), nil)
		for i := range d.RawMatrix().Data {
			d.RawMatrix().Data[i] = rng.NormFloat64()
		}
		if w.Node.Sym && !w.Shape.IsScalar() {
			d = symmetrize(d)
		}
		dirs[k] = d
		with[fn.HessDirs[k].Name] = d
	}
	// gradsAt returns the gradients at the inputs moved by h along dirs.
	gradsAt := func(h float64) []*mat.Dense {
		moved := map[string]*mat.Dense{}
		for name, v := range inputs {
			moved[name] = v
		}
		for k, w := range fn.Wrt {
			var m mat.Dense
			m.Scale(h, dirs[k])
			m.Add(&m, inputs[w.Name])
			moved[w.Name] = &m
		}
		ev := NewEvaluator(moved, dims)
		out := make([]*mat.Dense, len(fn.Wrt))
		for k, w := range fn.Wrt {
			out[k] = mat.NewDense(sizeOf(w.Shape.Rows, dims), sizeOf(w.Shape.Cols, dims), nil)
			if fn.Grads[k] != nil {
				out[k] = ev.Eval(fn.Grads[k])
			}
		}
		return out
	}
	const h = 1e-5
	plus, minus := gradsAt(h), gradsAt(-h)
	ev := NewEvaluator(with, dims)
	for k, w := range fn.Wrt {
		var numeric mat.Dense
		numeric.Sub(plus[k], minus[k])
		numeric.Scale(1/(2*h), &numeric)
		symbolic := mat.NewDense(sizeOf(w.Shape.Rows, dims), sizeOf(w.Shape.Cols, dims), nil)
		if hv := fn.HessVec[k]; hv != nil {
			symbolic = ev.Eval(hv)
		}
		for i, want := range numeric.RawMatrix().Data {
			if got := symbolic.RawMatrix().Data[i]; math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Errorf("%s\nHessian-vector product for %s = %s\nentry %d: derived %v, finite differences %v",
					expr, w.Name, Format(fn.HessVec[k], Plain, nil), i, got, want)
				return
			}
		}
	}
}

// randomPoint draws fn's inputs: entries in (-0.5, 0.5), symmetric inputs
// symmetric, A and spd inputs with 2 added to the diagonal.
func randomPoint(fn *Function, dims map[string]int, rng *rand.Rand) map[string]*mat.Dense {
	inputs := map[string]*mat.Dense{}
	for _, in := range fn.Inputs {
		r, c := sizeOf(in.Shape.Rows, dims), sizeOf(in.Shape.Cols, dims)
		m := mat.NewDense(r, c, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Set(i, j, rng.Float64()-0.5)
			}
		}
		if in.Node.Sym && !in.Shape.IsScalar() {
			m = symmetrize(m)
		}
		if in.Name == "A" || in.Kind == spec.SPD { // well conditioned, and P positive definite
			for i := 0; i < r; i++ {
				m.Set(i, i, m.At(i, i)+2)
			}
		}
		inputs[in.Name] = m
	}
	return inputs
}

// symmetrize returns (M + Mᵀ)/2.
func symmetrize(m *mat.Dense) *mat.Dense {
	var out mat.Dense
	out.Add(m, m.T())
	out.Scale(0.5, &out)
	return &out
}

func sizeOf(d Dim, dims map[string]int) int {
	if d.Name == "" {
		return d.Size
	}
	return dims[d.Name]
}

// TestDegree checks the homogeneity degree of a few expressions, and that
// Euler's identity f = (1/d) Σ ⟨∇f, v⟩ holds for the homogeneous ones.
func TestDegree(t *testing.T) {
	tests := []struct {
		expr string
		d    int
		ok   bool
	}{
		{"a' * A * a", 2, true},
		{"tr(a * b' * A)", 2, true},
		{"sum(exp(a))", 0, false},
		{"norm2(a) + sum(abs(a))", 1, true},
		{"a' * inv(A) * a", 2, true},
		{"a' * a + sum(a)", 0, false},
		{"(a' * a) ^ 3 / sum(a)", 5, true},
		{"s * a' * b", 3, true},
	}
	for _, tt := range tests {
		src := "functions:\n  - name: F\n    inputs:" + randomInputs + "\n    expr: \"" + tt.expr + "\"\n    wrt: [a, b, s]\n"
		file, err := spec.Load("degree.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		fns, err := Build(file)
		if err != nil {
			t.Fatal(err)
		}
		fn := fns[0]
		var vars []*Node
		for _, w := range fn.Wrt {
			vars = append(vars, w.Node)
		}
		d, ok := Degree(fn.Value, vars)
		if ok != tt.ok || (ok && d != tt.d) {
			t.Errorf("Degree(%s) = %d, %v; want %d, %v", tt.expr, d, ok, tt.d, tt.ok)
		}
		if !ok || d == 0 {
			continue
		}
		rng := rand.New(rand.NewPCG(3, 4))
		dims := map[string]int{"n": 3, "m": 2}
		inputs := map[string]*mat.Dense{}
		for _, in := range fn.Inputs {
			m := mat.NewDense(sizeOf(in.Shape.Rows, dims), sizeOf(in.Shape.Cols, dims), nil)
			for i := range m.RawMatrix().Data {
				m.RawMatrix().Data[i] = 0.5 + rng.Float64()
			}
			inputs[in.Name] = m
		}
		ev := NewEvaluator(inputs, dims)
		euler := 0.0
		for k, w := range fn.Wrt {
			if fn.Grads[k] != nil {
				euler += mat.Dot(mat.NewVecDense(len(inputs[w.Name].RawMatrix().Data), ev.Eval(fn.Grads[k]).RawMatrix().Data),
					mat.NewVecDense(len(inputs[w.Name].RawMatrix().Data), inputs[w.Name].RawMatrix().Data))
			}
		}
		if f := ev.Eval(fn.Value).At(0, 0); math.Abs(f-euler/float64(d)) > 1e-12*math.Abs(f) {
			t.Errorf("%s: f = %v, but Σ⟨∇f, v⟩/%d = %v", tt.expr, f, d, euler/float64(d))
		}
	}
}

// TestRandomHessianBlocks checks the dense Hessian's blocks, read off the
// Hessian-vector products' structure (HessBlocks), against central
// differences of the gradients, for random expressions with respect to
// the vector and scalar inputs.
func TestRandomHessianBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, *randomSeed))
	gen := exprGen{rng}
	cases := *randomCases / 3
	for k := 0; k < cases; k++ {
		expr := gen.scalar(1 + rng.IntN(3))
		src := "functions:\n  - name: F\n    inputs:" + randomInputs + "\n    expr: \"" + expr + "\"\n    wrt: [a, s, c]\n    hessian: true\n"
		file, err := spec.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		fns, err := Build(file)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		checkHessianBlocks(t, expr, fns[0], rng)
	}
}

func checkHessianBlocks(t *testing.T, expr string, fn *Function, rng *rand.Rand) {
	if !fn.HessStructured {
		return // FHessian forms the blocks from Hessian-vector products
	}
	dims := map[string]int{"n": 2 + rng.IntN(3), "m": 2 + rng.IntN(3)}
	inputs := randomPoint(fn, dims, rng)
	if v := NewEvaluator(inputs, dims).Eval(fn.Value).At(0, 0); math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
		return
	}
	ev := NewEvaluator(inputs, dims)
	// gradAt returns ∂f/∂w_i with entry l of w_j moved by h.
	gradAt := func(i, j, l int, h float64) []float64 {
		x := inputs[fn.Wrt[j].Name].RawMatrix().Data
		x[l] += h
		defer func() { x[l] -= h }()
		w := fn.Wrt[i]
		if fn.Grads[i] == nil {
			return make([]float64, sizeOf(w.Shape.Rows, dims)*sizeOf(w.Shape.Cols, dims))
		}
		return append([]float64(nil), NewEvaluator(inputs, dims).Eval(fn.Grads[i]).RawMatrix().Data...)
	}
	for _, b := range fn.HessBlocks {
		block := evalBlock(fn, b, ev, dims)
		rows, cols := block.Dims()
		for l := 0; l < cols; l++ {
			const h = 1e-5
			plus, minus := gradAt(b.Row, b.Col, l, h), gradAt(b.Row, b.Col, l, -h)
			for r := 0; r < rows; r++ {
				want := (plus[r] - minus[r]) / (2 * h)
				if math.Abs(want) > 1e3 {
					return // too steep for central differences to check
				}
				if got := block.At(r, l); math.Abs(got-want) > 1e-4*math.Max(1, math.Abs(want)) {
					t.Errorf("%s\nHessian block (%s, %s) entry (%d, %d): derived %v, finite differences %v",
						expr, fn.Wrt[b.Row].Name, fn.Wrt[b.Col].Name, r, l, got, want)
					return
				}
			}
		}
	}
}

// evalBlock evaluates a dense Hessian block: its column for a scalar wrt,
// the sum of its terms Coef·Left·diag(Diag)·Right otherwise.
func evalBlock(fn *Function, b *HessBlock, ev *Evaluator, dims map[string]int) *mat.Dense {
	rowW, colW := fn.Wrt[b.Row], fn.Wrt[b.Col]
	rows := sizeOf(rowW.Shape.Rows, dims) * sizeOf(rowW.Shape.Cols, dims)
	cols := sizeOf(colW.Shape.Rows, dims) * sizeOf(colW.Shape.Cols, dims)
	out := mat.NewDense(rows, cols, nil)
	if colW.IsScalarInput() {
		if b.Column != nil {
			out.Copy(mat.NewDense(rows, 1, ev.Eval(b.Column).RawMatrix().Data))
		}
		return out
	}
	for _, term := range b.Terms {
		var m *mat.Dense
		times := func(f *mat.Dense) {
			if m == nil {
				m = mat.DenseCopyOf(f)
				return
			}
			var next mat.Dense
			next.Mul(m, f)
			m = &next
		}
		for _, f := range term.Left {
			times(ev.Eval(f))
		}
		if term.Diag != nil {
			d := ev.Eval(term.Diag).RawMatrix().Data
			dm := mat.NewDense(len(d), len(d), nil)
			for i, v := range d {
				dm.Set(i, i, v)
			}
			times(dm)
		}
		for _, f := range term.Right {
			times(ev.Eval(f))
		}
		if m == nil {
			m = mat.NewDense(cols, cols, nil)
			for i := 0; i < cols; i++ {
				m.Set(i, i, 1)
			}
		}
		if term.Coef != nil {
			m.Scale(ev.Eval(term.Coef).At(0, 0), m)
		}
		out.Add(out, m)
	}
	return out
}

// TestRandomJacobians checks vector- and matrix-valued random expressions:
// the JVP, each Jacobian's differential and, where the Jacobian is read
// off its structure, the sum of its LinearTerms applied to the direction,
// against central differences of F along the same directions.
func TestRandomJacobians(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, *randomSeed))
	gen := exprGen{rng}
	cases := *randomCases / 3
	for k := 0; k < cases; k++ {
		expr := gen.vecN(1 + rng.IntN(3))
		if k%2 == 1 {
			expr = gen.sq(1 + rng.IntN(3))
		}
		src := "functions:\n  - name: F\n    inputs:" + randomInputs + "\n    expr: \"" + expr + "\"\n    wrt: [a, s, A, X]\n"
		file, err := spec.Load("random.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		fns, err := Build(file)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		checkJacobians(t, expr, fns[0], rng)
	}
}

func checkJacobians(t *testing.T, expr string, fn *Function, rng *rand.Rand) {
	dims := map[string]int{"n": 2 + rng.IntN(3), "m": 2 + rng.IntN(3)}
	inputs := randomPoint(fn, dims, rng)
	with := map[string]*mat.Dense{}
	for name, v := range inputs {
		with[name] = v
	}
	dirs := make([]*mat.Dense, len(fn.Wrt))
	for k, w := range fn.Wrt {
		dirs[k] = mat.NewDense(sizeOf(w.Shape.Rows, dims), sizeOf(w.Shape.Cols, dims), nil)
		for i := range dirs[k].RawMatrix().Data {
			dirs[k].RawMatrix().Data[i] = rng.NormFloat64()
		}
		with[fn.JVPDirs[k].Name] = dirs[k]
	}
	// along returns the central difference of F along the directions of
	// the wrt inputs in moving.
	along := func(moving ...int) *mat.Dense {
		at := func(h float64) *mat.Dense {
			moved := map[string]*mat.Dense{}
			for name, v := range inputs {
				moved[name] = v
			}
			for _, k := range moving {
				var m mat.Dense
				m.Scale(h, dirs[k])
				m.Add(&m, inputs[fn.Wrt[k].Name])
				moved[fn.Wrt[k].Name] = &m
			}
			return NewEvaluator(moved, dims).Eval(fn.Value)
		}
		const h = 1e-5
		var d mat.Dense
		d.Sub(at(h), at(-h))
		d.Scale(1/(2*h), &d)
		return &d
	}
	ev := NewEvaluator(with, dims)
	value := ev.Eval(fn.Value)
	r, c := value.Dims()
	evalOrZero := func(n *Node) *mat.Dense {
		if n == nil {
			return mat.NewDense(r, c, nil)
		}
		return ev.Eval(n)
	}
	check := func(what string, got, want *mat.Dense) bool {
		for i, w := range want.RawMatrix().Data {
			if math.IsNaN(w) || math.Abs(w) > 1e3 {
				return false // outside the domain central differences check
			}
			if g := got.RawMatrix().Data[i]; math.Abs(g-w) > 1e-4*math.Max(1, math.Abs(w)) {
				t.Errorf("%s\n%s entry %d: derived %v, finite differences %v", expr, what, i, g, w)
				return false
			}
		}
		return true
	}
	all := make([]int, len(fn.Wrt))
	for k := range all {
		all[k] = k
	}
	if !check("JVP "+Format(fn.JVP, Plain, nil), evalOrZero(fn.JVP), along(all...)) {
		return
	}
	for k, jac := range fn.Jacobians {
		want := along(k)
		if !check("differential in "+jac.Wrt.Name, evalOrZero(jac.Differential), want) {
			return
		}
		if jac.Wrt.IsScalarInput() {
			got := evalOrZero(jac.Derivative)
			got.Scale(dirs[k].At(0, 0), got)
			check("derivative in "+jac.Wrt.Name, got, want)
			continue
		}
		if jac.Structured {
			check("linear terms in "+jac.Wrt.Name, applyTerms(fn.Graph, jac, ev, r, c), want)
		}
	}
}

// applyTerms evaluates Σ Coef·Left·dW·Right (dWᵀ when Trans), or
// Coef·(Hadamard ⊙ dW), over the Jacobian's terms.
func applyTerms(g *Graph, jac *Jacobian, ev *Evaluator, r, c int) *mat.Dense {
	out := mat.NewDense(r, c, nil)
	for _, term := range jac.Terms {
		var m *Node
		switch {
		case term.Hadamard != nil:
			m = g.Hadamard(term.Hadamard, jac.Dir)
		default:
			dw := jac.Dir
			if term.Trans {
				dw = g.T(dw)
			}
			m = g.Mul(append(append(append([]*Node{}, term.Left...), dw), term.Right...)...)
		}
		if term.Coef != nil {
			m = g.Scale(term.Coef, m)
		}
		out.Add(out, ev.Eval(m))
	}
	return out
}
