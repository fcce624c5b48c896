package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Input is everything the report is made of.
type Input struct {
	Date      string
	Quick     bool
	CPU       string // model name from /proc/cpuinfo
	GoCPU     string // the "cpu:" line of go test
	Cores     int
	GoVersion string
	OpenBLAS  string // version, or why the backend was not run
	Env       string // BLAS-related environment, e.g. OPENBLAS_CORETYPE=Haswell
	Runs      []*Run
	Torch     *Torch
	TorchNote string // why torch was not run, if it was not
	GenMs     []float64
	GenFuncs  int
	Notes     []string
	Appendix  string // benchstat output
	ChartPath string // relative to BENCHMARKS.md
	// RooflineChartPath is the chart of the roofline fractions, relative
	// to BENCHMARKS.md.
	RooflineChartPath string
	CountPerRun       int
	Hessian           *Run // bench/hessian's BenchmarkHessian, if run
}

// WriteMarkdown writes BENCHMARKS.md.
func WriteMarkdown(w io.Writer, in Input) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# Benchmarks\n\n")
	p("Written by `bench/report` from a run of `bench/run.sh` on %s", in.Date)
	if in.Quick {
		p(" — **quick run** (`BENCH_QUICK=1`: smallest sizes only, fewer repetitions)")
	}
	p(". Times are medians over the `-count` runs of `go test -bench` (float64, `-benchmem`) and over ≥ 5 timed loops of PyTorch. ")
	p("gen = the code gradgen generates, hand = the hand-written reference in `bench/hand.go`; F = the function alone, FGrad = function and gradient. ")
	p("Speed-ups over torch are torch forward+backward time / gen-FGrad time.\n\n")
	p("Method: the Go benchmarks draw their inputs once per size and time with `b.Loop`; the OpenBLAS backend is the same code built with ")
	p("`-tags openblas` (`runtime/openblas`: OpenBLAS through gonum.org/v1/netlib, with calls below a small size kept in pure Go). ")
	p("PyTorch (`bench/torch/bench.py`) computes the same f and its gradient with `torch.autograd.grad`, float64, CPU; B6 factorises S with ")
	p("Cholesky as gradgen does for spd inputs. \"1T\" is one thread everywhere (`torch.set_num_threads(1)`, `OPENBLAS_NUM_THREADS=1`); ")
	p("\"default\" is a fresh process with torch's and OpenBLAS's own thread counts. Gemm-bound cases (B3, B4, B7) report GFLOP/s of the ")
	p("product work they cannot avoid, compared with `blas64.Gemm` on a square product of the same flop count (`BenchmarkGemmReference`).\n\n")

	p("## Machine\n\n")
	p("- CPU: %s, %d cores", orDash(in.CPU), in.Cores)
	if in.GoCPU != "" && in.GoCPU != in.CPU {
		p(" (`go test` reports: %s)", in.GoCPU)
	}
	p("\n")
	p("- Go: %s\n", orDash(in.GoVersion))
	p("- OpenBLAS: %s\n", orDash(in.OpenBLAS))
	if in.Env != "" {
		p("- Environment: %s\n", in.Env)
	}
	switch {
	case in.Torch != nil:
		p("- PyTorch: %s (Debian python3-torch), float64 on the CPU, BLAS %s; \"default\" threads = torch's own intra-op count (%d here) and the BLAS's own\n",
			orDash(in.Torch.Version), orDash(in.Torch.BLAS), in.Torch.Threads)
	default:
		p("- PyTorch: not run (%s)\n", orDash(in.TorchNote))
	}
	p("\n")

	// Targets.
	p("## Targets\n\n")
	p("| target |")
	for _, r := range in.Runs {
		p(" %s |", r.Label)
	}
	p("\n|---|")
	for range in.Runs {
		p("---|")
	}
	p("\n")
	verdicts := make([][]Verdict, len(in.Runs))
	for i, r := range in.Runs {
		verdicts[i] = Targets(r.Label, Rows(r, in.Torch))
	}
	for t, name := range targetNames {
		p("| %s |", name)
		for i := range in.Runs {
			p(" %s |", verdicts[i][t])
		}
		p("\n")
	}
	g := genVerdict(in.GenMs, in.GenFuncs)
	p("\n(6) Generating a %d-function spec in < %.0f ms wall time, cold process (`gradgen` binary built beforehand): %s\n\n", in.GenFuncs, maxGenWallMs, g)
	if in.ChartPath != "" {
		p("![gen/hand and speed-up over PyTorch per case](%s)\n\n", in.ChartPath)
	}

	writeRoofline(&b, in)

	for _, run := range in.Runs {
		p("## Results: %s\n\n", run.Label)
		p("| case | size | gen-F | gen-FGrad | hand-FGrad | gen/hand | FGrad/F | torch 1T | torch default | × torch 1T | × torch default | allocs/op | GFLOP/s (of Gemm) | roofline F | roofline FGrad |\n")
		p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, r := range Rows(run, in.Torch) {
			gf := "—"
			if !math.IsNaN(r.GFLOPs) {
				gf = fmt.Sprintf("%.1f", r.GFLOPs)
				if !math.IsNaN(r.RefGFLOPs) {
					gf += fmt.Sprintf(" (%.0f%% of %.1f)", 100*r.GemmFraction(), r.RefGFLOPs)
				}
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				r.Case, r.Size, dur(r.GenF), dur(r.GenFGrad), dur(r.HandFGrad),
				ratio(r.GenHand(), "%.2f"), ratio(r.FGradF(), "%.2f"),
				dur(r.TorchOne), dur(r.TorchDefault),
				ratio(r.SpeedupOne(), "%.1f×"), ratio(r.SpeedupDef(), "%.1f×"),
				ratio(r.Allocs, "%g"), gf, fraction(r.RooflineF(), r.BoundF), fraction(r.RooflineFGrad(), r.BoundFGrad))
		}
		p("\n")
		var refs []string
		for _, name := range run.order {
			if strings.HasPrefix(name, gemmRef) {
				if g, ok := run.Median(name, "GFLOP/s"); ok {
					refs = append(refs, fmt.Sprintf("`%s` %.1f GFLOP/s", name, g))
				}
			}
		}
		if len(refs) > 0 {
			p("blas64.Gemm reference: %s.\n\n", strings.Join(refs, "; "))
		}
	}

	writeHessians(&b, in.Hessian)
	if len(in.Notes) > 0 {
		p("## Notes\n\n")
		for _, n := range in.Notes {
			p("- %s\n", n)
		}
		p("\n")
	}
	if strings.TrimSpace(in.Appendix) != "" {
		p("## Appendix: benchstat\n\n<details><summary>benchstat, pure Go vs OpenBLAS</summary>\n\n```\n%s\n```\n\n</details>\n", strings.TrimRight(in.Appendix, "\n"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func ratio(v float64, format string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf(format, v)
}

// dur formats ns with a unit that keeps three significant digits.
func dur(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "—"
	case ns < 1e3:
		return fmt.Sprintf("%.0f ns", ns)
	case ns < 1e6:
		return sig3(ns/1e3) + " µs"
	case ns < 1e9:
		return sig3(ns/1e6) + " ms"
	}
	return sig3(ns/1e9) + " s"
}

func sig3(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
