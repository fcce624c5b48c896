package emit

import (
	"strings"
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// FuzzGenerate runs any expression over a fixed set of inputs through the
// whole pipeline: load, derive, generate, with the wrt list, order and
// hessian keys chosen by mode, so vector- and matrix-valued expressions,
// derivatives of any order and Hessians are fuzzed too. Bad input must
// give an error, never a panic, and whatever is generated must be
// gofmt-clean Go (Generate formats it, and fails if it cannot) that
// type-checks against the runtime and gonum.
func FuzzGenerate(f *testing.F) {
	for _, seed := range []string{
		"a' * X * b", "a' * exp(X * b)", "tr(W' * A * W)", "logdet(S) + tr(inv(S) * C)",
		"sum(softplus(-y .* (X * b))) + s / 2 * b' * b", "norm2(A) ^ 2 + det(A) * logsumexp(a)",
		"sum(diag(A) .* a) + tr(diag(a) * A) + sum(eye(m) * a)", "sum(exp(a) + vector(1))",
		"dot(a, a) ^ s + s ^ -1", "sum(A .^ 2 ./ (1 + abs(A)))", "x", "(((", "a * b",
		"A * X", "X .* exp(X) * s", "a * b'", "inv(A) * a * s ^ 3", "tr(X' * A * X) * A",
	} {
		for mode := range uint8(32) {
			f.Add(seed, mode)
		}
	}
	// Load what generated code imports once, before any input: the first
	// import from source takes seconds, and the fuzzing engine takes an
	// input that runs ten seconds for a hung worker.
	imp, _ := SourceImporter(nil)
	for _, path := range ImportPaths(false) {
		if _, err := imp.Import(path); err != nil {
			f.Fatalf("importing %s from source: %v", path, err)
		}
	}
	f.Fuzz(func(t *testing.T, expr string, mode uint8) {
		if strings.ContainsAny(expr, "\"\\\n\r") {
			return // keep the YAML simple: the expression goes in a quoted scalar
		}
		src := "functions:\n  - name: F\n    inputs: {a: vector(m), b: vector(n), X: \"matrix(m, n)\", A: \"matrix(m, m)\", " +
			"W: \"matrix(m, n)\", S: spd(m), C: spd(m), y: vector(m), s: scalar}\n    expr: \"" + expr + "\"\n" +
			[]string{"", "    wrt: [X, a]\n", "    wrt: [s]\n    order: " + string(rune('1'+mode/4%3)) + "\n", "    wrt: [b, s, S]\n"}[mode%4]
		if mode&16 != 0 {
			src += "    hessian: true\n"
		}
		file, err := spec.Load("fuzz.yaml", []byte(src))
		if err != nil {
			return
		}
		fns, err := derive.Build(file)
		if err != nil {
			return
		}
		code, err := Generate(fns, Options{Package: "p"})
		if err != nil {
			t.Fatalf("%q: Generate: %v", expr, err)
		}
		if err := TypeCheck(fns, []Source{{Path: "gen.go", Data: code}}, SourceImporter); err != nil {
			t.Fatalf("%q: generated code does not compile: %v\n%s", expr, err, src)
		}
	})
}
