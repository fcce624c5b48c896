package harness

import (
	"fmt"
	"hash/fnv"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Call is one call of a generated function: the adapters take its
// arguments from it (inputs, directions, destinations) and leave the
// scalar result in Result. Destinations are pre-filled (NaN or garbage),
// and on a strided call every matrix and vector is a view into a larger
// backing array whose padding (and, for a symmetric input, lower
// triangle) holds garbage that must stay as it was.
type Call struct {
	f       *Func
	in      [][]float64
	dirs    [][]float64
	fill    func(i int) float64
	strided bool

	backing [][]float64 // the arrays handed to the function as inputs
	copies  [][]float64 // their contents before the call
	readers []func() []float64

	// Result is the scalar the function returned.
	Result float64
	// Outs holds the destinations after the call, flattened row-major in
	// the order the adapter asked for them.
	Outs [][]float64
}

func fillNaN(int) float64 { return math.NaN() }

func fillGarbage(i int) float64 { return 1e300 * float64(1+i%7) * float64(1-2*(i%2)) }

const padding = -7.77e77 // what strided views hold between rows

func newCall(f *Func, in, dirs [][]float64, fill func(int) float64, strided bool) *Call {
	return &Call{f: f, in: in, dirs: dirs, fill: fill, strided: strided}
}

// invoke calls fn with c and collects its destinations.
func (c *Call) invoke(fn func(*Call)) {
	fn(c)
	for _, r := range c.readers {
		c.Outs = append(c.Outs, r())
	}
	c.readers = nil
}

func (c *Call) keep(b []float64) {
	c.backing = append(c.backing, b)
	c.copies = append(c.copies, append([]float64(nil), b...))
}

// checkInputs reports an input (or its padding) the call changed.
func (c *Call) checkInputs(ch *checker, role string) {
	for k, b := range c.backing {
		for e := range b {
			if math.Float64bits(b[e]) != math.Float64bits(c.copies[k][e]) {
				ch.fail(role, "inputs", "argument array %d changed at %d: %v, was %v", k, e, b[e], c.copies[k][e])
				return
			}
		}
	}
}

// sameOutputs reports the first difference between two calls' outputs.
func (c *Call) sameOutputs(d *Call) string {
	if math.Float64bits(c.Result) != math.Float64bits(d.Result) && !(math.IsNaN(c.Result) && math.IsNaN(d.Result)) {
		return fmt.Sprintf("result %v then %v", c.Result, d.Result)
	}
	for k := range c.Outs {
		for e := range c.Outs[k] {
			x, y := c.Outs[k][e], d.Outs[k][e]
			if math.Float64bits(x) != math.Float64bits(y) && !(math.IsNaN(x) && math.IsNaN(y)) {
				return fmt.Sprintf("destination %d entry %d: %v then %v", k, e, x, y)
			}
		}
	}
	return ""
}

// closeOutputs reports where two calls' outputs differ beyond rounding.
func (c *Call) closeOutputs(d *Call) string {
	if msg := close([]float64{d.Result}, []float64{c.Result}, 1e-10, 1e-12); msg != "" {
		return "result: " + msg
	}
	for k := range c.Outs {
		if msg := close(d.Outs[k], c.Outs[k], 1e-10, 1e-12); msg != "" {
			return fmt.Sprintf("destination %d: %s", k, msg)
		}
	}
	return ""
}

// Scalar returns input i.
func (c *Call) Scalar(i int) float64 { return c.in[i][0] }

// Vec returns input i as a vector.
func (c *Call) Vec(i int) *mat.VecDense { return c.vec(c.in[i], true) }

// Dense returns input i as a matrix.
func (c *Call) Dense(i int) *mat.Dense {
	a := c.f.Inputs[i]
	return c.dense(c.in[i], a.Rows, a.Cols, true)
}

// Sym returns input i as a symmetric matrix.
func (c *Call) Sym(i int) *mat.SymDense { return c.sym(c.in[i], c.f.Inputs[i].Rows, true) }

// DirScalar returns the direction for wrt input k.
func (c *Call) DirScalar(k int) float64 { return c.dirs[k][0] }

// DirVec returns the direction for wrt input k as a vector.
func (c *Call) DirVec(k int) *mat.VecDense { return c.vec(c.dirs[k], true) }

// DirDense returns the direction for wrt input k as a matrix.
func (c *Call) DirDense(k int) *mat.Dense {
	a := c.f.Inputs[c.f.Wrt[k]]
	return c.dense(c.dirs[k], a.Rows, a.Cols, true)
}

// DirSym returns the direction for wrt input k as a symmetric matrix.
func (c *Call) DirSym(k int) *mat.SymDense {
	return c.sym(c.dirs[k], c.f.Inputs[c.f.Wrt[k]].Rows, true)
}

// OutScalar returns a pre-filled scalar destination.
func (c *Call) OutScalar() *float64 {
	p := new(float64)
	*p = c.fill(len(c.readers))
	c.readers = append(c.readers, func() []float64 { return []float64{*p} })
	return p
}

// OutVec returns a pre-filled vector destination of length n.
func (c *Call) OutVec(n int) *mat.VecDense {
	data := make([]float64, n)
	for i := range data {
		data[i] = c.fill(i)
	}
	v := c.vec(data, false)
	c.readers = append(c.readers, func() []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v.AtVec(i)
		}
		return out
	})
	return v
}

// OutDense returns a pre-filled r×k matrix destination.
func (c *Call) OutDense(r, k int) *mat.Dense {
	data := make([]float64, r*k)
	for i := range data {
		data[i] = c.fill(i)
	}
	m := c.dense(data, r, k, false)
	c.readers = append(c.readers, func() []float64 { return denseData(m) })
	return m
}

// OutSym returns a pre-filled n×n symmetric destination.
func (c *Call) OutSym(n int) *mat.SymDense {
	data := make([]float64, n*n)
	for i := range data {
		data[i] = c.fill(i)
	}
	s := c.sym(data, n, false)
	c.readers = append(c.readers, func() []float64 { return denseData(s) })
	return s
}

func denseData(m mat.Matrix) []float64 {
	r, k := m.Dims()
	out := make([]float64, 0, r*k)
	for i := 0; i < r; i++ {
		for j := 0; j < k; j++ {
			out = append(out, m.At(i, j))
		}
	}
	return out
}

func (c *Call) vec(x []float64, input bool) *mat.VecDense {
	n := len(x)
	if !c.strided {
		b := append([]float64(nil), x...)
		if input {
			c.keep(b)
		}
		return mat.NewVecDense(n, b)
	}
	b := make([]float64, 2*n+1)
	for i := range b {
		b[i] = padding
	}
	for i, v := range x {
		b[2*i] = v
	}
	if input {
		c.keep(b)
	}
	var v mat.VecDense
	v.SetRawVector(blas64.Vector{N: n, Inc: 2, Data: b})
	return &v
}

func (c *Call) dense(x []float64, r, k int, input bool) *mat.Dense {
	if !c.strided {
		b := append([]float64(nil), x...)
		if input {
			c.keep(b)
		}
		return mat.NewDense(r, k, b)
	}
	stride := k + 3
	b := make([]float64, r*stride)
	for i := range b {
		b[i] = padding
	}
	for i := 0; i < r; i++ {
		copy(b[i*stride:i*stride+k], x[i*k:(i+1)*k])
	}
	if input {
		c.keep(b)
	}
	var m mat.Dense
	m.SetRawMatrix(blas64.General{Rows: r, Cols: k, Stride: stride, Data: b})
	return &m
}

// sym returns x (n×n, full) as a symmetric matrix; strided, its lower
// triangle and padding hold garbage, since only the upper triangle of a
// *mat.SymDense is its value.
func (c *Call) sym(x []float64, n int, input bool) *mat.SymDense {
	stride := n
	if c.strided {
		stride = n + 2
	}
	b := make([]float64, n*stride)
	for i := range b {
		b[i] = padding
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if j >= i || !c.strided {
				b[i*stride+j] = x[i*n+j]
			}
		}
	}
	if input {
		c.keep(b)
	}
	var s mat.SymDense
	s.SetRawSymmetric(blas64.Symmetric{N: n, Stride: stride, Uplo: blas.Upper, Data: b})
	return &s
}

// rng is a small deterministic generator (xorshift64*), seeded by name.
type rng struct{ s uint64 }

func newRand(name string, salt int) *rng {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", name, salt)
	s := h.Sum64()
	if s == 0 {
		s = 1
	}
	return &rng{s}
}

func (r *rng) next() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 2685821657736338717
}

// sym returns a number in ±[0.5, 1.5).
func (r *rng) sym() float64 {
	u := float64(r.next()>>11) / (1 << 53)
	if r.next()&1 == 1 {
		return -(0.5 + u)
	}
	return 0.5 + u
}

// vector returns n numbers in ±[0.5, 1.5).
func (r *rng) vector(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.sym()
	}
	return v
}
