package higher

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// TestProblems checks the FProblem/FUnpack helpers of every scalar
// function with a gradient: Func at the packed variables equals F, Grad
// equals fd.Gradient (central) of Func over the packed slice (for GaussNLL's
// spd S: only the upper triangle of the n² entries counts, so the lower
// entries' derivatives are 0 and off-diagonal upper ones 2·(G + Gᵀ)/2),
// Hess (set when the spec asks for a Hessian) equals the central-difference
// Jacobian of Grad, FUnpack returns views that share the slice, and
// FUnpack panics on a slice of the wrong length.
func TestProblems(t *testing.T) {
	type problemCase struct {
		x       []float64 // packed variables at the base point
		value   float64   // F at the base point
		problem optimize.Problem
		unpack  func(x []float64) []float64 // FUnpack, the views' entries
		hess    bool                        // the spec asks for a Hessian: Problem.Hess must be set
	}
	builders := []struct {
		name  string
		build func(f *factory, set int) problemCase
	}{
		{"LogRegN", func(f *factory, set int) problemCase {
			in := newLogRegIn(f, set)
			return problemCase{flat(in.w), LogRegN(in.X, in.y, in.w), LogRegNProblem(in.X, in.y),
				func(x []float64) []float64 { return flat(LogRegNUnpack(x, in.X, in.y)) }, true}
		}},
		{"LogRegBias", func(f *factory, set int) problemCase {
			in := newLogRegIn(f, set)
			return problemCase{append(flat(in.w), in.b), LogRegBias(in.X, in.y, in.w, in.b, in.lambda),
				LogRegBiasProblem(in.X, in.y, in.lambda),
				func(x []float64) []float64 {
					w, b := LogRegBiasUnpack(x, in.X, in.y, in.lambda)
					return append(flat(w), *b)
				}, true}
		}},
		{"ScalarCurve", func(f *factory, set int) problemCase {
			in := newScalarCurveIn(f, set)
			return problemCase{[]float64{in.t}, ScalarCurve(in.t, in.a, in.A), ScalarCurveProblem(in.a, in.A),
				func(x []float64) []float64 { return []float64{*ScalarCurveUnpack(x, in.a, in.A)} }, false}
		}},
		{"QuadTrace", func(f *factory, set int) problemCase {
			in := newQuadTraceIn(f, set)
			return problemCase{flat(in.W), QuadTrace(in.A, in.W), QuadTraceProblem(in.A, in.k),
				func(x []float64) []float64 { return flat(QuadTraceUnpack(x, in.A, in.k)) }, false}
		}},
		{"GaussNLL", func(f *factory, set int) problemCase {
			in := newGaussIn(f, set)
			return problemCase{flat(in.S), GaussNLL(in.S, in.C), GaussNLLProblem(in.C),
				func(x []float64) []float64 { return flat(GaussNLLUnpack(x, in.C)) }, false}
		}},
		{"Quartic", func(f *factory, set int) problemCase {
			in := newQuarticIn(f, set)
			return problemCase{flat(in.x), Quartic(in.x, in.A), QuarticProblem(in.A),
				func(x []float64) []float64 { return flat(QuarticUnpack(x, in.A)) }, true}
		}},
		{"TwoLayer", func(f *factory, set int) problemCase {
			in := newTwoLayerIn(f, set)
			return problemCase{append(flat(in.x), in.c), TwoLayer(in.A, in.B, in.x, in.c), TwoLayerProblem(in.A, in.B),
				func(x []float64) []float64 {
					v, c := TwoLayerUnpack(x, in.A, in.B)
					return append(flat(v), *c)
				}, true}
		}},
	}
	for _, b := range builders {
		for _, set := range shapeSets {
			where := fmt.Sprintf("%s set %d", b.name, set)
			c := b.build(newFactory(seedFor("problem/"+b.name, set, 0), false), set)
			checkClose(t, where+": Problem.Func vs F", []float64{c.problem.Func(c.x)}, []float64{c.value}, roundTol)
			grad := nanSlice(len(c.x))
			c.problem.Grad(grad, c.x)
			want := fd.Gradient(nil, c.problem.Func, c.x, &fd.Settings{Formula: fd.Central, Step: fdStep})
			checkClose(t, where+": Problem.Grad vs fd.Gradient of Problem.Func", grad, want, fdTol)

			switch {
			case c.hess && c.problem.Hess == nil:
				t.Errorf("%s: Problem.Hess is nil though the spec has hessian: true", where)
			case c.problem.Hess != nil:
				n := len(c.x)
				h := mat.NewSymDense(n, nanSlice(n*n))
				c.problem.Hess(h, c.x)
				fdH := centralJac(n, c.x, fdStep, func(y, x []float64) { c.problem.Grad(y, x) })
				checkClose(t, where+": Problem.Hess vs central differences of Problem.Grad", flat(h), flat(fdH), fdTol)
			}

			x := append([]float64(nil), c.x...)
			before := c.unpack(x)
			x[0] += 1
			after := c.unpack(x)
			if after[0] != before[0]+1 {
				t.Errorf("%s: Unpack's first entry %v after x[0] += 1, want %v: not a view", where, after[0], before[0]+1)
			}
			expectShapePanic(t, where+": Unpack of a short slice", func() { c.unpack(x[:len(x)-1]) })
		}
	}
}
