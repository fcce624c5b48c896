package derive

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// value is an evaluated node: every value is a dense matrix, a scalar 1×1
// and a vector n×1.
type value struct{ m *mat.Dense }

func scalarValue(v float64) value { return value{mat.NewDense(1, 1, []float64{v})} }

func (v value) scalar() float64 { return v.m.At(0, 0) }

func (v value) apply(f func(float64) float64) value {
	var out mat.Dense
	out.Apply(func(_, _ int, x float64) float64 { return f(x) }, v.m)
	return value{&out}
}

func (v value) zip(w value, f func(x, y float64) float64) value {
	r, c := v.m.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, f(v.m.At(i, j), w.m.At(i, j)))
		}
	}
	return value{out}
}

func (v value) t() value { return value{mat.DenseCopyOf(v.m.T())} }

func (v value) scale(s float64) value {
	var out mat.Dense
	out.Scale(s, v.m)
	return value{&out}
}

func (v value) sum() float64 { return mat.Sum(v.m) }

func (v value) trace() float64 { return mat.Trace(v.m) }

func (v value) norm2() float64 { return mat.Norm(v.m, 2) }

// softmax returns exp(v − m) ⊘ sum(exp(v − m)) for m the largest entry.
func (v value) softmax() value {
	top := mat.Max(v.m)
	var out mat.Dense
	out.Apply(func(_, _ int, x float64) float64 { return math.Exp(x - top) }, v.m)
	s := mat.Sum(&out)
	out.Apply(func(_, _ int, x float64) float64 { return x / s }, &out)
	return value{&out}
}

// row returns row i of v as a 1×c value.
func (v value) row(i int) value {
	_, c := v.m.Dims()
	return value{mat.NewDense(1, c, mat.Row(nil, i, v.m))}
}

// logSumExpRows returns the vector of each row's log-sum-exp.
func (v value) logSumExpRows() value {
	r, _ := v.m.Dims()
	out := mat.NewDense(r, 1, nil)
	for i := 0; i < r; i++ {
		out.Set(i, 0, v.row(i).logSumExp())
	}
	return value{out}
}

// softmaxRows returns the softmax of each row.
func (v value) softmaxRows() value {
	r, c := v.m.Dims()
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		out.SetRow(i, v.row(i).softmax().m.RawMatrix().Data)
	}
	return value{out}
}

func (v value) logSumExp() float64 {
	top := mat.Max(v.m)
	if math.IsInf(top, 0) {
		return top
	}
	s := 0.0
	r, c := v.m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s += math.Exp(v.m.At(i, j) - top)
		}
	}
	return top + math.Log(s)
}

func (v value) det() float64 { return mat.Det(v.m) }

func (v value) logAbsDet() float64 {
	var lu mat.LU
	lu.Factorize(v.m)
	l, _ := lu.LogDet()
	return l
}

func (v value) inverse() value {
	var out mat.Dense
	if err := out.Inverse(v.m); err != nil {
		r, c := v.m.Dims()
		out = *mat.NewDense(r, c, nil)
		for i := range out.RawMatrix().Data {
			out.RawMatrix().Data[i] = math.NaN()
		}
	}
	return value{&out}
}

func (v value) diagMatrix() value {
	n, _ := v.m.Dims()
	out := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		out.Set(i, i, v.m.At(i, 0))
	}
	return value{out}
}

func (v value) diagVector() value {
	n, _ := v.m.Dims()
	out := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		out.Set(i, 0, v.m.At(i, i))
	}
	return value{out}
}

func sumValues(vs []value) value {
	out := mat.DenseCopyOf(vs[0].m)
	for _, v := range vs[1:] {
		out.Add(out, v.m)
	}
	return value{out}
}

func product(vs []value) value {
	out := mat.DenseCopyOf(vs[0].m)
	for _, v := range vs[1:] {
		var next mat.Dense
		next.Mul(out, v.m)
		out = &next
	}
	return value{out}
}

// Evaluator evaluates nodes on concrete inputs with gonum/mat: the
// reference semantics that tests compare generated code against.
type Evaluator struct {
	inputs map[string]*mat.Dense
	dims   map[string]int
	memo   map[*Node]value
}

// NewEvaluator returns an evaluator for the given inputs (scalars 1×1,
// vectors n×1) and dimension sizes.
func NewEvaluator(inputs map[string]*mat.Dense, dims map[string]int) *Evaluator {
	return &Evaluator{inputs: inputs, dims: dims, memo: map[*Node]value{}}
}

// Eval returns the value of n; nil (zero) is not allowed.
func (e *Evaluator) Eval(n *Node) *mat.Dense { return e.eval(n).m }

func (e *Evaluator) eval(n *Node) value {
	if v, ok := e.memo[n]; ok {
		return v
	}
	args := make([]value, len(n.Args))
	for i, a := range n.Args {
		args[i] = e.eval(a)
	}
	v := n.Op.Eval(e, n, args)
	e.memo[n] = v
	return v
}

func (e *Evaluator) input(name string) value {
	m, ok := e.inputs[name]
	if !ok {
		panic(fmt.Sprintf("derive: no value for input %q", name))
	}
	return value{m}
}

func (e *Evaluator) size(d Dim) int {
	if d.Name == "" {
		return d.Size
	}
	n, ok := e.dims[d.Name]
	if !ok {
		panic(fmt.Sprintf("derive: no size for dimension %q", d.Name))
	}
	return n
}

func (e *Evaluator) eye(s Shape) value {
	n := e.size(s.Rows)
	out := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		out.Set(i, i, 1)
	}
	return value{out}
}

func (e *Evaluator) fill(s Shape, v float64) value {
	r, c := e.size(s.Rows), e.size(s.Cols)
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			out.Set(i, j, v)
		}
	}
	return value{out}
}
