package oracle

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	oracleN      = flag.Int("oracle.n", 1500, "random functions to check")
	oracleSeed   = flag.Uint64("oracle.seed", 1, "campaign seed")
	oracleBatch  = flag.Int("oracle.batch", 100, "functions per generated file")
	oracleKeep   = flag.Bool("oracle.keep", false, "keep batch directories")
	oracleRace   = flag.Bool("oracle.race", false, "build and run the batches with the race detector")
	oracleBLAS   = flag.Bool("oracle.openblas", false, "link the batches with the OpenBLAS backend (cgo, libopenblas)")
	oracleShow   = flag.Int("oracle.show", 10, "failures to print in full")
	oracleShrink = flag.Int("oracle.shrink", 6, "failure classes to shrink to a minimal spec")
	oracleRecord = flag.Bool("oracle.record", false, "append shrunk failures to testdata/regressions.yaml")
	oracleFile   = flag.String("oracle.file", regressions, "the spec file TestRegressions checks")
)

const regressions = "testdata/regressions.yaml"

func moduleRoot(t testing.TB) string {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestOracle checks -oracle.n random functions from -oracle.seed; each
// failure class is shrunk to a minimal spec (recorded as a regression
// row with -oracle.record).
func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("the oracle builds and runs generated code")
	}
	c := &Campaign{N: *oracleN, Batch: *oracleBatch, Seed: *oracleSeed, Root: moduleRoot(t), Keep: *oracleKeep, Race: *oracleRace, OpenBLAS: *oracleBLAS}
	s := c.Run(context.Background())
	t.Log("\n" + s.String())
	for _, o := range s.TestOutput {
		t.Logf("-test output only (not a failure): %s", describe(o))
	}
	report(t, s.Failed, Options{Root: c.Root, Seed: c.Seed, Race: c.Race, OpenBLAS: c.OpenBLAS})
}

// TestRegressions checks every row of testdata/regressions.yaml: the
// minimal specs of every failure the oracle (or a user) ever found.
func TestRegressions(t *testing.T) {
	if testing.Short() {
		t.Skip("the oracle builds and runs generated code")
	}
	cases, err := LoadCases(*oracleFile)
	if err != nil {
		t.Fatal(err)
	}
	// Two points each (sizes and values drawn afresh), so a row whose bug
	// needs a size above 1 meets one.
	s := &Summary{Roles: map[string]int{}, Classes: map[string]int{}}
	for _, seed := range []uint64{7, 8} {
		for _, o := range RunBatch(context.Background(), cases, Options{Root: moduleRoot(t), Seed: seed}) {
			s.add(o)
			if o.Skipped != "" {
				t.Errorf("%s (point seed %d): %s", o.Case.Name, seed, o.Skipped)
			}
		}
	}
	t.Log("\n" + s.String())
	for _, o := range s.Failed {
		t.Errorf("%s", describe(o))
	}
}

// report prints the failures, shrinking one per class.
func report(t *testing.T, failed []*Outcome, opts Options) {
	t.Helper()
	shrunk := map[string]bool{}
	var rows []string
	for i, o := range failed {
		class := o.Failures[0].Class()
		if !shrunk[class] && len(shrunk) < *oracleShrink {
			shrunk[class] = true
			min := Shrink(context.Background(), o, opts, 25)
			t.Errorf("%s\n  shrunk to:\n%s", describe(o), describe(min))
			rows = append(rows, regressionRow(min, fmt.Sprintf("Reg%s", strings.ReplaceAll(min.Case.Name, "_", "x"))))
			continue
		}
		if i < *oracleShow {
			t.Errorf("%s", describe(o))
		}
	}
	if len(failed) > 0 {
		t.Errorf("%d functions failed", len(failed))
	}
	if *oracleRecord && len(rows) > 0 && (opts.Race || opts.OpenBLAS) {
		t.Log("-oracle.record: nothing recorded, as TestRegressions runs its rows without the race detector and OpenBLAS")
		return
	}
	if *oracleRecord && len(rows) > 0 {
		f, err := os.OpenFile(regressions, os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, r := range rows {
			fmt.Fprint(f, r)
		}
	}
}
