package runtime

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// checkPanic checks that f panics with an error or string whose message is
// want.
func checkPanic(t *testing.T, name, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		var msg string
		switch r := recover().(type) {
		case nil:
			t.Errorf("%s: no panic, want %q", name, want)
			return
		case error:
			msg = r.Error()
		case string:
			msg = r
		default:
			t.Errorf("%s: panic value %#v, want %q", name, r, want)
			return
		}
		if msg != want {
			t.Errorf("%s: panic %q, want %q", name, msg, want)
		}
	}()
	f()
}

// checkNoPanic checks that f does not panic.
func checkNoPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r != nil {
			t.Errorf("%s: unexpected panic %v", name, r)
		}
	}()
	f()
}

func TestShapeChecks(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func()
		want string // empty: must not panic
	}{
		{"matrix ok", func() { CheckMatrix("Bilinear", "X", 3, 4, 3, 4, "m", "n") }, ""},
		{"matrix cols", func() { CheckMatrix("Bilinear", "X", 3, 5, 3, 4, "m", "n") }, "Bilinear: X is 3×5, want m×n = 3×4"},
		{"matrix rows", func() { CheckMatrix("Bilinear", "Y", 2, 4, 3, 4, "m", "n") }, "Bilinear: Y is 2×4, want m×n = 3×4"},
		{"matrix literal col", func() { CheckMatrix("F", "b", 3, 2, 3, 1, "m", "1") }, "F: b is 3×2, want m×1 = 3×1"},
		{"matrix empty name", func() { CheckMatrix("F", "b", 3, 2, 3, 1, "m", "") }, "F: b is 3×2, want m×1 = 3×1"},
		{"matrix all literal", func() { CheckMatrix("F", "b", 3, 2, 2, 2, "2", "") }, "F: b is 3×2, want 2×2"},
		{"vector ok", func() { CheckVector("Bilinear", "a", 4, 4, "m") }, ""},
		{"vector", func() { CheckVector("Bilinear", "a", 5, 4, "m") }, "Bilinear: a has length 5, want m = 4"},
		{"vector literal", func() { CheckVector("F", "v", 5, 3, "3") }, "F: v has length 5, want 3"},
		{"vector empty name", func() { CheckVector("F", "v", 0, 3, "") }, "F: v has length 0, want 3"},
		{"symmetric ok", func() { CheckSymmetric("Quad", "S", 4, 4, "n") }, ""},
		{"symmetric", func() { CheckSymmetric("Quad", "S", 3, 4, "n") }, "Quad: S is 3×3, want n×n = 4×4"},
		{"dim ok", func() { CheckDim("F", "x", 1, "n") }, ""},
		{"dim zero", func() { CheckDim("F", "x", 0, "n") }, "F: dimension n is 0 (from x), want ≥ 1"},
		{"dim negative parameter", func() { CheckDim("FUnpack", "k", -2, "k") }, "FUnpack: dimension k is -2, want ≥ 1"},
		{"square ok", func() { CheckSquare("Det", "A", 3, 3) }, ""},
		{"square", func() { CheckSquare("Det", "A", 3, 4) }, "Det: A is 3×4, want square"},
		{"dest matrix sized", func() { DestMatrix("F", "dX", mat.NewDense(3, 4, nil), 3, 4, "m", "n") }, ""},
		{"dest matrix zero value", func() { DestMatrix("F", "dX", &mat.Dense{}, 3, 4, "m", "n") }, ""},
		{"dest matrix reset", func() { d := mat.NewDense(2, 2, nil); d.Reset(); DestMatrix("F", "dX", d, 3, 4, "m", "n") }, ""},
		{"dest matrix wrong", func() { DestMatrix("F", "dX", mat.NewDense(3, 5, nil), 3, 4, "m", "n") }, "F: dX is 3×5, want m×n = 3×4"},
		{"dest matrix nil", func() { DestMatrix("F", "dX", nil, 3, 4, "m", "n") }, "F: dX is nil, want m×n = 3×4"},
		{"dest vector zero value", func() { DestVector("F", "dx", &mat.VecDense{}, 4, "n") }, ""},
		{"dest vector wrong", func() { DestVector("F", "dx", mat.NewVecDense(3, nil), 4, "n") }, "F: dx has length 3, want n = 4"},
		{"dest vector nil", func() { DestVector("F", "dx", nil, 4, "n") }, "F: dx is nil, want length n = 4"},
		{"dest symmetric zero value", func() { DestSymmetric("F", "dS", &mat.SymDense{}, 4, "n") }, ""},
		{"dest symmetric wrong", func() { DestSymmetric("F", "dS", mat.NewSymDense(3, nil), 4, "n") }, "F: dS is 3×3, want n×n = 4×4"},
		{"dest symmetric nil", func() { DestSymmetric("F", "dS", nil, 4, "") }, "F: dS is nil, want 4×4"},
		{"dest scalar", func() { DestScalar("F", "ds", new(float64)) }, ""},
		{"dest scalar nil", func() { DestScalar("F", "ds", nil) }, "F: ds is nil, want a *float64"},
	} {
		if test.want == "" {
			checkNoPanic(t, test.name, test.f)
		} else {
			checkPanic(t, test.name, test.want, test.f)
		}
	}
}

func TestShapeErrorType(t *testing.T) {
	defer func() {
		err, _ := recover().(error)
		var se *ShapeError
		if !errors.As(err, &se) {
			t.Fatalf("panic value %v is not a *ShapeError", err)
		}
		want := ShapeError{Func: "Bilinear", Arg: "X", Got: "3×5", Want: "m×n = 3×4"}
		if *se != want {
			t.Errorf("ShapeError = %+v, want %+v", *se, want)
		}
	}()
	CheckMatrix("Bilinear", "X", 3, 5, 3, 4, "m", "n")
}

// TestCheckPacked checks the packed length of FUnpack's variables: a
// match passes, a mismatch and a total past the largest int (which
// wrapped to a small number before) panic with a *ShapeError.
func TestCheckPacked(t *testing.T) {
	x := make([]float64, 6)
	big := 1 << 32
	for _, c := range []struct {
		name   string
		shapes []int
		want   string // "" for no panic
	}{
		{"match", []int{2, 2, 2, 1}, ""},
		{"mismatch", []int{2, 2, 1, 1}, "F: x has length 6, want 5"},
		{"product wraps", []int{big, big, 6, 1}, "F: x has length 6, want a total size past the largest int"},
		{"sum wraps", []int{math.MaxInt, 1, 7, 1}, "F: x has length 6, want a total size past the largest int"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			func() {
				defer func() {
					if r := recover(); r != nil {
						se, ok := r.(*ShapeError)
						if !ok {
							t.Fatalf("panic %v, want a *ShapeError", r)
						}
						got = se.Error()
					}
				}()
				CheckPacked("F", x, c.shapes...)
			}()
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
