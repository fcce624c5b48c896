package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A Run holds the samples of one `go test -bench` output (all -count runs)
// for one backend: samples[benchmark name][unit] lists one value per run.
type Run struct {
	Label   string
	CPU     string // from the "cpu:" header line, if any
	samples map[string]map[string][]float64
	order   []string // benchmark names in order of first appearance
	// Rates are the machine's ceilings for this backend, from the run's
	// Triad and GemmRate benchmarks (see shareBandwidth for a run without
	// a triad).
	Rates Rates
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// ParseGoBench reads `go test -bench -benchmem` output. Lines that are not
// benchmark results are ignored except for the "cpu:" header.
func ParseGoBench(label string, r io.Reader) (*Run, error) {
	run := &Run{Label: label, samples: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			run.CPU = strings.TrimSpace(cpu)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		// name, iterations, then value/unit pairs.
		if len(f) < 4 || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		units, ok := run.samples[name]
		if !ok {
			units = map[string][]float64{}
			run.samples[name] = units
			run.order = append(run.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: bad value %q in %q", label, f[i], line)
			}
			units[f[i+1]] = append(units[f[i+1]], v)
		}
	}
	run.Rates = measureRates(run)
	return run, sc.Err()
}

// Median returns the median of the samples of benchmark name in unit, and
// whether there were any.
func (r *Run) Median(name, unit string) (float64, bool) {
	if r == nil {
		return 0, false
	}
	v := r.samples[name][unit]
	if len(v) == 0 {
		return 0, false
	}
	return median(v), true
}

// Count is the number of samples of name in ns/op.
func (r *Run) Count(name string) int { return len(r.samples[name]["ns/op"]) }

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// A Key names one case at one size: "B1Bilinear", "n=16".
type Key struct{ Case, Size string }

// Keys lists the (case, size) pairs of the suite benchmarks (names of the
// form Case/Size/Variant, excluding the machine's Triad, GemmRate and
// GemmReference) in order of appearance.
func (r *Run) Keys() []Key {
	var keys []Key
	seen := map[Key]bool{}
	for _, name := range r.order {
		parts := strings.SplitN(name, "/", 3)
		if len(parts) != 3 || isMachineBench(name) {
			continue
		}
		k := Key{parts[0], parts[1]}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

const gemmRef = "GemmReference"

// GemmRef returns the GFLOP/s of the blas64.Gemm reference benchmark
// (GemmReference/...) for k: the one whose flop/op is closest to that of
// k's gen-FGrad, within a factor 1.5, or the fastest when flop counts are
// missing. ok is false when there is no such reference.
func (r *Run) GemmRef(k Key) (gflops float64, name string, ok bool) {
	want, haveWant := r.Median(k.Case+"/"+k.Size+"/gen-FGrad", "flop/op")
	best, bestDist := "", math.Inf(1)
	for _, n := range r.order {
		if n != gemmRef && !strings.HasPrefix(n, gemmRef+"/") {
			continue
		}
		g, ok := r.Median(n, "GFLOP/s")
		if !ok {
			continue
		}
		dist := -g // no flop counts: the fastest
		if f, ok := r.Median(n, "flop/op"); ok && haveWant && f > 0 && want > 0 {
			dist = math.Abs(math.Log(f / want))
			if dist > math.Log(1.5) {
				continue // a reference for another amount of work
			}
		}
		if dist < bestDist {
			best, bestDist = n, dist
		}
	}
	if best == "" {
		return 0, "", false
	}
	g, _ := r.Median(best, "GFLOP/s")
	return g, best, true
}

// Torch holds the medians of the PyTorch timings: ns[key][threads], threads
// being "1" or "default".
type Torch struct {
	ns      map[Key]map[string]float64
	Version string
	BLAS    string // the BLAS library torch loaded
	Threads int    // the thread count behind "default"
}

type torchLine struct {
	Case       string          `json:"case"`
	Size       string          `json:"size"`
	Threads    json.RawMessage `json:"threads"`
	NsPerOp    float64         `json:"ns_per_op"`
	NumThreads int             `json:"num_threads"`
	Torch      string          `json:"torch"`
	BLAS       string          `json:"blas"`
}

// ParseTorch reads the JSON lines of bench/torch/bench.py; lines that are
// not JSON objects (warnings) are skipped. Repeated measurements of the same
// case, size and threads are reduced to their median.
func ParseTorch(r io.Reader) (*Torch, error) {
	all := map[Key]map[string][]float64{}
	t := &Torch{ns: map[Key]map[string]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var l torchLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, fmt.Errorf("torch: %v in %q", err, line)
		}
		th := strings.Trim(string(l.Threads), `"`)
		k := Key{l.Case, normSize(l.Size)}
		if all[k] == nil {
			all[k] = map[string][]float64{}
		}
		all[k][th] = append(all[k][th], l.NsPerOp)
		if l.Torch != "" {
			t.Version = l.Torch
		}
		if l.BLAS != "" {
			t.BLAS = l.BLAS
		}
		if th == "default" && l.NumThreads > 0 {
			t.Threads = l.NumThreads
		}
	}
	for k, m := range all {
		t.ns[k] = map[string]float64{}
		for th, v := range m {
			t.ns[k][th] = median(v)
		}
	}
	return t, sc.Err()
}

// Get returns the median ns/op of PyTorch for k with threads "1" or "default".
func (t *Torch) Get(k Key, threads string) (float64, bool) {
	if t == nil {
		return 0, false
	}
	v, ok := t.ns[Key{k.Case, normSize(k.Size)}][threads]
	return v, ok
}

func normSize(s string) string { return strings.ReplaceAll(s, " ", "") }

var intRE = regexp.MustCompile(`\d+`)

// sizeWeight orders size labels: the product of the integers in the label.
func sizeWeight(size string) float64 {
	w := 1.0
	for _, m := range intRE.FindAllString(size, -1) {
		v, _ := strconv.ParseFloat(m, 64)
		w *= v
	}
	return w
}
