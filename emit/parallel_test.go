package emit

import (
	"bytes"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestParallelEmission checks that emitFunctions's two ways, at once on
// the CPUs and one after another (what -plan runs, Options.Plans set),
// give the same bits: where two functions choose the same package-level
// name (AB's and Ab's workspace types and pools are both abWork and
// abPool), the second one's numbered; where a function's local would take
// the name of another's package-level type (B's product of its inputs a
// and Work, aWork, which A declares), numbered too; and on ops.yaml, on
// every run and whatever GOMAXPROCS.
func TestParallelEmission(t *testing.T) {
	for _, tt := range []struct{ name, src string }{
		{"package-level clash", `package: p
functions:
  - {name: AB, inputs: {x: vector(n), A: "matrix(n, n)"}, expr: "sum(exp(A * x))", wrt: [x]}
  - {name: Ab, inputs: {x: vector(n), A: "matrix(n, n)"}, expr: "sum(tanh(A * x))", wrt: [x]}
  - {name: Other, inputs: {x: vector(n)}, expr: "sum(log1p(exp(x)))", wrt: [x]}
`},
		{"local named as another's type", `package: p
functions:
  - {name: A, inputs: {x: vector(n), M: "matrix(n, n)"}, expr: "sum(exp(M * x))", wrt: [x]}
  - {name: B, inputs: {a: "matrix(n, n)", Work: "matrix(n, n)"}, expr: "sum(exp(a * Work))", wrt: [a]}
`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parallel, err := Generate(buildSpec(t, tt.src), Options{Package: "p"})
			if err != nil {
				t.Fatal(err)
			}
			sequential, err := Generate(buildSpec(t, tt.src), Options{Package: "p", Plans: io.Discard})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(parallel, sequential) {
				t.Errorf("the output differs from one after another's:\n%s", diffLines(string(sequential), string(parallel)))
			}
			want := map[string][]string{
				"package-level clash":           {"type abWork struct", "type abWork2 struct", "var abPool = sync.Pool", "var abPool2 = sync.Pool"},
				"local named as another's type": {"type aWork struct", "aWork2 :="},
			}[tt.name]
			for _, w := range want {
				if !strings.Contains(string(parallel), w) {
					t.Errorf("output lacks %q", w)
				}
			}
		})
	}

	corpus, err := os.ReadFile("../generated_test/ops.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(buildSpec(t, string(corpus)), Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 2, 3, 8} {
		old := goruntime.GOMAXPROCS(procs)
		got, err := Generate(buildSpec(t, string(corpus)), Options{Package: "p"})
		goruntime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("GOMAXPROCS %d: ops.yaml's output differs from another run's:\n%s", procs, diffLines(string(want), string(got)))
		}
	}
}

// diffLines returns the first line where a and b differ, with its number.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n-%s\n+%s", i+1, al[i], bl[i])
		}
	}
	return "one is a prefix of the other"
}
