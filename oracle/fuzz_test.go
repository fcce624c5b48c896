package oracle

import (
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit"
)

// FuzzOracle draws a function from the oracle's generator for each seed
// and checks that gradgen accepts it, emits it without panicking, and
// that the output type-checks. (Running the code is the batch's job:
// TestOracle and the long campaigns.)
func FuzzOracle(f *testing.F) {
	for seed := uint64(0); seed < 8; seed++ {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		c := NewGenerator(seed).Case("F")
		fn, fail := build(c)
		if fail != nil {
			t.Fatalf("%s\n%s", fail.Msg, c.YAML())
		}
		if fail := emitAlone(fn); fail != nil {
			t.Fatalf("%s\n%s", fail.Msg, c.YAML())
		}
		code, err := emit.Generate([]*derive.Function{fn}, emit.Options{Package: "main"})
		if err != nil {
			t.Fatal(err)
		}
		if err := emit.TypeCheck([]*derive.Function{fn}, []emit.Source{{Path: "gen.go", Data: code}}, emit.SourceImporter); err != nil {
			t.Fatalf("generated code does not compile: %v\n%s", err, c.YAML())
		}
	})
}
