package oracle

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// point is where a function is checked: a size for every dimension and a
// value for every input (row-major; symmetric inputs in full).
type point struct {
	dims   map[string]int
	values [][]float64 // in input order
	want   []float64   // the reference value of F, row-major
}

// drawPoint draws sizes and values for fn until every node of F is in
// the smooth interior of its operator's domain, well conditioned and of
// moderate size (at most tries draws); ok is false when none was.
func drawPoint(r *rand.Rand, fn *derive.Function, tries int) (p point, why string, ok bool) {
	for try := 0; try < tries; try++ {
		p = point{dims: map[string]int{}}
		for _, d := range fn.Dims {
			p.dims[d.Name] = []int{1, 2, 2, 3, 3, 3, 4, 4, 5}[r.IntN(9)]
		}
		// One scalar function in eight has a dimension large enough for
		// the kernels' size thresholds (tiles, panels, narrow products);
		// its derivatives are checked along random directions.
		if len(fn.Dims) > 0 && fn.Value.Shape.IsScalar() && r.IntN(8) == 0 {
			p.dims[fn.Dims[r.IntN(len(fn.Dims))].Name] = 33 + r.IntN(40)
		}
		size := func(d derive.Dim) int {
			if d.Name == "" {
				return d.Size
			}
			return p.dims[d.Name]
		}
		vals := map[string]*mat.Dense{}
		p.values = nil
		for _, in := range fn.Inputs {
			rows, cols := size(in.Shape.Rows), size(in.Shape.Cols)
			m := drawInput(r, in.Kind, rows, cols)
			vals[in.Name] = m
			p.values = append(p.values, flat(m))
		}
		why = domainCheck(fn, vals, p.dims)
		if why == "" {
			p.want = flat(derive.NewEvaluator(vals, p.dims).Eval(fn.Value))
			return p, "", true
		}
	}
	return p, why, false
}

// drawInput draws entries in ±[0.2, 1.2]; a general square matrix gets
// 1.5 added to its diagonal, an spd one is M Mᵀ/n + I/2.
func drawInput(r *rand.Rand, kind spec.TypeKind, rows, cols int) *mat.Dense {
	entry := func() float64 {
		v := 0.2 + r.Float64()
		if r.IntN(2) == 0 {
			return -v
		}
		return v
	}
	m := mat.NewDense(rows, cols, nil)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			m.Set(i, j, entry())
		}
	}
	switch kind {
	case spec.Matrix:
		if rows == cols {
			for i := 0; i < rows; i++ {
				m.Set(i, i, m.At(i, i)+1.5*math.Copysign(1, m.At(i, i)))
			}
		}
	case spec.Symmetric:
		for i := 0; i < rows; i++ {
			for j := 0; j < i; j++ {
				m.Set(i, j, m.At(j, i))
			}
		}
	case spec.SPD:
		var s mat.Dense
		s.Mul(m, m.T())
		s.Scale(1/float64(rows), &s)
		for i := 0; i < rows; i++ {
			s.Set(i, i, s.At(i, i)+0.5)
		}
		return &s
	}
	return m
}

func flat(m *mat.Dense) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

// Limits of a well-conditioned point.
const (
	maxMagnitude = 1e4 // every intermediate value
	maxCond      = 1e3 // every factorised matrix
	minNorm      = 0.1 // the argument of norm2
)

// domainCheck returns why the point is not well inside every operator's
// smooth domain ("" when it is): a non-finite or huge value anywhere; an
// elementwise function, power or quotient whose argument is near a kink,
// pole or edge (told by its own values, not a list of domains) at the
// scale of its argument or, where larger, as far as the harness's finite
// differences move the argument (see reach); an ill-conditioned matrix
// factorised; norm2 near 0.
func domainCheck(fn *derive.Function, vals map[string]*mat.Dense, dims map[string]int) (why string) {
	defer func() {
		if r := recover(); r != nil {
			why = fmt.Sprint("reference evaluation panicked: ", r)
		}
	}()
	nodes := derive.Postorder(fn.Value)
	ev := derive.NewEvaluator(vals, dims)
	for _, n := range nodes {
		if w := finite(ev.Eval(n)); w != "" {
			return n.Op.Name + ": " + w
		}
	}
	// At each argument's own scale first: most points refused are refused
	// there, before the differences' reach is measured.
	if why := operatorCheck(ev, nodes, nil); why != "" {
		return why
	}
	return operatorCheck(ev, nodes, reach(fn, vals, dims, ev, nodes))
}

// operatorCheck is domainCheck's check of each operator at its
// arguments, moved[a] (nil: nothing) how far the differences move an
// argument a.
func operatorCheck(ev *derive.Evaluator, nodes []*derive.Node, moved map[*derive.Node]*mat.Dense) string {
	for _, n := range nodes {
		switch {
		case n.Op.Scalar != nil:
			if w := smoothAt(n.Op.Scalar, ev.Eval(n.Args[0]), moved[n.Args[0]]); w != "" {
				return n.Op.Name + ": " + w
			}
		case n.Op == derive.OpPow:
			x, p := ev.Eval(n.Args[0]), ev.Eval(n.Args[1]).At(0, 0)
			if w := smoothAt(func(t float64) float64 { return math.Pow(t, p) }, x, moved[n.Args[0]]); w != "" {
				return "pow: " + w
			}
			if n.Args[1].Op != derive.OpConst && mat.Min(x) <= 0.1 {
				return "pow: a varying exponent needs a positive base"
			}
		case n.Op == derive.OpDiv:
			if w := smoothAt(func(t float64) float64 { return 1 / t }, ev.Eval(n.Args[1]), moved[n.Args[1]]); w != "" {
				return "div: " + w
			}
		case n.Op.Kind == derive.KindLinalg:
			if c := mat.Cond(ev.Eval(n.Args[0]), 2); c > maxCond || math.IsNaN(c) {
				return fmt.Sprintf("%s: condition number %.3g", n.Op.Name, c)
			}
		case n.Op == derive.OpNorm2:
			if mat.Norm(ev.Eval(n.Args[0]), 2) < minNorm {
				return "norm2 of a near-zero argument"
			}
		}
	}
	return ""
}

// The harness's finite differences (oracle/harness's diff, direction
// and bigInput): a central difference reaches stencilReach·max(1, |x|),
// three steps of 10⁻³, x the largest magnitude of the entries it moves;
// it moves one entry of a wrt input (with its mirror in a symmetric
// input), or every entry of a large input, or of every wrt input at
// once, along random directions whose entries are at most
// maxDirectionEntry/√(the input's size).
const (
	stencilReach      = 3e-3
	maxDirectionEntry = 1.5
	bigInput          = 48 // larger inputs are moved along directions only
	bigDirections     = 4  // random directions a large input is moved along here
)

// reach returns, for every node, how far each entry of its value moves
// when the harness takes its finite differences at the point. A step in
// an input becomes a large one in an argument the composition amplifies
// (tan(sinh((b − c)^−0.97)) at b − c = 0.15 moves tan's argument by ±30,
// many periods, for a step of 3·10⁻³ in c), so an argument is checked
// for smoothness over as far as it moves.
//
// The reach is the largest change at the outermost points of the
// stencil in any one entry of a wrt input or, where larger, the sum of
// those changes weighted as a direction moving every wrt input at once
// may weigh them (a first-order bound of the change along any of the
// harness's directions); a large input adds the largest change along a
// few random directions drawn as the harness draws its own (an
// estimate: moving its entries one at a time would cost thousands of
// evaluations, and the harness does not).
func reach(fn *derive.Function, vals map[string]*mat.Dense, dims map[string]int, ev *derive.Evaluator, nodes []*derive.Node) map[*derive.Node]*mat.Dense {
	largest := 1.0 // the joint step's scale: every wrt entry's magnitude
	for _, in := range fn.Wrt {
		largest = math.Max(largest, math.Max(mat.Max(vals[in.Name]), -mat.Min(vals[in.Name])))
	}
	jointStep := stencilReach * largest
	unit := map[*derive.Node]*mat.Dense{}  // the largest change in one entry
	joint := map[*derive.Node]*mat.Dense{} // the weighted sum of the changes
	for _, n := range nodes {
		r, c := ev.Eval(n).Dims()
		unit[n], joint[n] = mat.NewDense(r, c, nil), mat.NewDense(r, c, nil)
	}
	// change evaluates every node with input name moved to x and passes
	// each node's changes to add.
	change := func(name string, x *mat.Dense, add func(n *derive.Node, a, b int, d float64)) {
		at := map[string]*mat.Dense{}
		for k, v := range vals {
			at[k] = v
		}
		at[name] = x
		mev := derive.NewEvaluator(at, dims)
		for _, n := range nodes {
			v, v0 := mev.Eval(n), ev.Eval(n)
			r, c := v.Dims()
			for a := 0; a < r; a++ {
				for b := 0; b < c; b++ {
					d := math.Abs(v.At(a, b) - v0.At(a, b))
					if math.IsNaN(d) {
						d = math.Inf(1)
					}
					add(n, a, b, d)
				}
			}
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, in := range fn.Wrt {
		x := vals[in.Name]
		rows, cols := x.Dims()
		weight := maxDirectionEntry / math.Sqrt(float64(rows*cols))
		symmetric := in.Kind == spec.Symmetric || in.Kind == spec.SPD
		if rows*cols > bigInput {
			along := map[*derive.Node]*mat.Dense{}
			for _, n := range nodes {
				r, c := ev.Eval(n).Dims()
				along[n] = mat.NewDense(r, c, nil)
			}
			for k := 0; k < bigDirections; k++ {
				dir := mat.NewDense(rows, cols, nil)
				for i := 0; i < rows; i++ {
					for j := 0; j < cols; j++ {
						if !symmetric || j >= i {
							v := (0.5 + rnd.Float64()) / math.Sqrt(float64(rows*cols))
							if rnd.IntN(2) == 0 {
								v = -v
							}
							dir.Set(i, j, v)
							if symmetric {
								dir.Set(j, i, v)
							}
						}
					}
				}
				for _, sign := range []float64{-1, 1} {
					var moved mat.Dense
					moved.Scale(sign*jointStep, dir)
					moved.Add(x, &moved)
					change(in.Name, &moved, func(n *derive.Node, a, b int, d float64) {
						along[n].Set(a, b, math.Max(along[n].At(a, b), d))
					})
				}
			}
			for _, n := range nodes {
				joint[n].Add(joint[n], along[n])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if symmetric && j < i {
					continue
				}
				step := stencilReach * math.Max(1, math.Abs(x.At(i, j)))
				for _, sign := range []float64{-1, 1} {
					moved := mat.DenseCopyOf(x)
					moved.Set(i, j, x.At(i, j)+sign*step)
					if symmetric {
						moved.Set(j, i, moved.At(i, j))
					}
					change(in.Name, moved, func(n *derive.Node, a, b int, d float64) {
						unit[n].Set(a, b, math.Max(unit[n].At(a, b), d))
						// Along a direction this entry moves by at most
						// jointStep·weight, not step; each sign counts half.
						joint[n].Set(a, b, joint[n].At(a, b)+d*weight*jointStep/step/2)
					})
				}
			}
		}
	}
	for _, n := range nodes {
		unit[n].Apply(func(a, b int, v float64) float64 { return math.Max(v, joint[n].At(a, b)) }, unit[n])
	}
	return unit
}

func finite(m *mat.Dense) string {
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := m.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxMagnitude {
				return fmt.Sprintf("value %v", v)
			}
		}
	}
	return ""
}

// smoothAt reports an entry x of m where f is not smooth at the scale of
// the finite differences the harness takes, h = 0.05·max(1, |x|) or,
// where larger, the entry of reach (how far the differences move x; nil:
// not at all): the one-sided slopes over h, h/2, h/3 and h/4 must differ
// in proportion to the step, as they do where f is twice differentiable;
// a kink, jump or pole within h breaks the proportion. The step h/3 is
// there for periodic functions: where h is near a multiple of 4 periods,
// h, h/2 and h/4 all land near multiples of the period, a proportion of
// each other's offsets from them, and f looks smooth (tan at 248.17,
// h = 12.41 ≈ 4π); h/3 lands there only where h is near a multiple of
// 12 periods.
func smoothAt(f func(float64) float64, m, reach *mat.Dense) string {
	r, c := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x := m.At(i, j)
			h := 0.05 * math.Max(1, math.Abs(x))
			if reach != nil {
				h = math.Max(h, reach.At(i, j))
			}
			gap := func(h float64) float64 {
				fx := f(x)
				return (f(x+h)-fx)/h - (fx-f(x-h))/h
			}
			// The right slope converges where f is smooth; at a jump at x
			// itself (which leaves the gaps symmetric, and zero) it grows
			// as 1/h.
			right := func(h float64) float64 { return (f(x+h) - f(x)) / h }
			r1, r4 := right(h), right(h/4)
			g1, g2, g3, g4 := gap(h), gap(h/2), gap(h/3), gap(h/4)
			tol := 1e-6 * (1 + math.Abs(f(x)))
			sum := g1 + g2 + g3 + g4 + r1 + r4
			bad := math.IsNaN(sum) || math.IsInf(sum, 0) ||
				math.Abs(g1-2*g2) > 0.1*math.Abs(g1)+tol || math.Abs(g2-2*g4) > 0.1*math.Abs(g2)+tol ||
				math.Abs(g1-3*g3) > 0.1*math.Abs(g1)+tol ||
				math.Abs(r4) > 2*math.Abs(r1)+tol/h
			if bad {
				return fmt.Sprintf("not smooth at %v", x)
			}
		}
	}
	return ""
}
