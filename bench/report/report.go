package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Targets of the suite (see bench/run.sh and BENCHMARKS.md): issue 15's
// "done when" (gen/hand, speed-ups over torch's default threads,
// allocations, the Gemm fraction and the memory roofline), with issue 4's
// FGrad/F ratio and generation time and a Dgemm roofline beside them.
const (
	maxGenHandMedian = 0.95
	maxGenHandCase   = 1.10
	maxFGradFMedian  = 3.0
	maxFGradFCase    = 4.0
	minSpeedupSmall  = 5.0  // over torch default threads, smallest size of each case
	minSpeedupBLAS   = 1.0  // over torch default threads, OpenBLAS backend, every case
	minSpeedupGo     = 1.0  // over torch default threads, pure Go, every size of the elementwise- and bandwidth-bound cases
	minGemmFraction  = 0.80 // of the blas64.Gemm reference, gemm-bound cases, largest size
	maxGenWallMs     = 300.0
	// Of the roofline, gen-FGrad at each case's largest size: cases bound
	// by memory bandwidth, and cases bound by the Dgemm rate.
	minMemoryRoofline = 0.70
	minGemmRoofline   = 0.80
)

// Row is one case at one size for one backend; NaN marks a missing figure.
type Row struct {
	Key
	GenF, GenFGrad, HandFGrad float64 // ns/op
	TorchOne, TorchDefault    float64 // ns/op
	Allocs                    float64 // max allocs/op of gen-F and gen-FGrad
	GFLOPs, RefGFLOPs         float64 // gen-FGrad and its Gemm reference
	RefName                   string
	// RoofF and RoofFGrad are the roofline times in ns of F and FGrad
	// (the model's work at the run's Rates), NaN without a model or rates;
	// BoundF and BoundFGrad name the limiting resource.
	RoofF, RoofFGrad   float64
	BoundF, BoundFGrad Bound
}

func (r Row) GenHand() float64      { return r.GenFGrad / r.HandFGrad }
func (r Row) FGradF() float64       { return r.GenFGrad / r.GenF }
func (r Row) SpeedupOne() float64   { return r.TorchOne / r.GenFGrad }
func (r Row) SpeedupDef() float64   { return r.TorchDefault / r.GenFGrad }
func (r Row) GemmFraction() float64 { return r.GFLOPs / r.RefGFLOPs }

// RooflineF and RooflineFGrad are the fractions of the roofline that gen-F
// and gen-FGrad reach: roofline time / measured time.
func (r Row) RooflineF() float64     { return r.RoofF / r.GenF }
func (r Row) RooflineFGrad() float64 { return r.RoofFGrad / r.GenFGrad }

// Rows computes the table of one backend.
func Rows(run *Run, torch *Torch) []Row {
	get := func(name, unit string) float64 {
		if v, ok := run.Median(name, unit); ok {
			return v
		}
		return math.NaN()
	}
	var rows []Row
	for _, k := range run.Keys() {
		p := k.Case + "/" + k.Size + "/"
		r := Row{Key: k,
			GenF:      get(p+"gen-F", "ns/op"),
			GenFGrad:  get(p+"gen-FGrad", "ns/op"),
			HandFGrad: get(p+"hand-FGrad", "ns/op"),
			GFLOPs:    get(p+"gen-FGrad", "GFLOP/s"),
			RefGFLOPs: math.NaN(),
		}
		r.Allocs = math.NaN()
		for _, v := range []string{"gen-F", "gen-FGrad"} {
			if a, ok := run.Median(p+v, "allocs/op"); ok && !(a <= r.Allocs) {
				r.Allocs = a
			}
		}
		r.TorchOne, r.TorchDefault = math.NaN(), math.NaN()
		if v, ok := torch.Get(k, "1"); ok {
			r.TorchOne = v
		}
		if v, ok := torch.Get(k, "default"); ok {
			r.TorchDefault = v
		}
		r.RoofF, r.RoofFGrad = math.NaN(), math.NaN()
		if wf, wg, ok := Model(k); ok {
			r.RoofF, r.BoundF = wf.Time(run.Rates)
			r.RoofFGrad, r.BoundFGrad = wg.Time(run.Rates)
		}
		if !math.IsNaN(r.GFLOPs) {
			if g, name, ok := run.GemmRef(k); ok {
				r.RefGFLOPs, r.RefName = g, name
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// extremes returns, per case, the row of its smallest and of its largest size.
func extremes(rows []Row) (small, large []Row) {
	var cases []string
	lo, hi := map[string]Row{}, map[string]Row{}
	for _, r := range rows {
		w := sizeWeight(r.Size)
		if _, ok := lo[r.Case]; !ok {
			cases = append(cases, r.Case)
			lo[r.Case], hi[r.Case] = r, r
			continue
		}
		if w < sizeWeight(lo[r.Case].Size) {
			lo[r.Case] = r
		}
		if w > sizeWeight(hi[r.Case].Size) {
			hi[r.Case] = r
		}
	}
	for _, c := range cases {
		small = append(small, lo[c])
		large = append(large, hi[c])
	}
	return small, large
}

// speedupVerdict evaluates a speed-up over torch's default threads of at
// least least in every one of rows; a row without a torch figure misses.
func speedupVerdict(rows []Row, applies bool, least float64) Verdict {
	v, _, _, arg, mn := stat(rows, Row.SpeedupDef)
	if len(v) == 0 {
		return Verdict{Applies: false, Text: "no torch data"}
	}
	text := fmt.Sprintf("min %.2f× (%s %s), median %.2f×", mn, arg.Case, arg.Size, median(v))
	if len(v) < len(rows) {
		text += fmt.Sprintf("; no torch figure for %d of %d", len(rows)-len(v), len(rows))
	}
	return Verdict{applies, mn >= least && len(v) == len(rows), text}
}

// elementwiseCases are the suite's elementwise- and bandwidth-bound
// cases, which issue 15 wants at least as fast as torch in pure Go too.
var elementwiseCases = []string{"B1Bilinear", "B2ExpMix", "B5LogReg"}

// belowLargest returns the rows that are not their case's largest size.
func belowLargest(rows, large []Row) []Row {
	var out []Row
	for _, r := range rows {
		if !slices.ContainsFunc(large, func(l Row) bool { return l.Key == r.Key }) {
			out = append(out, r)
		}
	}
	return out
}

// Verdict is one target evaluated on one backend.
type Verdict struct {
	Applies bool // false: the target says nothing about this backend
	Pass    bool
	Text    string
}

func (v Verdict) String() string {
	switch {
	case !v.Applies:
		if v.Text == "" {
			return "—"
		}
		return "(" + v.Text + ")"
	case v.Pass:
		return "**PASS** " + v.Text
	}
	return "**MISS** " + v.Text
}

// stat collects one figure over rows, skipping NaN.
func stat(rows []Row, f func(Row) float64) (vals []float64, max float64, argmax, argmin Row, min float64) {
	max, min = math.Inf(-1), math.Inf(1)
	for _, r := range rows {
		v := f(r)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		vals = append(vals, v)
		if v > max {
			max, argmax = v, r
		}
		if v < min {
			min, argmin = v, r
		}
	}
	return
}

func noData() Verdict { return Verdict{Applies: false, Text: "no data"} }

func isOpenBLAS(label string) bool { return strings.Contains(strings.ToLower(label), "openblas") }

// Targets evaluates targets 1–5 and 7 on one backend, in targetNames' order.
func Targets(label string, rows []Row) []Verdict {
	small, large := extremes(rows)
	var out []Verdict

	// (1) gen/hand.
	if v, mx, arg, _, _ := stat(rows, Row.GenHand); len(v) == 0 {
		out = append(out, noData())
	} else {
		m := median(v)
		out = append(out, Verdict{true, m <= maxGenHandMedian && mx <= maxGenHandCase,
			fmt.Sprintf("median %.2f, max %.2f (%s %s)", m, mx, arg.Case, arg.Size)})
	}
	// (2) FGrad/F.
	if v, mx, arg, _, _ := stat(rows, Row.FGradF); len(v) == 0 {
		out = append(out, noData())
	} else {
		m := median(v)
		out = append(out, Verdict{true, m <= maxFGradFMedian && mx <= maxFGradFCase,
			fmt.Sprintf("median %.2f, max %.2f (%s %s)", m, mx, arg.Case, arg.Size)})
	}
	// (3) allocations: everywhere with OpenBLAS, below each case's
	// largest size in pure Go.
	counted := rows
	if !isOpenBLAS(label) {
		counted = belowLargest(rows, large)
	}
	if v, mx, arg, _, _ := stat(counted, func(r Row) float64 { return r.Allocs }); len(v) == 0 {
		out = append(out, noData())
	} else if mx == 0 {
		out = append(out, Verdict{true, true, fmt.Sprintf("0 allocs/op in all %d", len(v))})
	} else {
		n := 0
		for _, x := range v {
			if x > 0 {
				n++
			}
		}
		out = append(out, Verdict{true, false,
			fmt.Sprintf("%d of %d allocate; max %g (%s %s)", n, len(v), mx, arg.Case, arg.Size)})
	}
	// (4a) small sizes vs torch default threads.
	out = append(out, speedupVerdict(small, true, minSpeedupSmall))
	// (4b) every case vs torch default threads, OpenBLAS only.
	out = append(out, speedupVerdict(rows, isOpenBLAS(label), minSpeedupBLAS))
	// (4c) the elementwise- and bandwidth-bound cases vs torch default
	// threads, pure Go only.
	var bound []Row
	for _, r := range rows {
		if slices.Contains(elementwiseCases, r.Case) {
			bound = append(bound, r)
		}
	}
	out = append(out, speedupVerdict(bound, !isOpenBLAS(label), minSpeedupGo))
	// (5) gemm-bound cases at their largest size.
	var gemm []Row
	for _, r := range large {
		if !math.IsNaN(r.GFLOPs) {
			gemm = append(gemm, r)
		}
	}
	if v, _, _, arg, mn := stat(gemm, Row.GemmFraction); len(v) == 0 {
		// A quick run times neither the largest sizes nor the reference.
		out = append(out, Verdict{Applies: false, Text: "not measured: no GFLOP/s or no GemmReference in this run"})
	} else {
		var parts []string
		for _, r := range gemm {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", r.Case, 100*r.GemmFraction()))
		}
		out = append(out, Verdict{true, mn >= minGemmFraction && len(v) == len(gemm),
			fmt.Sprintf("min %.0f%% (%s %s); %s", 100*mn, arg.Case, arg.Size, strings.Join(parts, ", "))})
	}
	out = append(out, rooflineVerdict(large))
	return out
}

// rooflineVerdict evaluates target 7 on the rows of each case's largest
// size: gen-FGrad at ≥ minMemoryRoofline of the roofline where memory
// bounds it, ≥ minGemmRoofline where the Dgemm rate does.
func rooflineVerdict(large []Row) Verdict {
	pass, worst, measured := true, math.Inf(1), 0
	var parts []string
	var arg Row
	for _, r := range large {
		v := r.RooflineFGrad()
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		measured++
		need := minMemoryRoofline
		if r.BoundFGrad == GemmBound {
			need = minGemmRoofline
		}
		if v < need {
			pass = false
		}
		if v/need < worst {
			worst, arg = v/need, r
		}
		parts = append(parts, fmt.Sprintf("%s %s", r.Case, fraction(v, r.BoundFGrad)))
	}
	if measured == 0 {
		return Verdict{Applies: false, Text: "not measured: no Triad or GemmRate in this run, or no modelled case"}
	}
	return Verdict{true, pass && measured == len(large),
		fmt.Sprintf("furthest: %s %s; %s", arg.Case, arg.Size, strings.Join(parts, ", "))}
}

var targetNames = []string{
	fmt.Sprintf("(1) gen-FGrad/hand-FGrad: suite median ≤ %.2f, every case ≤ %.2f", maxGenHandMedian, maxGenHandCase),
	fmt.Sprintf("(2) gen-FGrad/gen-F: median ≤ %g, every case ≤ %g", maxFGradFMedian, maxFGradFCase),
	"(3) 0 allocs/op (gen-F, gen-FGrad): everywhere with OpenBLAS, below each case's largest size in pure Go",
	fmt.Sprintf("(4a) ≥ %g× faster than torch default threads at the smallest size of each case", minSpeedupSmall),
	"(4b) with OpenBLAS every case at least as fast as torch default threads",
	fmt.Sprintf("(4c) pure Go at least as fast as torch default threads at every size of %s", strings.Join(elementwiseCases, ", ")),
	fmt.Sprintf("(5) gemm-bound cases at largest size ≥ %.0f%% of blas64.Gemm GFLOP/s", 100*minGemmFraction),
	fmt.Sprintf("(7) gen-FGrad at largest size ≥ %.0f%% of the roofline where memory bounds it, ≥ %.0f%% where Dgemm does", 100*minMemoryRoofline, 100*minGemmRoofline),
}

// genVerdict evaluates target 6 from the wall times of generation in ms.
func genVerdict(ms []float64, funcs int) Verdict {
	if len(ms) == 0 {
		return Verdict{Applies: false, Text: "not measured"}
	}
	m := median(ms)
	s := append([]float64(nil), ms...)
	sort.Float64s(s)
	return Verdict{true, m < maxGenWallMs,
		fmt.Sprintf("median %.0f ms over %d runs (min %.0f, max %.0f), %d functions", m, len(ms), s[0], s[len(s)-1], funcs)}
}
