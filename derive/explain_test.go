package derive

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gradgen/gradgen/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExplainWorkedExamples pins the derivations of the five worked
// examples of the differential-method text, in each notation.
func TestExplainWorkedExamples(t *testing.T) {
	checkExplain(t, "../generated_test/worked.yaml", "worked")
}

// TestExplainHigher pins the derivations of the derivatives beyond the
// gradient (dᵏF/dtᵏ, Jacobians from their structure, Hessians), in each
// notation.
func TestExplainHigher(t *testing.T) {
	checkExplain(t, "../generated_test/higher/higher.yaml", "higher")
}

// TestExplainLanguage pins the derivations through reductions and softmax
// along a dimension, implicit expansion and matrix powers.
func TestExplainLanguage(t *testing.T) {
	checkExplain(t, "testdata/language.yaml", "language")
}

// checkExplain compares the derivations of every function of the spec at
// path with testdata/explain-<name>.<style>.golden.
func checkExplain(t *testing.T, path, name string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := spec.Load(filepath.Base(path), src)
	if err != nil {
		t.Fatal(err)
	}
	fns, err := Build(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, style := range []struct {
		name  string
		style Style
	}{{"plain", Plain}, {"unicode", Unicode}, {"latex", LaTeX}} {
		var out string
		for i, fn := range fns {
			if i > 0 {
				out += "\n"
			}
			out += fn.Explain(style.style)
		}
		golden := filepath.Join("testdata", "explain-"+name+"."+style.name+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./derive -update)", err)
		}
		if out != string(want) {
			t.Errorf("%s derivation differs from %s:\n%s", style.name, golden, out)
		}
	}
}
