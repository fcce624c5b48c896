// Package oracle is gradgen's differential tester: it draws random
// well-typed spec functions over the whole language (the function table
// is probed from derive, so a new operator is drawn with no edit here),
// generates their code in batches, builds each batch with the harness,
// and checks every generated role against the reference evaluation and
// finite differences of the next-lower order. A failing function is
// shrunk to a minimal spec, which joins the regression corpus in
// testdata/regressions.yaml.
package oracle

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Campaign is a run over n random functions from seed.
type Campaign struct {
	N, Batch int
	Seed     uint64
	Root     string // the gradgen module's directory
	Workers  int    // batches built and run at once
	Keep     bool
	Race     bool // build and run every batch with the race detector
	OpenBLAS bool // link every batch with the OpenBLAS backend
	// Log, when set, receives progress lines.
	Log func(format string, args ...any)
}

// Summary counts what a campaign checked and found.
type Summary struct {
	Functions int            // generated
	Checked   int            // run with no skip
	Skipped   int            // no well-conditioned point found
	Roles     map[string]int // role suffix → functions checked
	Failed    []*Outcome
	Classes   map[string]int // failure class → functions
	// TestOutput lists the functions that passed every check but whose
	// -test output failed at its own points: it knows of the domain only
	// what F shows there (F finite and smooth along one direction), and
	// a singular intermediate can leave F exactly constant (1/logdet of a
	// singular matrix is −0), so they are reported, not counted as
	// failures.
	TestOutput []*Outcome
	Elapsed    time.Duration
}

// Cases draws the campaign's functions.
func (c *Campaign) Cases() []*Case {
	cases := make([]*Case, c.N)
	for i := range cases {
		g := NewGenerator(c.Seed*1_000_003 + uint64(i))
		cases[i] = g.Case(fmt.Sprintf("F%d", i))
	}
	return cases
}

// ownCacheMin is the fewest functions a campaign builds in a cache of its
// own (Run).
const ownCacheMin = 5000

// Run runs the campaign.
func (c *Campaign) Run(ctx context.Context) *Summary {
	start := time.Now()
	cases := c.Cases()
	batch := c.Batch
	if batch <= 0 {
		batch = 100
	}
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	// A long campaign's batches share a build cache of its own, removed
	// with everything they added to it: every batch is a new package, and
	// campaigns of 20,000 functions in the shared cache (about 130 kB a
	// function) had filled a disk over a few sessions. Its first builds
	// compile the dependencies again, about 25 s; shorter campaigns (CI's)
	// use the shared cache.
	var cache string
	if c.N >= ownCacheMin {
		dir, err := os.MkdirTemp("", "gradgen-oracle-cache-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		cache = dir
	}
	var batches [][]*Case
	for i := 0; i < len(cases); i += batch {
		batches = append(batches, cases[i:min(i+batch, len(cases))])
	}
	results := make([][]*Outcome, len(batches))
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for i, b := range batches {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// Every fourth batch is -standalone, every fourth (offset by
			// two) also builds and runs its -test output.
			opts := Options{Root: c.Root, Seed: c.Seed + uint64(i), Keep: c.Keep, Race: c.Race, OpenBLAS: c.OpenBLAS,
				Standalone: i%4 == 1, Test: i%4 == 2, GoCache: cache}
			results[i] = RunBatch(ctx, b, opts)
			if c.Log != nil {
				c.Log("batch %d/%d done (%s)", i+1, len(batches), time.Since(start).Round(time.Second))
			}
		}()
	}
	wg.Wait()
	s := &Summary{Roles: map[string]int{}, Classes: map[string]int{}}
	for _, rs := range results {
		for _, o := range rs {
			s.add(o)
		}
	}
	s.Elapsed = time.Since(start)
	return s
}

func (s *Summary) add(o *Outcome) {
	s.Functions++
	if o.Skipped != "" {
		s.Skipped++
		return
	}
	s.Checked++
	for _, r := range o.Roles {
		s.Roles[roleSuffix(o.Case.Name, r)]++
	}
	var advisory []Failure
	var failures []Failure
	for _, f := range o.Failures {
		if f.Check == "test-output" {
			advisory = append(advisory, f)
		} else {
			failures = append(failures, f)
		}
	}
	if len(failures) == 0 && len(advisory) > 0 {
		s.TestOutput = append(s.TestOutput, o)
		return
	}
	if len(o.Failures) > 0 {
		s.Failed = append(s.Failed, o)
		seen := map[string]bool{}
		for _, f := range o.Failures {
			if !seen[f.Class()] {
				s.Classes[f.Class()]++
				seen[f.Class()] = true
			}
		}
	}
}

func roleSuffix(name, role string) string {
	if r := strings.TrimPrefix(role, name); r != "" {
		return r
	}
	return "F"
}

// String reports the summary: functions, roles checked, failures by class.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oracle: %d functions, %d checked, %d skipped (no well-conditioned point), %d failed, in %s\n",
		s.Functions, s.Checked, s.Skipped, len(s.Failed), s.Elapsed.Round(time.Second))
	b.WriteString("  roles checked:")
	for _, k := range sortedKeys(s.Roles) {
		fmt.Fprintf(&b, " %s %d", k, s.Roles[k])
	}
	b.WriteString("\n")
	if len(s.TestOutput) > 0 {
		fmt.Fprintf(&b, "  -test output failing at its own points (functions that pass every check): %d\n", len(s.TestOutput))
	}
	if len(s.Classes) > 0 {
		b.WriteString("  failures by class (functions):")
		for _, k := range sortedKeys(s.Classes) {
			fmt.Fprintf(&b, " %s %d", k, s.Classes[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
