package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/")

// The machine's ceilings as bench's BenchmarkTriad and BenchmarkGemmRate
// print them: two -count runs each, pure Go and OpenBLAS.
const (
	sampleTriad = `BenchmarkTriad/n=8388608,workers=2-2 	  20	  20000000 ns/op	  10.00 GB/s	  0 B/op	  0 allocs/op
BenchmarkTriad/n=8388608,workers=2-2 	  20	  24000000 ns/op	  8.00 GB/s	  0 B/op	  0 allocs/op
`
	sampleTriadFast = `BenchmarkTriad/n=8388608,workers=2-2 	  20	  16000000 ns/op	  12.00 GB/s	  0 B/op	  0 allocs/op
`
	sampleGemmPureGo = `BenchmarkGemmRate/n=256-2 	  70	   1700000 ns/op	  19.00 GFLOP/s	 1700000 cpu-ns/op	  33554432 flop/op	  3579 B/op	  34 allocs/op
BenchmarkGemmRate/n=1024-2 	  1	   107000000 ns/op	  20.00 GFLOP/s	 107000000 cpu-ns/op	  2147483648 flop/op	  53376 B/op	  514 allocs/op
BenchmarkGemmRate/n=1024-2 	  1	   107000000 ns/op	  20.00 GFLOP/s	 107000000 cpu-ns/op	  2147483648 flop/op	  53376 B/op	  514 allocs/op
`
	sampleGemmOpenBLAS = `BenchmarkGemmRate/n=512-2 	  50	   2100000 ns/op	  120.0 GFLOP/s	 4200000 cpu-ns/op	 268435456 flop/op	  0 B/op	  0 allocs/op
`
)

// TestGolden writes the report of fixed inputs and compares it with
// testdata/NAME.md (go test -update rewrites them): with both ceilings on
// both backends (the best triad, OpenBLAS's, for both), with the triad of
// one backend only, and without any ceiling (the model's work but no
// roofline times, "—" in the fraction columns).
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name          string
		pureGo, oblas string // benchmark outputs; empty: no such run
		chart         bool
	}{
		{"roofline", sampleGo + sampleTriad + sampleGemmPureGo, sampleGo + sampleTriadFast + sampleGemmOpenBLAS, true},
		{"shared-bandwidth", sampleGo + sampleTriad + sampleGemmPureGo, sampleGo + sampleGemmOpenBLAS, true},
		{"no-rates", sampleGo, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Date: "2026-12-03 20:00 UTC", CPU: "Test CPU 9000", Cores: 2, GoVersion: "go1.26.0 linux/amd64",
				OpenBLAS: "0.3.21", GenFuncs: 100, GenMs: []float64{60, 70, 65}, Notes: []string{"a note"}}
			for _, r := range []struct{ label, out string }{{"pure Go", c.pureGo}, {"OpenBLAS", c.oblas}} {
				if r.out == "" {
					continue
				}
				run, err := ParseGoBench(r.label, strings.NewReader(r.out))
				if err != nil {
					t.Fatal(err)
				}
				in.Runs = append(in.Runs, run)
			}
			shareBandwidth(in.Runs)
			var err error
			if in.Torch, err = ParseTorch(strings.NewReader(sampleTorch)); err != nil {
				t.Fatal(err)
			}
			if c.chart {
				in.ChartPath, in.RooflineChartPath = "docs/benchmarks.svg", "docs/roofline.svg"
			}
			var got bytes.Buffer
			if err := WriteMarkdown(&got, in); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.name+".md")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("report differs from %s (go test -update rewrites it); got:\n%s", path, got.Bytes())
			}
			if c.chart {
				var svg bytes.Buffer
				if err := WriteRooflineChart(&svg, in.Runs); err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(svg.Bytes(), []byte("<svg")) || !bytes.Contains(svg.Bytes(), []byte("B7MLP n=1024,d=256,h=256,o=10")) ||
					!bytes.Contains(svg.Bytes(), []byte("OpenBLAS FGrad")) {
					t.Errorf("roofline chart lacks the case labels or the legend: %.300s", svg.Bytes())
				}
			}
		})
	}
}
