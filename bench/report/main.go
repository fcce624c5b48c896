// Command report turns the outputs of bench/run.sh into BENCHMARKS.md and a
// chart, docs/benchmarks.svg.
//
//	go run ./bench/report -go 'pure Go=purego.txt' -go 'OpenBLAS=openblas.txt' \
//	    -torch torch.jsonl -gen gen_ms.txt -gen-funcs 100 -o BENCHMARKS.md -svg docs/benchmarks.svg
//
// -go takes LABEL=FILE, the output of `go test -bench -benchmem -count N`
// for one backend; a label containing "OpenBLAS" marks the OpenBLAS backend.
// -torch is the JSON lines of bench/torch/bench.py, -gen one wall time in ms
// per line. Medians are taken over repeated measurements.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var goFiles, notes multiFlag
	fs.Var(&goFiles, "go", "LABEL=FILE: go test -bench output of one backend (repeatable)")
	fs.Var(&notes, "note", "a note for the report (repeatable)")
	torchFile := fs.String("torch", "", "JSON lines of bench/torch/bench.py")
	hessianFile := fs.String("hessian", "", "go test -bench output of bench/hessian")
	torchNote := fs.String("torch-note", "", "why PyTorch was not run")
	genFile := fs.String("gen", "", "generation wall times in ms, one per line")
	genFuncs := fs.Int("gen-funcs", 100, "number of functions in the generation spec")
	openblas := fs.String("openblas", "", "OpenBLAS version, or why that backend was not run")
	goVersion := fs.String("goversion", runtime.Version(), "Go version to report")
	appendix := fs.String("benchstat", "", "file with benchstat output for the appendix")
	cpuinfo := fs.String("cpuinfo", "/proc/cpuinfo", "where to read the CPU model")
	quick := fs.Bool("quick", false, "mark the report as a quick run")
	date := fs.String("date", time.Now().UTC().Format("2006-01-02 15:04 MST"), "date of the run")
	out := fs.String("o", "BENCHMARKS.md", "Markdown output")
	svg := fs.String("svg", "docs/benchmarks.svg", "SVG chart output (empty: none)")
	rooflineSVG := fs.String("roofline-svg", "", "SVG chart of the roofline fractions (default: roofline.svg beside -svg; none without -svg)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(goFiles) == 0 {
		return fmt.Errorf("no -go LABEL=FILE given")
	}

	in := Input{
		Date:      *date,
		Quick:     *quick,
		Cores:     runtime.NumCPU(),
		GoVersion: *goVersion,
		OpenBLAS:  *openblas,
		TorchNote: *torchNote,
		GenFuncs:  *genFuncs,
		Notes:     notes,
	}
	in.CPU = cpuModel(*cpuinfo)
	var env []string
	for _, v := range []string{"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMAXPROCS"} {
		if s, ok := os.LookupEnv(v); ok {
			env = append(env, v+"="+s)
		}
	}
	in.Env = strings.Join(env, ", ")

	for _, gf := range goFiles {
		label, file, ok := strings.Cut(gf, "=")
		if !ok {
			return fmt.Errorf("-go %q: want LABEL=FILE", gf)
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		r, err := ParseGoBench(label, f)
		f.Close()
		if err != nil {
			return err
		}
		if in.GoCPU == "" {
			in.GoCPU = r.CPU
		}
		in.Runs = append(in.Runs, r)
	}
	shareBandwidth(in.Runs)
	if *hessianFile != "" {
		f, err := os.Open(*hessianFile)
		if err != nil {
			return err
		}
		in.Hessian, err = ParseGoBench("hessian", f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if *torchFile != "" {
		f, err := os.Open(*torchFile)
		if err != nil {
			return err
		}
		in.Torch, err = ParseTorch(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if *genFile != "" {
		ms, err := readFloats(*genFile)
		if err != nil {
			return err
		}
		in.GenMs = ms
	}
	if *appendix != "" {
		b, err := os.ReadFile(*appendix)
		if err != nil {
			return err
		}
		in.Appendix = string(b)
	}

	if *svg != "" {
		rel, err := writeSVG(*svg, *out, func(w io.Writer) error { return WriteChart(w, in.Runs, in.Torch) })
		if err != nil {
			return err
		}
		in.ChartPath = rel
		if *rooflineSVG == "" {
			*rooflineSVG = filepath.Join(filepath.Dir(*svg), "roofline.svg")
		}
		if rooflineMeasured(in.Runs) {
			if in.RooflineChartPath, err = writeSVG(*rooflineSVG, *out, func(w io.Writer) error { return WriteRooflineChart(w, in.Runs) }); err != nil {
				return err
			}
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, in); err != nil {
		return err
	}
	return os.WriteFile(*out, md.Bytes(), 0o644)
}

// writeSVG writes the chart that draw makes to path and returns path
// relative to the directory of the report md.
func writeSVG(path, md string, draw func(io.Writer) error) (string, error) {
	var buf bytes.Buffer
	if err := draw(&buf); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(filepath.Dir(md), path)
	if err != nil {
		rel = path
	}
	return filepath.ToSlash(rel), nil
}

// rooflineMeasured reports whether some run has both ceilings measured.
func rooflineMeasured(runs []*Run) bool {
	for _, r := range runs {
		if r.Rates.Known() {
			return true
		}
	}
	return false
}

func cpuModel(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func readFloats(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v []float64
	for _, f := range strings.Fields(string(b)) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		v = append(v, x)
	}
	return v, nil
}
