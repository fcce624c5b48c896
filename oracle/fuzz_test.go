package oracle

import (
	"go/importer"
	"go/token"
	"go/types"
	"sync"
	"testing"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit"
)

var (
	importOnce sync.Once
	imp        cachedImporter
)

// cachedImporter remembers each package the source importer found: that
// importer asks the go command where a package is on every call.
type cachedImporter struct {
	from types.Importer
	pkgs map[string]*types.Package
}

func (c cachedImporter) Import(path string) (*types.Package, error) {
	if p, ok := c.pkgs[path]; ok {
		return p, nil
	}
	p, err := c.from.Import(path)
	if err == nil {
		c.pkgs[path] = p
	}
	return p, err
}

// sourceImporter resolves the generated code's imports from source,
// once per process.
func sourceImporter([]string) (types.Importer, error) {
	importOnce.Do(func() {
		imp = cachedImporter{importer.ForCompiler(token.NewFileSet(), "source", nil), map[string]*types.Package{}}
	})
	return imp, nil
}

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
		if err := emit.TypeCheck([]*derive.Function{fn}, []emit.Source{{Path: "gen.go", Data: code}}, sourceImporter); err != nil {
			t.Fatalf("generated code does not compile: %v\n%s", err, c.YAML())
		}
	})
}
