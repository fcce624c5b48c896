package main

import (
	"fmt"
	"strconv"
	"strings"
)

// hessianSizes are the sub-benchmarks of bench/hessian's BenchmarkHessian.
var hessianSizes = []string{"d=16", "d=128", "d=512"}

// writeHessians writes the section on dense Hessians: FHessian of logistic
// regression against the Hessian from d HVPs and from finite differences
// of FGrad, with the ratios. It writes nothing when run is nil.
func writeHessians(b *strings.Builder, run *Run) {
	if run == nil {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("## Hessians\n\n")
	p("`bench/hessian`: the dense Hessian of L2-regularised logistic regression (X n×d, n = 4d), ")
	p("`LogRegHHessian` as generated (Xᵀ diag(s ⊙ (1 − s)) X + λI by one symmetric rank-k update), against the same Hessian ")
	p("built from d calls of the generated `LogRegHHessVec` with unit vectors (HVPs) and from 2d calls of `LogRegHGrad` ")
	p("(central finite differences, fd-grad); the three are tested equal. Pure Go, medians of the `-count` runs.\n\n")
	p("| d | FHessian | HVPs | fd-grad | HVPs / FHessian | fd-grad / FHessian | FHessian allocs/op |\n|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, size := range hessianSizes {
		h, ok := run.Median("Hessian/"+size+"/FHessian", "ns/op")
		if !ok {
			continue
		}
		hvp, _ := run.Median("Hessian/"+size+"/HVPs", "ns/op")
		fd, _ := run.Median("Hessian/"+size+"/fd-grad", "ns/op")
		allocs, _ := run.Median("Hessian/"+size+"/FHessian", "allocs/op")
		p("| %s | %s | %s | %s | %s | %s | %s |\n", strings.TrimPrefix(size, "d="), dur(h), dur(hvp), dur(fd),
			ratio(hvp/h, "%.1f×"), ratio(fd/h, "%.1f×"), strconv.FormatFloat(allocs, 'f', -1, 64))
	}
	p("\n")
}
