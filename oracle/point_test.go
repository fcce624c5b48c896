package oracle

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// TestDomainCheckAtTheDifferencesReach checks that a point is refused
// where the harness's finite differences, amplified by the composition,
// move an operator's argument across a pole or many periods, though the
// argument is smooth at its own scale; and accepted where they do not.
func TestDomainCheckAtTheDifferencesReach(t *testing.T) {
	tests := []struct {
		name   string
		spec   string               // one function, as a spec file's entry
		values map[string][]float64 // row-major
		dims   map[string]int
		refuse string // a substring of why; "" for a well-conditioned point
	}{{
		// Seed 56's F3608: ∂tan(sinh(u))/∂c₃ = 9834 (FJacobian's value
		// to the last digit) with u = (b₃ − c₃)^a = 6.2, sinh u = 248;
		// the stencil's ±3·10⁻³ in c₃ moves tan's argument by ±30 (±6
		// at the retry's step), and the differences gave 1192, then
		// −19557. At the argument's own scale (h = 12.4 ≈ 4π) tan
		// aliases to a smooth function.
		name: "tan of an amplified argument",
		spec: `
  - name: F3608
    inputs: {a: scalar, b: vector(n), c: vector(n)}
    expr: "tan(sinh(((b') - (c')) .^ a))"
    wrt: [c]
`,
		values: map[string][]float64{
			"a": {-0.9680535134828634},
			"b": {0.5109561455588687, 0.8238719120498945, -0.7242449814612801},
			"c": {-0.5173798087979138, -0.43562281884907766, -0.8759269506807263},
		},
		dims:   map[string]int{"n": 3},
		refuse: "tan: not smooth",
	}, {
		name: "the same function where it is tame",
		spec: `
  - name: F3608
    inputs: {a: scalar, b: vector(n), c: vector(n)}
    expr: "tan(sinh(((b') - (c')) .^ a))"
    wrt: [c]
`,
		values: map[string][]float64{
			"a": {0.5},
			"b": {0.1, 0.2, -0.5},
			"c": {-0.4, -0.4, -0.9},
		},
		dims: map[string]int{"n": 3},
	}, {
		// sin at 1 is smooth over ±0.05, but a step of 3·10⁻³ in x moves
		// its argument by ±3.
		name: "sin of a steep argument",
		spec: `
  - name: Steep
    inputs: {x: scalar, y: scalar}
    expr: sin((x - y) * 1000)
    wrt: [x]
`,
		values: map[string][]float64{"x": {0.501}, "y": {0.5}},
		refuse: "sin: not smooth",
	}, {
		name: "sin of a gentle argument",
		spec: `
  - name: Gentle
    inputs: {x: scalar, y: scalar}
    expr: sin((x - y) * 10)
    wrt: [x]
`,
		values: map[string][]float64{"x": {0.6}, "y": {0.5}},
	}, {
		// tan at 1.3 is 0.27 from its pole; a step in one entry of x
		// moves the argument by 0.03, but FHessVec's direction moving
		// all 48 entries at once by up to 1.5/√48 each may move it by
		// 0.31.
		name: "tan of a sum moved in every entry at once",
		spec: `
  - name: Joint
    inputs: {x: vector(n)}
    expr: tan(sum(x) * 10)
    wrt: [x]
    hessian: true
`,
		values: map[string][]float64{"x": repeat(0.13/48, 48)},
		dims:   map[string]int{"n": 48},
		refuse: "tan: not smooth",
	}, {
		name: "tan of a sum far from its pole",
		spec: `
  - name: Joint
    inputs: {x: vector(n)}
    expr: tan(sum(x) * 10)
    wrt: [x]
    hessian: true
`,
		values: map[string][]float64{"x": repeat(0.03/48, 48)},
		dims:   map[string]int{"n": 48},
	}, {
		// A large input is moved along random directions only, as the
		// harness moves it: a step of 3·10⁻³ along one moves the
		// argument by about 3.
		name: "tan of a sum of a large input",
		spec: `
  - name: Large
    inputs: {x: vector(n)}
    expr: tan(sum(x) * 1000)
    wrt: [x]
`,
		values: map[string][]float64{"x": repeat(0.3/64000, 64)},
		dims:   map[string]int{"n": 64},
		refuse: "tan: not smooth",
	}, {
		name: "tan of a gentle sum of a large input",
		spec: `
  - name: Large
    inputs: {x: vector(n)}
    expr: tan(sum(x))
    wrt: [x]
`,
		values: map[string][]float64{"x": repeat(0.3/64, 64)},
		dims:   map[string]int{"n": 64},
	}, {
		// A step of 3·10⁻³ in x moves tan's argument by ±8.3, a
		// direction's (up to 1.5) by ±12.4, as much as its own scale
		// (5% of 248.17); at h = 12.41 ≈ 4π the steps h, h/2 and h/4
		// all land near multiples of tan's period and see a smooth
		// function. So did seed 56's F3608 at its own scale.
		name: "tan aliased at the scale of its argument",
		spec: `
  - name: Aliased
    inputs: {x: scalar}
    expr: tan(x * 2757)
    wrt: [x]
`,
		values: map[string][]float64{"x": {248.168071751397 / 2757}},
		refuse: "tan: not smooth",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := spec.Load("point_test.yaml", []byte("package: main\nfunctions:"+tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			fns, err := derive.Build(f)
			if err != nil {
				t.Fatal(err)
			}
			fn := fns[0]
			vals := map[string]*mat.Dense{}
			for _, in := range fn.Inputs {
				v := tt.values[in.Name]
				rows := len(v)
				if in.Shape.IsScalar() {
					rows = 1
				}
				vals[in.Name] = mat.NewDense(rows, len(v)/rows, v)
			}
			why := domainCheck(fn, vals, tt.dims)
			switch {
			case tt.refuse == "" && why != "":
				t.Errorf("refused a well-conditioned point: %s", why)
			case tt.refuse != "" && !strings.Contains(why, tt.refuse):
				t.Errorf("why = %q, want it to say %q", why, tt.refuse)
			}
		})
	}
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
