package emit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// fusionCases are specs whose loops fuse, fill buffers on the side (joint
// kernels, row panels) or read reductions inside elementwise chains; dims
// are their sizes (large ones run several row panels: runtime.PanelRows is
// at least 8 rows and 2¹⁵ entries), scale multiplies the inputs.
var fusionCases = []struct {
	name, inputs, expr, wrt string
	hessian                 bool
	dims                    map[string]int
	scale                   float64
	order                   int // of FDeriv…FDerivk, for one scalar wrt
}{
	// Issue 10: the joint softplus/σ kernel filled one buffer, Xᵀ r read another.
	{"PanelSoftplus", `{X: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w))", "[w]", false, map[string]int{"n": 7, "d": 3}, 1, 0},
	{"PanelSoftplusLarge", `{X: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w))", "[w]", false, map[string]int{"n": 3000, "d": 40}, 0.1, 0},
	{"PanelSoftplusLabels", `{X: "matrix(n, d)", y: vector(n), w: vector(d)}`, "sum(softplus(-y .* (X * w))) + sum(sigmoid(X * w))", "[w]", false, map[string]int{"n": 2000, "d": 50}, 0.1, 0},
	{"PanelTwoData", `{X: "matrix(n, d)", Z: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w)) + sum((Z * w) .^ 2)", "[w]", false, map[string]int{"n": 2500, "d": 30}, 0.1, 0},
	{"PanelTwoDataSmall", `{X: "matrix(n, d)", Z: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w)) + sum((Z * w) .^ 2)", "[w]", false, map[string]int{"n": 5, "d": 3}, 1, 0},
	{"PanelExpLog", `{X: "matrix(n, d)", w: vector(d)}`, "sum(exp(X * w)) + sum(log(1 + (X * w) .^ 2))", "[w]", false, map[string]int{"n": 4000, "d": 20}, 0.1, 0},
	{"JointNoPanel", `{x: vector(n), y: vector(n)}`, "sum(softplus(x)) + sum(sigmoid(x) .* y)", "", false, map[string]int{"n": 6}, 1, 0},
	{"JointMatrix", `{X: "matrix(m, n)"}`, "sum(softplus(X)) + sum(sigmoid(X) .* X)", "", false, map[string]int{"m": 4, "n": 3}, 1, 0},
	// Issue 10: a reduction accumulated and read in the same loop.
	{"SubSum", `{x: vector(n), y: vector(n)}`, "x - sum(y)", "", false, map[string]int{"n": 5}, 1, 0},
	{"LseHessian", `{A: "matrix(m, n)", x: vector(n)}`, "logsumexp(A * x)", "[x]", true, map[string]int{"m": 6, "n": 4}, 1, 0},
	{"Norm2Hessian", `{x: vector(n)}`, "norm2(x)", "", true, map[string]int{"n": 5}, 1, 0},
	{"CenterSquared", `{x: vector(n)}`, "sum((x - sum(x) / 5) .^ 2)", "", true, map[string]int{"n": 5}, 1, 0},
	{"ScaleBySum", `{x: vector(n), y: vector(n)}`, "x .* sum(y .* x)", "", false, map[string]int{"n": 5}, 1, 0},
	{"NormalizeNorm2", `{x: vector(n)}`, "x / norm2(x)", "", false, map[string]int{"n": 5}, 1, 0},
	{"NormalizeNorm1", `{x: vector(n)}`, "x / norm1(x)", "", false, map[string]int{"n": 5}, 1, 0},
	{"Softmax", `{x: vector(n)}`, "exp(x - logsumexp(x))", "", false, map[string]int{"n": 5}, 1, 0},
	{"MatrixMinusTrace", `{A: "matrix(n, n)"}`, "A * tr(A) - A .* dot(A, A)", "", false, map[string]int{"n": 4}, 1, 0},
	{"MatrixDivSum", `{X: "matrix(m, n)"}`, "exp(X) / sum(exp(X))", "", false, map[string]int{"m": 3, "n": 4}, 1, 0},
	{"DotInChain", `{x: vector(n), y: vector(n)}`, "sum(exp(x - dot(x, y)) .* y)", "[x]", true, map[string]int{"n": 5}, 1, 0},
	{"Norm1Hessian", `{x: vector(n), y: vector(n)}`, "norm1(x - y) * sum(x .* x)", "[x]", true, map[string]int{"n": 5}, 1, 0},
	{"TrInChainHessian", `{A: "matrix(n, n)", x: vector(n)}`, "sum(exp(A * x - tr(A)))", "[x]", true, map[string]int{"n": 4}, 1, 0},
	{"LseOfSums", `{X: "matrix(m, n)", x: vector(n)}`, "logsumexp(X * x) + sum(X * x) * logsumexp(x)", "[x]", true, map[string]int{"m": 5, "n": 3}, 1, 0},
	// Probes of the same class.
	{"MatrixSubSum", `{X: "matrix(m, n)"}`, "X - sum(X)", "", false, map[string]int{"m": 3, "n": 4}, 1, 0},
	{"MatrixTimesNorm2", `{X: "matrix(m, n)"}`, "X .* norm2(X) + X / logsumexp(X)", "", false, map[string]int{"m": 3, "n": 4}, 1, 0},
	{"MatrixSumsHessian", `{X: "matrix(m, n)"}`, "sum(X .* X) * sum(X) + sum(exp(X - logsumexp(X)))", "", true, map[string]int{"m": 3, "n": 2}, 1, 0},
	{"MatrixMinusTrProduct", `{A: "matrix(n, n)", B: "matrix(n, n)"}`, "A - tr(A * B)", "", false, map[string]int{"n": 4}, 1, 0},
	{"VectorTimesDot", `{x: vector(n), y: vector(n)}`, "x * dot(x, y) - y .* dot(y, y)", "", false, map[string]int{"n": 5}, 1, 0},
	{"JointVector", `{x: vector(n)}`, "softplus(x) - sum(sigmoid(x))", "", false, map[string]int{"n": 5}, 1, 0},
	{"JointVectorSum", `{x: vector(n)}`, "sigmoid(x) * sum(softplus(x))", "", false, map[string]int{"n": 5}, 1, 0},
	{"JointWholePartner", `{A: "matrix(m, n)", B: "matrix(k, m)", x: vector(n)}`, "sum(softplus(A * x)) + sum(B * sigmoid(A * x))", "[x]", true, map[string]int{"m": 4, "n": 3, "k": 2}, 1, 0},
	{"JointSoftplusHessian", `{X: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w)) + sum(sigmoid(X * w)) * sum(w .* w)", "[w]", true, map[string]int{"n": 6, "d": 3}, 1, 0},
	{"PanelScaled", `{X: "matrix(n, d)", y: vector(n), w: vector(d), lambda: scalar}`, "2 * sum(softplus(-y .* (X * w))) + lambda * w' * w", "[w]", false, map[string]int{"n": 3000, "d": 25}, 0.1, 0},
	{"PanelSoftplusSigmoidSum", `{X: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w)) * sum(sigmoid(X * w))", "[w]", false, map[string]int{"n": 2000, "d": 20}, 0.1, 0},
	{"NestedSums", `{x: vector(n)}`, "sum(x - sum(x - sum(x .* x)))", "", true, map[string]int{"n": 4}, 1, 0},
	{"SumsOfJVP", `{x: vector(n), y: vector(n)}`, "exp(x) / sum(exp(x)) - y / norm2(y)", "", false, map[string]int{"n": 4}, 1, 0},
	{"TransposedMinusSum", `{A: "matrix(n, n)"}`, "A' - sum(A .* A') + A * norm1(A)", "", false, map[string]int{"n": 3}, 1, 0},
	{"PanelSecondData", `{X: "matrix(n, d)", Z: "matrix(n, k)", w: vector(d), v: vector(k)}`, "sum(softplus(X * w) .* (Z * v))", "[w]", false, map[string]int{"n": 2500, "d": 30, "k": 4}, 0.1, 0},
	{"PanelTwoProducts", `{X: "matrix(n, d)", Z: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w + Z * w))", "[w]", false, map[string]int{"n": 2500, "d": 30}, 0.1, 0},
	{"PanelLinearToo", `{X: "matrix(n, d)", y: vector(n), w: vector(d)}`, "sum(softplus(-y .* (X * w))) + sum(y .* (X * w))", "[w]", false, map[string]int{"n": 2500, "d": 30}, 0.1, 0},
	{"DerivSums", `{t: scalar, x: vector(n)}`, "exp(t * x) - sum(exp(t * x))", "[t]", false, map[string]int{"n": 4}, 1, 2},
	{"DerivScalarSums", `{t: scalar, x: vector(n)}`, "sum(exp(t * x)) * norm2(t * x)", "[t]", false, map[string]int{"n": 4}, 1, 3},
	{"DerivMatrix", `{t: scalar, A: "matrix(n, n)"}`, "A * tr(t * A) - exp(t * A) / sum(exp(t * A))", "[t]", false, map[string]int{"n": 3}, 0.3, 2},
	{"SymmetricSums", `{S: symmetric(n)}`, "sum(S .* S) * sum(S) + sum(exp(S - logsumexp(S)))", "", true, map[string]int{"n": 3}, 1, 0},
	{"SPDLogdetSums", `{P: spd(n), x: vector(n)}`, "logdet(P) * sum(P) + x' * P * x * norm2(x)", "", false, map[string]int{"n": 3}, 1, 0},
	{"ProductsAndSums", `{A: "matrix(m, n)", x: vector(n), y: vector(m)}`, "A * x - sum(x) * y + y * norm2(A * x)", "", false, map[string]int{"m": 4, "n": 3}, 1, 0},
	{"PanelRestSums", `{X: "matrix(n, d)", w: vector(d)}`, "sum(softplus(X * w)) + sum(w) ^ 2 + sum(exp(w - logsumexp(w)) .* w)", "[w]", false, map[string]int{"n": 2500, "d": 30}, 0.1, 0},
	// Softmax-like gradients from max-shifted exponentials: |z| ~ 1e3.
	{"LseLarge", `{x: vector(n)}`, "logsumexp(x)", "", true, map[string]int{"n": 6}, 1e3, 0},
	{"LseProductLarge", `{A: "matrix(m, n)", x: vector(n)}`, "logsumexp(A * x)", "[x]", true, map[string]int{"m": 6, "n": 4}, 30, 0},
	{"LseMatrixLarge", `{X: "matrix(m, n)"}`, "logsumexp(X)", "", false, map[string]int{"m": 3, "n": 4}, 1e3, 0},
	{"SoftmaxLarge", `{x: vector(n)}`, "exp(x - logsumexp(x))", "", false, map[string]int{"n": 5}, 1e3, 0},
	{"SoftplusLarge", `{x: vector(n)}`, "sum(softplus(x) + softplus(-x))", "", true, map[string]int{"n": 5}, 1e3, 0},
}

// TestFusionNumbers compiles every generated F, FGrad, FHessVec, FHessian,
// FJVP and FDerivk of fusionCases and checks their numbers against the reference evaluation
// of the derived expressions, on two calls with pooled workspaces.
func TestFusionNumbers(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and runs generated code")
	}
	var yaml, funcs, cases strings.Builder
	yaml.WriteString("functions:\n")
	for _, c := range fusionCases {
		fmt.Fprintf(&yaml, "  - {name: %s, inputs: %s, expr: %q", c.name, c.inputs, c.expr)
		if c.wrt != "" {
			fmt.Fprintf(&yaml, ", wrt: %s", c.wrt)
		}
		if c.hessian {
			yaml.WriteString(", hessian: true")
		}
		if c.order > 0 {
			fmt.Fprintf(&yaml, ", order: %d", c.order)
		}
		yaml.WriteString("}\n")
		fmt.Fprintf(&cases, "\t%q: {dims: %#v, scale: %v},\n", c.name, c.dims, c.scale)
	}
	file, err := spec.Load("numbers.yaml", []byte(yaml.String()))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := derive.Build(file)
	if err != nil {
		t.Fatal(err)
	}
	code, err := Generate(fns, Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		name := fn.Spec.Name
		fmt.Fprintf(&funcs, "\t%q: {", name)
		for _, g := range generated(fn) {
			switch g.role {
			case roleValue, roleGrad, roleDeriv, roleHessVec, roleHessian, roleJVP:
				fmt.Fprintf(&funcs, "%q: %s, ", "F"+strings.TrimPrefix(g.name, name), g.name)
			}
		}
		funcs.WriteString("},\n")
	}
	driver, err := os.ReadFile("testdata/numbers_driver.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	tables := fmt.Sprintf("package p\n\nconst specYAML = %q\n\nvar funcs = map[string]map[string]any{\n%s}\n\nvar cases = map[string]numbersCase{\n%s}\n",
		yaml.String(), funcs.String(), cases.String())
	dir, err := os.MkdirTemp("..", "fusioncheck")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for name, text := range map[string]string{"gen.go": string(code), "driver_test.go": string(driver), "tables_test.go": tables} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-count=1", "./"+filepath.Base(dir))
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("generated code gives wrong numbers:\n%s", out)
	}
}
