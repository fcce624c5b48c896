package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The roofline: how long each case and size needs at least on this machine,
// given the work no implementation can avoid (the model table below) and the
// machine's measured ceilings (Rates), and what fraction of that the
// generated code reaches.

// Work is the unavoidable work of one call: bytes moved to and from memory
// and flops of products.
type Work struct{ Bytes, Flops float64 }

// Rates are the measured ceilings of one backend: the copy bandwidth of
// bench's BenchmarkTriad (both cores) and the Dgemm rate of its
// BenchmarkGemmRate, each the best of the repetitions, as STREAM reports
// its best rate: a ceiling is what the machine can do, and on a shared
// machine the best repetition is the one least disturbed. A zero field was
// not measured.
type Rates struct {
	GBs      float64 // GB/s, 10⁹ bytes per second, counting 3×8 bytes per triad element
	GFLOPs   float64 // GFLOP/s of the fastest BenchmarkGemmRate repetition
	GemmName string  // its benchmark, "GemmRate/n=512"
	// BandwidthFrom names the run whose triad gave GBs when that is not
	// this run's own (see shareBandwidth).
	BandwidthFrom string
}

// Known reports whether both ceilings were measured.
func (r Rates) Known() bool { return r.GBs > 0 && r.GFLOPs > 0 }

// Bound names the resource that limits w at rates r.
type Bound string

// The two bounds: the copy bandwidth and the Dgemm rate.
const (
	MemoryBound Bound = "mem"
	GemmBound   Bound = "Dgemm"
)

// Time returns the roofline time of w in ns, max(bytes / bandwidth,
// flops / Dgemm rate) (1 GB/s is one byte per ns, 1 GFLOP/s one flop per
// ns), and which term is the larger; NaN when r is not known.
func (w Work) Time(r Rates) (ns float64, bound Bound) {
	if !r.Known() {
		return math.NaN(), ""
	}
	mem, flops := w.Bytes/r.GBs, w.Flops/r.GFLOPs
	if flops > mem {
		return flops, GemmBound
	}
	return mem, MemoryBound
}

const (
	triadName    = "Triad"
	gemmRateName = "GemmRate"
)

// isMachineBench reports whether a benchmark name is one of the machine's
// ceilings rather than a case.
func isMachineBench(name string) bool {
	top, _, _ := strings.Cut(name, "/")
	return top == triadName || top == gemmRateName || top == gemmRef
}

// measureRates reads the ceilings from a run's own Triad and GemmRate
// benchmarks: the best repetition of any triad, and of any Dgemm size.
func measureRates(r *Run) Rates {
	var rates Rates
	for _, name := range r.order {
		top, _, _ := strings.Cut(name, "/")
		switch top {
		case triadName:
			rates.GBs = max(rates.GBs, r.best(name, "GB/s"))
		case gemmRateName:
			if v := r.best(name, "GFLOP/s"); v > rates.GFLOPs {
				rates.GFLOPs, rates.GemmName = v, name
			}
		}
	}
	return rates
}

// best returns the largest sample of name in unit, 0 when there is none.
func (r *Run) best(name, unit string) float64 {
	b := 0.0
	for _, v := range r.samples[name][unit] {
		b = max(b, v)
	}
	return b
}

// shareBandwidth gives every run the best triad bandwidth of all runs: the
// triad is the same Go loop whichever BLAS backend a run was built with, so
// each of its runs is one more measurement of the same machine.
func shareBandwidth(runs []*Run) {
	var from *Run
	for _, r := range runs {
		if r.Rates.GBs > 0 && (from == nil || r.Rates.GBs > from.Rates.GBs) {
			from = r
		}
	}
	if from == nil {
		return
	}
	for _, r := range runs {
		if r != from {
			r.Rates.GBs, r.Rates.BandwidthFrom = from.Rates.GBs, from.Label
		}
	}
}

// A caseModel is the unavoidable work of one case of bench/bench.yaml as a
// function of the dimensions in its size label ("n=1024,k=256": n, k).
type caseModel struct {
	dims  []string // the dimensions the size label must give
	model func(d map[string]float64) (f, fgrad Work)
}

// mm is the flop count of an a×b by b×c product, 2abc, as BLAS counts it
// (c = 1: matrix-vector; a = c = 1: dot product; b = 1: outer product).
func mm(a, b, c float64) float64 { return 2 * a * b * c }

// bytes8 is the size of float64 entries in bytes.
func bytes8(entries float64) float64 { return 8 * entries }

// rooflineModels is the roofline model of every case of bench/bench.yaml
// (keyed by case name): the work any implementation of F and of FGrad must
// do at a size.
//
// Bytes: every input entry read once and every output entry written once,
// 8 bytes each: F writes the scalar f, FGrad f and the gradient of each wrt
// input. An spd input or gradient counts one triangle, n(n+1)/2 entries
// (the other is the same numbers). Intermediates (X b, H = tanh(X W1), …)
// are not counted: an implementation may keep them in cache.
//
// Flops: mm(a, b, c) = 2abc for every a×b by b×c product of the derived
// formula that cannot be avoided, in the cheapest order (matrix-vector,
// dot and outer products alike, as BLAS counts them); for B6 also the
// flops of the Cholesky factorisation and the inversion, counted at the
// Dgemm rate (a lower bound on their time). Elementwise work (exp, tanh,
// softplus, logsumexp, sums, A + Aᵀ) is not counted: it is neither a
// product nor bounded by the Dgemm rate.
var rooflineModels = map[string]caseModel{
	// a'Xb; a m, X m×n, b n; wrt X. The suite's X is square (m = n).
	// F: X b, a'(X b). FGrad adds ∂X = a bᵀ, an outer product.
	"B1Bilinear": {[]string{"n"}, func(d map[string]float64) (f, g Work) {
		m, n := d["n"], d["n"]
		in := m + m*n + n
		f = Work{bytes8(in + 1), mm(m, n, 1) + mm(1, m, 1)}
		g = Work{bytes8(in + 1 + m*n), f.Flops + mm(m, 1, n)}
		return f, g
	}},
	// a' exp(Xb); as B1 (m = n). F: X b, a'exp(X b). FGrad adds
	// ∂X = (a ⊙ exp(X b)) bᵀ, an outer product.
	"B2ExpMix": {[]string{"n"}, func(d map[string]float64) (f, g Work) {
		m, n := d["n"], d["n"]
		in := m + m*n + n
		f = Work{bytes8(in + 1), mm(m, n, 1) + mm(1, m, 1)}
		g = Work{bytes8(in + 1 + m*n), f.Flops + mm(m, 1, n)}
		return f, g
	}},
	// tr(W'AW); A n×n, W n×k; wrt W. F: A W, ⟨W, A W⟩. FGrad:
	// ∂W = (A + Aᵀ) W, one product, and f = ½⟨W, ∂W⟩.
	"B3QuadTrace": {[]string{"n", "k"}, func(d map[string]float64) (f, g Work) {
		n, k := d["n"], d["k"]
		in := n*n + n*k
		f = Work{bytes8(in + 1), mm(n, n, k) + mm(1, n*k, 1)}
		g = Work{bytes8(in + 1 + n*k), mm(n, n, k) + mm(1, n*k, 1)}
		return f, g
	}},
	// tr(B'X'CXB); B n×p, X m×n, C m×m; wrt X. F: Y = X B, C Y,
	// ⟨Y, C Y⟩. FGrad: Y = X B, Z = (C + Cᵀ) Y, ∂X = Z Bᵀ, f = ½⟨Y, Z⟩;
	// or, cheaper where n is not much above p, the symmetric S = B Bᵀ from
	// one triangle (n²p flops), then (C + Cᵀ)(X S): the fewer of the two.
	"B4Sandwich": {[]string{"m", "n", "p"}, func(d map[string]float64) (f, g Work) {
		m, n, p := d["m"], d["n"], d["p"]
		in := n*p + m*n + m*m
		f = Work{bytes8(in + 1), mm(m, n, p) + mm(m, m, p) + mm(1, m*p, 1)}
		gram := mm(n, n, p)/2 + mm(m, n, n) + mm(m, m, n)
		g = Work{bytes8(in + 1 + m*n), min(mm(m, n, p)+mm(m, m, p)+mm(m, p, n), gram) + mm(1, m*p, 1)}
		return f, g
	}},
	// sum(softplus(-y .* (X w))) + λ/2 w'w; X n×d, y n, w d, λ; wrt w.
	// F: X w, w'w. FGrad adds ∂w = −Xᵀ(y ⊙ σ(−y ⊙ X w)) + λw, one more
	// matrix-vector product (X itself read once: row by row, both products
	// can use a row while it is in cache).
	"B5LogReg": {[]string{"n", "d"}, func(d map[string]float64) (f, g Work) {
		n, p := d["n"], d["d"]
		in := n*p + n + p + 1
		f = Work{bytes8(in + 1), mm(n, p, 1) + mm(1, p, 1)}
		g = Work{bytes8(in + 1 + p), f.Flops + mm(p, n, 1)}
		return f, g
	}},
	// logdet(S) + tr(inv(S) C); S, C spd n×n; wrt S. F: the Cholesky
	// factor L of S (n³/3, which also gives logdet), S⁻¹ from it (L⁻¹ n³/3
	// and one triangle of L⁻ᵀL⁻¹ n³/3), ⟨S⁻¹, C⟩. FGrad: S⁻¹ as in F,
	// P = S⁻¹ C, and one triangle of the symmetric ∂S = S⁻¹ − P S⁻¹
	// (half of a product); f's trace is P's diagonal.
	"B6GaussNLL": {[]string{"n"}, func(d map[string]float64) (f, g Work) {
		n := d["n"]
		tri := n * (n + 1) / 2
		inverse := n * n * n // Cholesky, L⁻¹, L⁻ᵀL⁻¹: n³/3 each
		f = Work{bytes8(2*tri + 1), inverse + mm(1, n*n, 1)}
		g = Work{bytes8(2*tri + 1 + tri), inverse + mm(n, n, n) + mm(n, n, n)/2}
		return f, g
	}},
	// 0.5 sum((tanh(X W1) W2 − Y) .^ 2); X n×d, W1 d×h, W2 h×o, Y n×o;
	// wrt W1, W2. F: X W1, H W2, ⟨R, R⟩ with R = H W2 − Y. FGrad adds
	// ∂W2 = Hᵀ R, R W2ᵀ and ∂W1 = Xᵀ(R W2ᵀ ⊙ (1 − H²)).
	"B7MLP": {[]string{"n", "d", "h", "o"}, func(d map[string]float64) (f, g Work) {
		n, p, h, o := d["n"], d["d"], d["h"], d["o"]
		in := n*p + p*h + h*o + n*o
		f = Work{bytes8(in + 1), mm(n, p, h) + mm(n, h, o) + mm(1, n*o, 1)}
		g = Work{bytes8(in + 1 + p*h + h*o), f.Flops + mm(h, n, o) + mm(n, o, h) + mm(p, n, h)}
		return f, g
	}},
	// sum(logsumexp(X W + b', 2)) − sum(Y .* (X W + b')); X n×d, Y n×k,
	// W d×k, b k; wrt W, b. F: Z = X W (+ b, elementwise), ⟨Y, Z⟩. FGrad
	// adds ∂W = Xᵀ(softmax(Z) − Y); ∂b is column sums.
	"B8Softmax": {[]string{"n", "d", "k"}, func(d map[string]float64) (f, g Work) {
		n, p, k := d["n"], d["d"], d["k"]
		in := n*p + n*k + p*k + k
		f = Work{bytes8(in + 1), mm(n, p, k) + mm(1, n*k, 1)}
		g = Work{bytes8(in + 1 + p*k + k), f.Flops + mm(p, n, k)}
		return f, g
	}},
}

// Model returns the unavoidable work of F and FGrad of case k at its size,
// and false when the case has no model or its size label lacks a dimension
// the model needs.
func Model(k Key) (f, fgrad Work, ok bool) {
	cm, ok := rooflineModels[k.Case]
	if !ok {
		return Work{}, Work{}, false
	}
	d := map[string]float64{}
	for _, part := range strings.Split(normSize(k.Size), ",") {
		name, val, found := strings.Cut(part, "=")
		if !found {
			return Work{}, Work{}, false
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v <= 0 {
			return Work{}, Work{}, false
		}
		d[name] = v
	}
	for _, name := range cm.dims {
		if _, found := d[name]; !found {
			return Work{}, Work{}, false
		}
	}
	f, fgrad = cm.model(d)
	return f, fgrad, true
}

// si formats v with an SI prefix and three significant digits: "2.31 kB".
func si(v float64, unit string) string {
	if math.IsNaN(v) {
		return "—"
	}
	for _, p := range []struct {
		scale  float64
		prefix string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= p.scale {
			return sig3(v/p.scale) + " " + p.prefix + unit
		}
	}
	return fmt.Sprintf("%.0f %s", v, unit)
}

// fraction formats a roofline fraction as a percentage with its bound.
func fraction(v float64, b Bound) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	if v >= 0.095 {
		return fmt.Sprintf("%.0f%% %s", 100*v, b)
	}
	return fmt.Sprintf("%.1f%% %s", 100*v, b)
}

// writeRoofline writes the section on the roofline: the measured ceilings
// of each backend, the model's work per case and size, and the roofline
// times. It writes nothing when no run has a model for any case.
func writeRoofline(b *strings.Builder, in Input) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	var keys []Key
	seen := map[Key]bool{}
	for _, run := range in.Runs {
		for _, k := range run.Keys() {
			if _, _, ok := Model(k); ok && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return
	}
	p("## Roofline\n\n")
	p("The least time each case needs on this machine: its unavoidable work — every input read once and every output written once ")
	p("(8 bytes an entry, one triangle of an spd matrix), and the flops of the products its derived formula cannot avoid (2abc for an ")
	p("a×b by b×c product, in the cheapest order; B6 adds its Cholesky factorisation and inversion) — at the machine's measured ceilings: ")
	p("roofline time = max(bytes / copy bandwidth, flops / Dgemm rate). The model of each case is one table, `rooflineModels` in ")
	p("`bench/report/roofline.go`; elementwise work (exp, tanh, softplus, logsumexp) is not counted, so the roofline is a lower bound. ")
	p("The copy bandwidth is `BenchmarkTriad` (a[i] = b[i] + s·c[i] on three 64 MiB arrays, one goroutine per core, ")
	p("GB/s = 10⁹ bytes/s counting 3×8 bytes per element as STREAM does); the Dgemm rate is `BenchmarkGemmRate` ")
	p("(square n×n `blas64.Gemm`, n = 256, 512, 1024, 2n³ flops) on each backend, both cores (gonum's parallel Dgemm, OpenBLAS's threads). ")
	p("Each ceiling is the best repetition (of any size), as STREAM reports its best rate, and the triad, the same Go loop on either backend, is the best of all runs. ")
	p("The results tables give gen's fraction of the roofline, roofline time / measured time, and the bound (mem or Dgemm): 100%% is at the roofline. ")
	p("A size whose inputs fit in the last-level cache can exceed 100%%, since the benchmarks call with the same inputs every time and the triad measures memory, not cache.\n\n")

	p("| backend | copy bandwidth (triad) | Dgemm rate |\n|---|--:|--:|\n")
	for _, run := range in.Runs {
		bw, gemm := "not measured", "not measured"
		if run.Rates.GBs > 0 {
			bw = fmt.Sprintf("%.1f GB/s", run.Rates.GBs)
			if run.Rates.BandwidthFrom != "" {
				bw += " (the " + run.Rates.BandwidthFrom + " run's triad)"
			}
		}
		if run.Rates.GFLOPs > 0 {
			gemm = fmt.Sprintf("%.1f GFLOP/s (`%s`)", run.Rates.GFLOPs, run.Rates.GemmName)
		}
		p("| %s | %s | %s |\n", run.Label, bw, gemm)
	}
	p("\n")

	p("| case | size | F bytes | F flops | FGrad bytes | FGrad flops |")
	for _, run := range in.Runs {
		p(" roofline F, FGrad (%s) |", run.Label)
	}
	p("\n|---|---|--:|--:|--:|--:|")
	for range in.Runs {
		p("--:|")
	}
	p("\n")
	for _, k := range keys {
		wf, wg, _ := Model(k)
		p("| %s | %s | %s | %s | %s | %s |", k.Case, k.Size, si(wf.Bytes, "B"), si(wf.Flops, "flop"), si(wg.Bytes, "B"), si(wg.Flops, "flop"))
		for _, run := range in.Runs {
			tf, bf := wf.Time(run.Rates)
			tg, bg := wg.Time(run.Rates)
			if math.IsNaN(tf) {
				p(" — |")
				continue
			}
			p(" %s %s, %s %s |", dur(tf), bf, dur(tg), bg)
		}
		p("\n")
	}
	p("\n")
	if in.RooflineChartPath != "" {
		p("![fraction of the roofline per case, F and FGrad](%s)\n\n", in.RooflineChartPath)
	}
}
