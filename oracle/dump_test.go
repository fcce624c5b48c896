package oracle

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var dumpDir = flag.String("dump.dir", "", "write random specs here")
var dumpFiles = flag.Int("dump.files", 10, "spec files")
var dumpPer = flag.Int("dump.per", 50, "functions per spec file")
var dumpSeed = flag.Uint64("dump.seed", 1, "seed")

// TestDumpSpecs writes -dump.files spec files of -dump.per random
// functions each (those spec, derive and emit accept alone) for
// differential runs of gradgen binaries.
func TestDumpSpecs(t *testing.T) {
	if *dumpDir == "" {
		t.Skip("no -dump.dir")
	}
	g := NewGenerator(*dumpSeed)
	n := 0
	for f := 0; f < *dumpFiles; f++ {
		var cases []*Case
		for len(cases) < *dumpPer {
			c := g.Case(fmt.Sprintf("F%d", n))
			n++
			fn, fail := build(c)
			if fail != nil || emitAlone(fn) != nil {
				continue
			}
			cases = append(cases, c)
		}
		dir := filepath.Join(*dumpDir, fmt.Sprintf("s%03d", f))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(specText(cases)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
