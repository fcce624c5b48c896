package runtime

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// elements returns the offsets in buf of the elements f addresses, by
// enumeration.
func elements(buf []float64, f Footprint) map[int]bool {
	out := map[int]bool{}
	if len(f.Data) == 0 {
		return out
	}
	start := len(buf) - cap(f.Data)
	for i := range f.Rows {
		for j := range f.Cols {
			out[start+i*f.Step+j] = true
		}
	}
	return out
}

// bruteOverlaps reports whether a and b, both views of buf, share an
// element, by intersecting their element sets.
func bruteOverlaps(buf []float64, a, b Footprint) bool {
	eb := elements(buf, b)
	for e := range elements(buf, a) {
		if eb[e] {
			return true
		}
	}
	return false
}

// randomFootprint returns a random footprint inside buf: a matrix view
// (step ≥ cols), a vector (cols 1) or a single row, sometimes empty.
func randomFootprint(rng *rand.Rand, buf []float64) Footprint {
	rows, cols := rng.IntN(6), 1+rng.IntN(5)
	if rng.IntN(10) == 0 {
		cols = 0
	}
	step := cols + rng.IntN(6)
	if rng.IntN(3) == 0 {
		step = cols
	}
	need := 0
	if rows > 0 && cols > 0 {
		need = (rows-1)*step + cols
	}
	if need > len(buf) {
		rows, need = 1, cols
	}
	start := rng.IntN(len(buf) - need + 1)
	return Footprint{Data: buf[start : start+need], Rows: rows, Cols: cols, Step: step}
}

func TestOverlapsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]float64, 40)
	overlapping := 0
	for n := range 200000 {
		a, b := randomFootprint(rng, buf), randomFootprint(rng, buf)
		want := bruteOverlaps(buf, a, b)
		if got := Overlaps(a, b); got != want {
			t.Fatalf("case %d: Overlaps(%+v at %d, %+v at %d) = %v, want %v", n,
				a, len(buf)-cap(a.Data), b, len(buf)-cap(b.Data), got, want)
		}
		if got := Overlaps(b, a); got != want {
			t.Fatalf("case %d: Overlaps reversed = %v, want %v", n, got, want)
		}
		if want {
			overlapping++
		}
	}
	if overlapping < 20000 || overlapping > 180000 {
		t.Errorf("%d of 200000 random pairs overlap: the sample tests too little", overlapping)
	}
}

func TestOverlapsViews(t *testing.T) {
	big := mat.NewDense(6, 8, nil)
	other := mat.NewDense(6, 8, nil)
	gen := func(m mat.Matrix) Footprint { return MatrixFootprint(m.(*mat.Dense).RawMatrix()) }
	vec := func(v mat.Vector) Footprint { return VectorFootprint(v.(*mat.VecDense).RawVector()) }
	x := mat.NewVecDense(10, nil)
	s := mat.NewSymDense(4, nil)
	for _, test := range []struct {
		name string
		a, b Footprint
		want bool
	}{
		{"same matrix", gen(big), gen(big), true},
		{"different matrices", gen(big), gen(other), false},
		{"columns 0-2 and 3-5", gen(big.Slice(0, 3, 0, 3)), gen(big.Slice(0, 3, 3, 6)), false},
		{"columns 0-3 and 3-5", gen(big.Slice(0, 3, 0, 4)), gen(big.Slice(0, 3, 3, 6)), true},
		{"rows 0-2 and 3-5", gen(big.Slice(0, 3, 0, 8)), gen(big.Slice(3, 6, 0, 8)), false},
		{"corner element shared", gen(big.Slice(0, 3, 0, 3)), gen(big.Slice(2, 5, 2, 5)), true},
		{"diagonal blocks", gen(big.Slice(0, 3, 0, 3)), gen(big.Slice(3, 6, 3, 6)), false},
		{"block and a column beside it", gen(big.Slice(1, 5, 0, 4)), vec(big.ColView(4)), false},
		{"block and a column through it", gen(big.Slice(1, 5, 0, 4)), vec(big.ColView(3)), true},
		{"column below a block", gen(big.Slice(0, 2, 0, 4)), vec(big.ColView(1).(*mat.VecDense).SliceVec(2, 6)), false},
		{"row and column crossing", vec(big.RowView(2)), vec(big.ColView(5)), true},
		{"two columns", vec(big.ColView(2)), vec(big.ColView(5)), false},
		{"vector halves", vec(x.SliceVec(0, 5)), vec(x.SliceVec(5, 10)), false},
		{"vector halves sharing one", vec(x.SliceVec(0, 6)), vec(x.SliceVec(5, 10)), true},
		{"symmetric with itself", SymmetricFootprint(s.RawSymmetric()), SymmetricFootprint(s.RawSymmetric()), true},
		{"zero values", MatrixFootprint((&mat.Dense{}).RawMatrix()), gen(big), false},
		{"zero vector", VectorFootprint((&mat.VecDense{}).RawVector()), vec(x), false},
		{"pointer to an element inside", ScalarFootprint(&x.RawVector().Data[3]), vec(x.SliceVec(2, 5)), true},
		{"pointer to an element outside", ScalarFootprint(&x.RawVector().Data[5]), vec(x.SliceVec(2, 5)), false},
		{"pointer into a column's gap", ScalarFootprint(&big.RawMatrix().Data[9]), vec(big.ColView(2)), false},
		{"pointer on a column", ScalarFootprint(&big.RawMatrix().Data[10]), vec(big.ColView(2)), true},
		{"same pointer", ScalarFootprint(&x.RawVector().Data[1]), ScalarFootprint(&x.RawVector().Data[1]), true},
		{"nil pointer", ScalarFootprint((*float64)(nil)), vec(x), false},
		{"negative increment", VectorFootprint(blas64.Vector{N: 3, Inc: -2, Data: x.RawVector().Data[1:]}), vec(x.SliceVec(0, 1)), false},
		{"negative increment shared", VectorFootprint(blas64.Vector{N: 3, Inc: -2, Data: x.RawVector().Data[1:]}), vec(x.SliceVec(3, 4)), true},
	} {
		if got := Overlaps(test.a, test.b); got != test.want {
			t.Errorf("%s: Overlaps = %v, want %v", test.name, got, test.want)
		}
		if got := Overlaps(test.b, test.a); got != test.want {
			t.Errorf("%s reversed: Overlaps = %v, want %v", test.name, got, test.want)
		}
	}
}

func TestCheckNoAlias(t *testing.T) {
	big := mat.NewDense(3, 6, nil)
	in, dst := big.Slice(0, 3, 0, 3).(*mat.Dense), big.Slice(0, 3, 3, 6).(*mat.Dense)
	over := big.Slice(0, 3, 2, 5).(*mat.Dense)
	col0, col1, col4 := big.ColView(0).(*mat.VecDense), big.ColView(1).(*mat.VecDense), big.ColView(4).(*mat.VecDense)
	X := MatrixArg("X", in.RawMatrix())
	tests := []struct {
		name          string
		dests, inputs []Arg
		want          string // the panic message; empty for none
	}{
		{"disjoint views", []Arg{MatrixArg("dX", dst.RawMatrix())}, []Arg{X}, ""},
		{"overlapping views", []Arg{MatrixArg("dX", over.RawMatrix())}, []Arg{X}, "Bilinear: gradient dX shares memory with input X"},
		{"vector in a matrix", []Arg{VectorArg("dx", col1.RawVector())}, []Arg{X}, "Bilinear: gradient dx shares memory with input X"},
		{"scalar destination inside an input", []Arg{ScalarArg("ds", &big.RawMatrix().Data[7])}, []Arg{X}, "Bilinear: gradient ds shares memory with input X"},
		{"scalar destination beside an input", []Arg{ScalarArg("ds", &big.RawMatrix().Data[3])}, []Arg{X}, ""},
		{"nil scalar destination", []Arg{ScalarArg("ds", nil)}, []Arg{X}, ""},
		{"empty", []Arg{MatrixArg("dX", (&mat.Dense{}).RawMatrix())}, []Arg{X}, ""},
		{"symmetric input", []Arg{VectorArg("dx", mat.NewVecDense(3, nil).RawVector())}, []Arg{SymmetricArg("S", mat.NewSymDense(3, nil).RawSymmetric())}, ""},
		{"two disjoint destinations", []Arg{VectorArg("dx", col4.RawVector()), MatrixArg("dY", dst.Slice(0, 3, 2, 3).(*mat.Dense).RawMatrix())}, []Arg{X}, ""},
		{"destinations sharing a column", []Arg{VectorArg("dx", col4.RawVector()), MatrixArg("dY", dst.RawMatrix())}, []Arg{X}, "Bilinear: gradients dx and dY share memory"},
		{"the same destination twice", []Arg{VectorArg("dx", col0.RawVector()), VectorArg("dy", col0.RawVector())}, nil, "Bilinear: gradients dx and dy share memory"},
		{"input overlap reported before destinations", []Arg{VectorArg("dx", col4.RawVector()), MatrixArg("dY", big.RawMatrix())}, []Arg{X}, "Bilinear: gradient dY shares memory with input X"},
		{"inputs may share memory", []Arg{MatrixArg("dX", dst.RawMatrix())}, []Arg{X, MatrixArg("Y", in.RawMatrix())}, ""},
	}
	for _, test := range tests {
		if got := aliasPanic(func() { CheckNoAlias("Bilinear", test.dests, test.inputs) }); got != test.want {
			t.Errorf("%s: panic %q, want %q", test.name, got, test.want)
		}
		// The same arguments among many apart ones take the sorted path.
		dests, inputs := append(test.dests, padding("d", 10)...), append(test.inputs, padding("x", 10)...)
		if got := aliasPanic(func() { CheckNoAlias("Bilinear", dests, inputs) }); got != test.want {
			t.Errorf("%s among many: panic %q, want %q", test.name, got, test.want)
		}
	}
}

// padding returns n vector arguments named prefix0… on arrays of their own.
func padding(prefix string, n int) []Arg {
	out := make([]Arg, n)
	for k := range out {
		out[k] = VectorArg(prefix+strconv.Itoa(k), mat.NewVecDense(2, nil).RawVector())
	}
	return out
}

// aliasPanic runs f and returns the message of the *AliasError it panics
// with, or "" if it returns; any other panic is passed on.
func aliasPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			err, ok := r.(*AliasError)
			if !ok {
				panic(r)
			}
			msg = err.Error()
		}
	}()
	f()
	return ""
}

// bruteCheck returns the message CheckNoAlias must panic with for args
// that are views of buf, or "": the first destination's first overlap,
// inputs before earlier destinations, found by element sets.
func bruteCheck(buf []float64, fn string, dests, inputs []Arg) string {
	sets := func(args []Arg) []map[int]bool {
		out := make([]map[int]bool, len(args))
		for k, a := range args {
			out[k] = elements(buf, a.Elems)
		}
		return out
	}
	meet := func(a, b map[int]bool) bool {
		for e := range a {
			if b[e] {
				return true
			}
		}
		return false
	}
	ds, xs := sets(dests), sets(inputs)
	for d, g := range dests {
		for i, x := range inputs {
			if meet(ds[d], xs[i]) {
				return (&AliasError{Func: fn, Grad: g.Name, Input: x.Name}).Error()
			}
		}
		for p, o := range dests[:d] {
			if meet(ds[d], ds[p]) {
				return (&AliasError{Func: fn, Grad: g.Name, OtherGrad: o.Name}).Error()
			}
		}
	}
	return ""
}

// TestCheckNoAliasRandom checks CheckNoAlias on random views of one array
// against brute force, for few arguments (every pair tested), many (spans
// sorted) and more than maxSorted (every pair again), including which
// overlap is reported.
func TestCheckNoAliasRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 11))
	for _, size := range []struct{ dests, inputs, cases, buf int }{
		{1, 3, 3000, 60}, {3, 3, 3000, 80}, {5, 20, 1000, 1500}, {30, 30, 300, 40000}, {100, 100, 30, 300000}, {maxSorted / 2, 40, 10, 1000000}, {maxSorted, 40, 3, 3000000},
	} {
		panics := 0
		for n := range size.cases {
			buf := make([]float64, size.buf)
			args := func(prefix string, count int) []Arg {
				out := make([]Arg, count)
				for k := range out {
					out[k] = Arg{Name: prefix + strconv.Itoa(k), Elems: randomFootprint(rng, buf)}
				}
				return out
			}
			dests, inputs := args("d", size.dests), args("x", size.inputs)
			want := bruteCheck(buf, "F", dests, inputs)
			if got := aliasPanic(func() { CheckNoAlias("F", dests, inputs) }); got != want {
				t.Fatalf("%d×%d case %d: panic %q, want %q", size.dests, size.inputs, n, got, want)
			}
			if want != "" {
				panics++
			}
		}
		t.Logf("%d destinations, %d inputs: %d of %d cases overlap", size.dests, size.inputs, panics, size.cases)
	}
}

func TestCheckNoAliasAllocates(t *testing.T) {
	big := mat.NewDense(3, 6, nil)
	in, dst := big.Slice(0, 3, 0, 3).(*mat.Dense), big.Slice(0, 3, 3, 6).(*mat.Dense)
	x, s := mat.NewVecDense(4, nil), mat.NewSymDense(3, nil)
	many := padding("x", 40)
	if n := testing.AllocsPerRun(10, func() {
		CheckNoAlias("F", []Arg{MatrixArg("dX", dst.RawMatrix()), VectorArg("dx", x.RawVector())},
			[]Arg{MatrixArg("X", in.RawMatrix()), SymmetricArg("S", s.RawSymmetric())})
		CheckNoAlias("F", []Arg{MatrixArg("dX", dst.RawMatrix()), VectorArg("dx", x.RawVector())}, many)
	}); n != 0 {
		t.Errorf("CheckNoAlias allocates %v times, want 0", n)
	}
}

// BenchmarkCheckNoAlias measures one generated function's check: B1's
// shape (one destination, three inputs), and 200 inputs (sorted spans).
func BenchmarkCheckNoAlias(b *testing.B) {
	dX, X := mat.NewDense(16, 16, nil), mat.NewDense(16, 16, nil)
	u, v := mat.NewVecDense(16, nil), mat.NewVecDense(16, nil)
	b.Run("B1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			CheckNoAlias("F", []Arg{MatrixArg("dX", dX.RawMatrix())},
				[]Arg{MatrixArg("X", X.RawMatrix()), VectorArg("u", u.RawVector()), VectorArg("v", v.RawVector())})
		}
	})
	b.Run("200 inputs", func(b *testing.B) {
		inputs, dests := padding("x", 200), padding("dx", 200)
		b.ReportAllocs()
		for b.Loop() {
			CheckNoAlias("F", dests, inputs)
		}
	})
}
