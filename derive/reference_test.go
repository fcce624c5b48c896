package derive

import (
	"math"
	"reflect"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/runtime"
)

// TestReferenceIndependentOfRuntime checks that no operator's reference
// scalar function is a function of package runtime, which generated code
// calls: a bug there must show up against the reference, not be copied
// into it.
func TestReferenceIndependentOfRuntime(t *testing.T) {
	runtimePath := reflect.TypeFor[runtime.ShapeError]().PkgPath()
	for _, op := range Ops {
		if op.Scalar == nil {
			continue
		}
		name := goruntime.FuncForPC(reflect.ValueOf(op.Scalar).Pointer()).Name()
		if strings.HasPrefix(name, runtimePath+".") {
			t.Errorf("%s: the reference evaluation calls %s, which generated code calls too", op.Name, name)
		}
	}
}

// TestReferenceValues checks the reference scalar functions at points
// where their definitions are easy to get wrong: far tails, zeros and NaN.
func TestReferenceValues(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		op   *Op
		x    float64
		want float64
	}{
		{OpSigmoid, 0, 0.5},
		{OpSigmoid, 1, 0.7310585786300049},
		{OpSigmoid, -1, 0.2689414213699951},
		{OpSigmoid, 800, 1},
		{OpSigmoid, -800, 0},
		{OpSigmoid, math.Inf(-1), 0},
		{OpSigmoid, nan, nan},
		{OpSoftplus, 0, math.Ln2},
		{OpSoftplus, 1, 1.3132616875182228},
		{OpSoftplus, -40, 4.248354255291589e-18},
		{OpSoftplus, 800, 800},
		{OpSoftplus, -800, 0},
		{OpSoftplus, math.Inf(1), math.Inf(1)},
		{OpSoftplus, nan, nan},
		{OpSign, -3, -1},
		{OpSign, 0, 0},
		{OpSign, math.Copysign(0, -1), 0},
		{OpSign, 2, 1},
		{OpSign, nan, nan},
		{OpRelu, -3, 0},
		{OpRelu, 2, 2},
		{OpRelu, nan, nan},
		{OpStep, -3, 0},
		{OpStep, 0, 0},
		{OpStep, 2, 1},
		{OpStep, nan, nan},
		{OpRecip0, 0, 0},
		{OpRecip0, 4, 0.25},
		{OpRecip0, nan, nan},
	} {
		got := tt.op.Scalar(tt.x)
		if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%s(%v) = %v, want %v", tt.op.Name, tt.x, got, tt.want)
		}
	}
}

// TestRuntimeAgreesWithReference compares the runtime kernels generated
// code calls with the reference's independent implementations.
func TestRuntimeAgreesWithReference(t *testing.T) {
	for _, k := range []struct {
		op     *Op
		kernel func(float64) float64
	}{
		{OpSigmoid, runtime.Sigmoid}, {OpSoftplus, runtime.Softplus}, {OpSign, runtime.Sign},
		{OpRelu, runtime.Relu}, {OpStep, runtime.Step}, {OpRecip0, runtime.Recip0},
		{OpSoftplus, func(x float64) float64 { sp, _ := runtime.SoftplusSigmoid(x); return sp }},
		{OpSigmoid, func(x float64) float64 { _, s := runtime.SoftplusSigmoid(x); return s }},
	} {
		op, kernel := k.op, k.kernel
		for x := -745.0; x <= 745; x += 0.37 {
			if got, want := kernel(x), op.Scalar(x); math.Abs(got-want) > 4e-16*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%v): runtime %v, reference %v", op.Name, x, got, want)
				break
			}
		}
	}
}
