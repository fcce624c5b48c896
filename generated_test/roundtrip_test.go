package generated

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// trials is how many random shapes and points each function is checked at.
const trials = 6

// forEachPoint runs check at several random shapes and points of every
// function of the corpus.
func forEachPoint(t *testing.T, check func(t *testing.T, fn *derive.Function, e entry, p *point)) {
	for name, fn := range corpus(t) {
		e := lookup(t, name)
		rng := rand.New(rand.NewPCG(1, uint64(len(name))))
		for k := 0; k < trials; k++ {
			p := newPoint(fn, rng)
			t.Run(fmt.Sprintf("%s/%d%v", name, k, p.dims), func(t *testing.T) { check(t, fn, e, p) })
		}
	}
}

// TestForward compares F and the value FGrad returns with the reference
// evaluation of the IR on gonum/mat.
func TestForward(t *testing.T) {
	forEachPoint(t, func(t *testing.T, fn *derive.Function, e entry, p *point) {
		want := derive.NewEvaluator(p.ref, p.dims).Eval(fn.Value).At(0, 0)
		if got := e.f(p.args); !near(got, want, 1e-10) {
			t.Errorf("F = %v, want %v", got, want)
		}
		if got := e.grad(p.args, gradDests(fn, p)); !near(got, want, 1e-10) {
			t.Errorf("FGrad's f = %v, want %v", got, want)
		}
	})
}

// TestGradientReference compares FGrad's gradients with the reference
// evaluation of the derived gradient expressions, and checks F and FGrad
// leave their inputs as they were.
func TestGradientReference(t *testing.T) {
	forEachPoint(t, func(t *testing.T, fn *derive.Function, e entry, p *point) {
		before := snapshot(p.args)
		g := gradDests(fn, p)
		e.f(p.args)
		e.grad(p.args, g)
		if after := snapshot(p.args); !reflect.DeepEqual(before, after) {
			t.Errorf("inputs modified: %v, then %v", before, after)
		}
		ev := derive.NewEvaluator(p.ref, p.dims)
		for k, w := range fn.Wrt {
			want := zeroOr(ev, fn.Grads[k], size(w.Shape.Rows, p.dims), size(w.Shape.Cols, p.dims))
			if got := asDense(g[k]); !closeDense(got, want, 1e-9) {
				t.Errorf("∂f/∂%s =\n%v\nwant\n%v", w.Name, mat.Formatted(got), mat.Formatted(want))
			}
		}
	})
}

// snapshot copies the numbers of every argument.
func snapshot(args []any) [][]float64 {
	out := make([][]float64, len(args))
	for k, a := range args {
		switch a := a.(type) {
		case float64:
			out[k] = []float64{a}
		case mat.Matrix:
			out[k] = mat.DenseCopyOf(a).RawMatrix().Data
		}
	}
	return out
}

func zeroOr(ev *derive.Evaluator, n *derive.Node, r, c int) *mat.Dense {
	if n == nil {
		return mat.NewDense(r, c, nil)
	}
	return ev.Eval(n)
}

// TestGradientFiniteDifferences compares every gradient with central
// finite differences of the generated F. A symmetric input is perturbed
// through its stored triangle, so an off-diagonal parameter moves two
// entries and its derivative is twice the symmetric gradient's entry.
func TestGradientFiniteDifferences(t *testing.T) {
	forEachPoint(t, func(t *testing.T, fn *derive.Function, e entry, p *point) {
		g := gradDests(fn, p)
		e.grad(p.args, g)
		for k, w := range fn.Wrt {
			idx := inputIndex(fn, w.Name)
			get, set, expect := params(p, idx, w.Kind, g[k])
			x0 := get()
			f := func(x []float64) float64 {
				set(x)
				defer set(x0)
				return e.f(p.args)
			}
			got := fd.Gradient(nil, f, append([]float64(nil), x0...), &fd.Settings{Formula: fd.Central})
			for i, want := range expect {
				if !near(got[i], want, 2e-5) {
					t.Errorf("∂f/∂%s parameter %d: finite differences %v, FGrad %v", w.Name, i, got[i], want)
				}
			}
		}
	})
}

func inputIndex(fn *derive.Function, name string) int {
	for i, in := range fn.Inputs {
		if in.Name == name {
			return i
		}
	}
	panic("no input " + name)
}

// params exposes input idx of p as a flat parameter vector, with the
// derivative FGrad claims for each parameter.
func params(p *point, idx int, kind spec.TypeKind, grad any) (get func() []float64, set func([]float64), expect []float64) {
	switch kind {
	case spec.Scalar:
		return func() []float64 { return []float64{p.args[idx].(float64)} },
			func(x []float64) { p.args[idx] = x[0] },
			[]float64{*grad.(*float64)}
	case spec.Vector:
		v := p.args[idx].(*mat.VecDense)
		return func() []float64 { return append([]float64(nil), v.RawVector().Data...) },
			func(x []float64) { copy(v.RawVector().Data, x) },
			append([]float64(nil), grad.(*mat.VecDense).RawVector().Data...)
	case spec.Matrix:
		m := p.args[idx].(*mat.Dense)
		return func() []float64 { return append([]float64(nil), m.RawMatrix().Data...) },
			func(x []float64) { copy(m.RawMatrix().Data, x) },
			append([]float64(nil), grad.(*mat.Dense).RawMatrix().Data...)
	}
	s := p.args[idx].(*mat.SymDense)
	gs := grad.(*mat.SymDense)
	n := s.SymmetricDim()
	var want []float64
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			if i == j {
				want = append(want, gs.At(i, j))
			} else {
				want = append(want, 2*gs.At(i, j))
			}
		}
	}
	get = func() []float64 {
		var x []float64
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				x = append(x, s.At(i, j))
			}
		}
		return x
	}
	set = func(x []float64) {
		k := 0
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				s.SetSym(i, j, x[k])
				k++
			}
		}
	}
	return get, set, want
}

// TestSteadyStateAllocs checks F and FGrad allocate nothing once warm.
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries at random under the race detector")
	}
	for name, fn := range corpus(t) {
		e := lookup(t, name)
		p := newPoint(fn, rand.New(rand.NewPCG(7, 7)))
		g := gradDests(fn, p)
		if a := testing.AllocsPerRun(20, func() { e.f(p.args) }); a != 0 {
			t.Errorf("%s: %v allocs per call", name, a)
		}
		if a := testing.AllocsPerRun(20, func() { e.grad(p.args, g) }); a != 0 {
			t.Errorf("%sGrad: %v allocs per call", name, a)
		}
	}
}

// TestConcurrentUse runs every FGrad from many goroutines at once (run
// under -race) and checks each result against a sequential call.
func TestConcurrentUse(t *testing.T) {
	for name, fn := range corpus(t) {
		e := lookup(t, name)
		const workers = 8
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			p := newPoint(fn, rand.New(rand.NewPCG(uint64(w), 3)))
			want := e.grad(p.args, gradDests(fn, p))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 20; k++ {
					if got := e.grad(p.args, gradDests(fn, p)); got != want {
						t.Errorf("%s: concurrent call gave %v, want %v", name, got, want)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}
