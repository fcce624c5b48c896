package derive

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestAlongSemantics pins the meaning of the forms along a dimension, of
// implicit expansion and of matrix powers (MATLAB's, the README's table)
// against values computed here entry by entry with gonum, not through
// derive's graph: a builder that reads a form wrongly (a zero reduced to
// the wrong shape, a dimension swapped) evaluates its own graph
// consistently, so only an outside reference shows it.
func TestAlongSemantics(t *testing.T) {
	X := mat.NewDense(2, 3, []float64{1, -2, 0.5, 3, 0.25, -1})
	S := mat.NewDense(3, 3, []float64{0.5, 1, -0.5, 0.25, -1, 2, 1, 0.5, 0.75})
	a := mat.NewDense(2, 1, []float64{0.3, -0.7})
	b := mat.NewDense(3, 1, []float64{2, -1, 0.5})
	inputs := map[string]*mat.Dense{"X": X, "S": S, "a": a, "b": b}
	dims := map[string]int{"m": 2, "n": 3}
	byEntry := func(r, c int, f func(i, j int) float64) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Set(i, j, f(i, j))
			}
		}
		return m
	}
	lse := func(xs ...float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += math.Exp(x)
		}
		return math.Log(s)
	}
	row := func(i int) []float64 { return mat.Row(nil, i, X) }
	col := func(j int) []float64 { return mat.Col(nil, j, X) }
	var S3 mat.Dense
	S3.Mul(S, S)
	S3.Mul(&S3, S)
	for _, tt := range []struct {
		expr string
		want *mat.Dense
	}{
		{"sum(X, 1)", byEntry(1, 3, func(_, j int) float64 { return total(col(j)) })},
		{"sum(X, 2)", byEntry(2, 1, func(i, _ int) float64 { return total(row(i)) })},
		{"sum(a, 1)", byEntry(1, 1, func(_, _ int) float64 { return -0.4 })},
		{"sum(a, 2)", a},
		{"sum(b', 2)", byEntry(1, 1, func(_, _ int) float64 { return 1.5 })},
		{"sum(X - X, 1)", mat.NewDense(1, 3, nil)},
		{"mean(X)", byEntry(1, 1, func(_, _ int) float64 { return mat.Sum(X) / 6 })},
		{"mean(X, 1)", byEntry(1, 3, func(_, j int) float64 { return total(col(j)) / 2 })},
		{"mean(X, 2)", byEntry(2, 1, func(i, _ int) float64 { return total(row(i)) / 3 })},
		{"logsumexp(X, 1)", byEntry(1, 3, func(_, j int) float64 { return lse(col(j)...) })},
		{"logsumexp(X, 2)", byEntry(2, 1, func(i, _ int) float64 { return lse(row(i)...) })},
		{"logsumexp(b, 1)", byEntry(1, 1, func(_, _ int) float64 { return lse(2, -1, 0.5) })},
		{"logsumexp(b, 2)", b},
		{"softmax(X, 1)", byEntry(2, 3, func(i, j int) float64 { return math.Exp(X.At(i, j) - lse(col(j)...)) })},
		{"softmax(X, 2)", byEntry(2, 3, func(i, j int) float64 { return math.Exp(X.At(i, j) - lse(row(i)...)) })},
		{"softmax(b)", byEntry(3, 1, func(i, _ int) float64 { return math.Exp(b.At(i, 0) - lse(2, -1, 0.5)) })},
		{"softmax(b, 2)", byEntry(3, 1, func(_, _ int) float64 { return 1 })},
		{"X + a", byEntry(2, 3, func(i, j int) float64 { return X.At(i, j) + a.At(i, 0) })},
		{"a - X", byEntry(2, 3, func(i, j int) float64 { return a.At(i, 0) - X.At(i, j) })},
		{"X .* b'", byEntry(2, 3, func(i, j int) float64 { return X.At(i, j) * b.At(j, 0) })},
		{"b' ./ X", byEntry(2, 3, func(i, j int) float64 { return b.At(j, 0) / X.At(i, j) })},
		{"S ^ 3", &S3},
		{"S ^ 1", S},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			fn := buildOne(t, "functions:\n  - name: F\n    inputs: {X: \"matrix(m, n)\", S: \"matrix(n, n)\", a: vector(m), b: vector(n)}\n    expr: \""+tt.expr+"\"\n")
			got := NewEvaluator(inputs, dims).Eval(fn.Value)
			if r, c := got.Dims(); r != tt.want.RawMatrix().Rows || c != tt.want.RawMatrix().Cols {
				t.Fatalf("%s is %d×%d, want %d×%d", tt.expr, r, c, tt.want.RawMatrix().Rows, tt.want.RawMatrix().Cols)
			}
			if !mat.EqualApprox(got, tt.want, 1e-13) {
				t.Errorf("%s = %v, want %v", tt.expr, mat.Formatted(got), mat.Formatted(tt.want))
			}
		})
	}
}

func total(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
