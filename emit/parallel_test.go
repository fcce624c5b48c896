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

// TestParallelEmission checks emitFunctions's two ways, at once on the
// CPUs and one after another (what -plan runs, Options.Plans set): on
// specs whose functions choose no package-level name in common, the
// output is the same bits on every run and whatever GOMAXPROCS; where two
// functions choose the same name (AB's and Ab's workspace types and pools
// are both abWork and abPool), it is what one after another gives, the
// second function's names numbered.
func TestParallelEmission(t *testing.T) {
	clash := `package: p
functions:
  - {name: AB, inputs: {x: vector(n), A: "matrix(n, n)"}, expr: "sum(exp(A * x))", wrt: [x]}
  - {name: Ab, inputs: {x: vector(n), A: "matrix(n, n)"}, expr: "sum(tanh(A * x))", wrt: [x]}
  - {name: Other, inputs: {x: vector(n)}, expr: "sum(log1p(exp(x)))", wrt: [x]}
`
	fns := buildSpec(t, clash)
	parallel, err := Generate(fns, Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	sequential, err := Generate(buildSpec(t, clash), Options{Package: "p", Plans: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(parallel, sequential) {
		t.Errorf("with a clash of package-level names, the output differs from one after another's:\n%s", diffLines(string(sequential), string(parallel)))
	}
	for _, want := range []string{"type abWork struct", "type abWork2 struct", "var abPool = sync.Pool", "var abPool2 = sync.Pool"} {
		if !strings.Contains(string(parallel), want) {
			t.Errorf("output lacks %q", want)
		}
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
