package runtime

import (
	"math/rand/v2"
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
	checkNoPanic(t, "disjoint views", func() {
		CheckNoAlias("Bilinear", "dX", MatrixFootprint(dst.RawMatrix()), "X", MatrixFootprint(in.RawMatrix()))
	})
	over := big.Slice(0, 3, 2, 5).(*mat.Dense)
	checkPanic(t, "overlapping views", "Bilinear: gradient dX shares memory with input X",
		func() {
			CheckNoAlias("Bilinear", "dX", MatrixFootprint(over.RawMatrix()), "X", MatrixFootprint(in.RawMatrix()))
		})
	col := big.ColView(1).(*mat.VecDense)
	checkPanic(t, "vector in a matrix", "Bilinear: gradient dx shares memory with input X",
		func() {
			CheckNoAlias("Bilinear", "dx", VectorFootprint(col.RawVector()), "X", MatrixFootprint(in.RawMatrix()))
		})
	checkPanic(t, "scalar destination inside an input", "Bilinear: gradient ds shares memory with input X",
		func() {
			CheckNoAlias("Bilinear", "ds", ScalarFootprint(&big.RawMatrix().Data[7]), "X", MatrixFootprint(in.RawMatrix()))
		})
	checkNoPanic(t, "scalar destination beside an input", func() {
		CheckNoAlias("Bilinear", "ds", ScalarFootprint(&big.RawMatrix().Data[3]), "X", MatrixFootprint(in.RawMatrix()))
	})
	checkNoPanic(t, "empty", func() {
		CheckNoAlias("Bilinear", "dX", MatrixFootprint((&mat.Dense{}).RawMatrix()), "X", MatrixFootprint(in.RawMatrix()))
	})
}

func TestCheckNoAliasAllocates(t *testing.T) {
	big := mat.NewDense(3, 6, nil)
	in, dst := big.Slice(0, 3, 0, 3).(*mat.Dense), big.Slice(0, 3, 3, 6).(*mat.Dense)
	x, s := mat.NewVecDense(4, nil), mat.NewSymDense(3, nil)
	if n := testing.AllocsPerRun(10, func() {
		CheckNoAlias("F", "dX", MatrixFootprint(dst.RawMatrix()), "X", MatrixFootprint(in.RawMatrix()))
		CheckNoAlias("F", "dx", VectorFootprint(x.RawVector()), "S", SymmetricFootprint(s.RawSymmetric()))
	}); n != 0 {
		t.Errorf("CheckNoAlias allocates %v times, want 0", n)
	}
}
