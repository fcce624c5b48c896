// Gradgen generates Go code for scalar functions of matrices and vectors
// and their gradients, derived symbolically by the matrix differential
// method, calling gonum BLAS.
//
// Given a spec such as
//
//	functions:
//	  - name: Bilinear
//	    inputs:
//	      a: vector(m)
//	      X: matrix(m, n)
//	      b: vector(n)
//	    expr: a' * X * b
//	    wrt: [X]
//
// running
//
//	gradgen -o bilinear_grad.go bilinear.yaml
//
// writes bilinear_grad.go with
//
//	func Bilinear(a *mat.VecDense, X *mat.Dense, b *mat.VecDense) float64
//	func BilinearGrad(a *mat.VecDense, X *mat.Dense, b *mat.VecDense, dX *mat.Dense) float64
//
// Usage:
//
//	gradgen [flags] SPEC.yaml...
//
// Flags:
//
//	-o FILE     output Go file (default: <spec name without .yaml>_grad.go beside each spec)
//	-pkg NAME   package clause (default: the package in the output directory, else the
//	            spec's package key, else the output folder's name)
//	-check      write nothing; exit 1 when an output is missing or differs from what
//	            would be generated, printing each missing file, a unified diff of
//	            each stale one, and the command that regenerates them
//	-explain    print the derivation of each gradient (differential, trace form,
//	            result) and write nothing; -format=unicode (default), latex or plain
//	-plan       print each generated function's lowering plan, as lowered and after
//	            each pass, and write nothing (see docs/how-it-works.md)
//	-test       also write FILE's _test.go: finite-difference checks of every
//	            generated function
//	-standalone copy the runtime helpers the code uses into it, so it imports only
//	            the standard library and gonum (for vendoring)
//	-force      overwrite an existing output that was not generated (one without
//	            the "// Code generated … DO NOT EDIT." line before its package clause)
//
// A flag that would have no effect is an error: -explain and -plan write
// nothing, so they take none of -check, -o, -pkg, -test, -standalone and
// -force, nor each other; -check writes nothing, so it does not take
// -force; -format needs -explain.
//
// Exit codes: 0 success; 1 -check found stale or missing output; 2 bad input;
// 3 internal error: the code cannot be generated or does not compile. Every
// output is type-checked (go/types) against its imports before anything is
// written. On any error nothing is written: every output of a run is
// written to a temporary file beside it and renamed over it only when all
// are written. An output is never one of the specs; one that is a symbolic
// link is written through the link; an existing one keeps its permissions.
// Typical use is a go:generate directive:
//
//	//go:generate go run github.com/gradgen/gradgen/cmd/gradgen -o loss_grad.go loss.yaml
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/tools/go/packages"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit"
	"github.com/gradgen/gradgen/spec"
)

// Exit codes.
const (
	exitOK    = 0
	exitStale = 1
	exitBad   = 2
	// exitInternal: the code cannot be generated or does not compile, a
	// gradgen bug.
	exitInternal = 3
)

// maxSpecSize is the largest spec file accepted.
const maxSpecSize = 1 << 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	out        string
	pkg        string
	check      bool
	explain    bool
	plan       bool
	format     string
	test       bool
	standalone bool
	force      bool
	specs      []string
}

// formats maps -format's values to notations.
var formats = map[string]derive.Style{"unicode": derive.Unicode, "latex": derive.LaTeX, "plain": derive.Plain}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gradgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.out, "o", "", "output Go `file` (default: <spec>_grad.go beside each spec)")
	fs.StringVar(&cfg.pkg, "pkg", "", "package `name` of the output")
	fs.BoolVar(&cfg.check, "check", false, "write nothing; exit 1 when an output is missing or stale")
	fs.BoolVar(&cfg.explain, "explain", false, "print the derivation of each gradient; write nothing")
	fs.StringVar(&cfg.format, "format", "unicode", "notation of -explain: unicode, latex or plain")
	fs.BoolVar(&cfg.plan, "plan", false, "print each generated function's lowering plan, as lowered and after each pass; write nothing")
	fs.BoolVar(&cfg.test, "test", false, "also write the output's _test.go with finite-difference checks of every generated function")
	fs.BoolVar(&cfg.standalone, "standalone", false, "copy the runtime helpers into the output: import only the standard library and gonum")
	fs.BoolVar(&cfg.force, "force", false, "overwrite an existing output that was not generated (no \"Code generated … DO NOT EDIT.\" line)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gradgen [flags] SPEC.yaml...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK // -h asks for the usage; it is not bad input
		}
		return exitBad
	}
	cfg.specs = fs.Args()
	if len(cfg.specs) == 0 {
		fs.Usage()
		return exitBad
	}
	if err := ineffectiveFlag(fs); err != nil {
		fmt.Fprintf(stderr, "gradgen: %v\n", err)
		return exitBad
	}
	if cfg.pkg != "" {
		if msg := spec.CheckPackageName(cfg.pkg); msg != "" {
			fmt.Fprintf(stderr, "gradgen: -pkg: %s\n", msg)
			return exitBad
		}
	}
	style, ok := formats[cfg.format]
	if !ok {
		fmt.Fprintf(stderr, "gradgen: -format %q: want unicode, latex or plain\n", cfg.format)
		return exitBad
	}
	outputs, err := generate(cfg)
	var internal *internalError
	if errors.As(err, &internal) {
		fmt.Fprintf(stderr, "gradgen: %v\n", internal)
		return exitInternal
	}
	if err != nil {
		report(stderr, err)
		return exitBad
	}
	return deliver(cfg, outputs, style, stdout, stderr)
}

// deliver does what the command line asks with the generated outputs:
// prints derivations (-explain) or plans (-plan), or type-checks them and
// then compares them with the files (-check) or writes them; it returns
// the exit code.
func deliver(cfg config, outputs []*output, style derive.Style, stdout, stderr io.Writer) int {
	if cfg.explain {
		explain(outputs, style, stdout)
		return exitOK
	}
	if cfg.plan {
		if err := printPlans(outputs, stdout); err != nil {
			fmt.Fprintf(stderr, "gradgen: %v\n", err)
			if errors.As(err, new(*spec.Error)) {
				return exitBad
			}
			return exitInternal
		}
		return exitOK
	}
	if mangleOutput != nil {
		for _, o := range outputs {
			o.data = mangleOutput(o.path, o.data)
		}
	}
	if err := typeCheck(outputs, stderr); err != nil {
		if errors.As(err, new(incompatibleRuntime)) {
			fmt.Fprintf(stderr, "gradgen: %v\n", err)
			return exitBad
		}
		fmt.Fprintf(stderr, "gradgen: internal error: %s, please report it with the spec\n", oneLine(err))
		return exitInternal
	}
	if err := checkSiblings(outputs); err != nil {
		fmt.Fprintf(stderr, "gradgen: %v\n", err)
		return exitBad
	}
	if cfg.check {
		return check(cfg, outputs, stdout)
	}
	if err := writeAll(outputs); err != nil {
		fmt.Fprintf(stderr, "gradgen: %v\n", err)
		return exitBad
	}
	warnHessians(outputs, stderr)
	return exitOK
}

// warnHessians prints, for each function written whose spec asks for the
// Hessian but gets FHessVec alone (derive.Function.HessianWarning), a
// positioned warning: the omission is never silent.
func warnHessians(outputs []*output, stderr io.Writer) {
	for _, o := range outputs {
		for _, fn := range o.funcs {
			if warning := fn.HessianWarning(); warning != nil {
				warning.Msg = "warning: " + warning.Msg
				report(stderr, o.withSource(warning))
			}
		}
	}
}

// ineffectiveFlags lists, for a flag, the flags that have no effect
// beside it, and why.
var ineffectiveFlags = []struct {
	flag   string
	others []string
	why    string
}{
	{"explain", []string{"check", "o", "pkg", "test", "standalone", "force", "plan"}, "-explain prints derivations and writes nothing"},
	{"plan", []string{"check", "o", "pkg", "test", "standalone", "force"}, "-plan prints lowering plans and writes nothing"},
	{"check", []string{"force"}, "-check writes nothing"},
}

// ineffectiveFlag returns an error when a flag set on the command line
// would have no effect: silently ignoring it would hide a mistake, such
// as a CI step running -check -explain, which checks nothing.
func ineffectiveFlag(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, rule := range ineffectiveFlags {
		if !set[rule.flag] {
			continue
		}
		for _, other := range rule.others {
			if set[other] {
				return fmt.Errorf("-%s cannot be combined with -%s: %s", rule.flag, other, rule.why)
			}
		}
	}
	if set["format"] && !set["explain"] {
		return errors.New("-format applies only to -explain")
	}
	return nil
}

// internalError is a failure of emission on a valid spec: a gradgen bug,
// told in one line that names the functions, never with the code.
type internalError struct {
	funcs  string // the functions whose code failed
	output string
	err    error
}

func (e *internalError) Error() string {
	return fmt.Sprintf("internal error generating %s for %s: %s; please report it with the spec", e.funcs, e.output, oneLine(e.err))
}

// maxErrorLine bounds the length of an error quoted in one line.
const maxErrorLine = 200

// oneLine returns the first line of err's message, at most maxErrorLine
// bytes: errors from rendering may hold generated source, which is not
// for the user.
func oneLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	line = strings.TrimSuffix(strings.TrimSpace(line), ":")
	if len(line) > maxErrorLine {
		cut := maxErrorLine
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut] + "…"
	}
	return line
}

// emitError returns the error of emitting o's code with gen: a spec
// error as it is, positioned in o's specs; any other error as an
// internalError naming the functions whose code alone fails with gen,
// else all of o's.
func (o *output) emitError(err error, gen func([]*derive.Function) error) error {
	if errors.As(err, new(*spec.Error)) {
		return o.withSource(err)
	}
	var names []string
	for _, fn := range o.funcs {
		if gen([]*derive.Function{fn}) != nil {
			names = append(names, fn.Spec.Name)
		}
	}
	if len(names) == 0 {
		for _, fn := range o.funcs {
			names = append(names, fn.Spec.Name)
		}
	}
	return &internalError{funcs: strings.Join(names, ", "), output: o.path, err: err}
}

// mangleOutput is nil but in tests, where it rewrites an output before it
// is checked: it stands for an emission bug, which no spec can be relied on
// to trigger.
var mangleOutput func(path string, data []byte) []byte

// output is one file to write.
type output struct {
	path   string
	specs  []*loaded
	funcs  []*derive.Function // of every spec, in order; nil for a -test file
	data   []byte
	test   *output // its -test file, if any
	target *target // the file it replaces, once checkOutputs has run
}

// loaded is one spec file, read and parsed.
type loaded struct {
	path string
	src  []byte
	file *spec.File
}

// generate loads every spec and renders every output in memory.
// maxOutputBytes bounds one output file. Derivation is polynomial and
// derive limits a function's graph, so only an enormous spec reaches it;
// it is refused then rather than written. A variable so that a test can
// lower it.
var maxOutputBytes = 64 << 20

func generate(cfg config) ([]*output, error) {
	var outs []*output
	var specs []*loaded
	byPath := map[string]*output{}
	for _, path := range cfg.specs {
		l, err := load(path)
		if err != nil {
			return nil, err
		}
		specs = append(specs, l)
		dest := cfg.out
		if dest == "" {
			dest = strings.TrimSuffix(strings.TrimSuffix(path, ".yaml"), ".yml") + "_grad.go"
		}
		o := byPath[dest]
		if o == nil {
			o = &output{path: dest}
			byPath[dest] = o
			outs = append(outs, o)
		}
		o.specs = append(o.specs, l)
	}
	if cfg.test {
		for _, o := range outs[:len(outs):len(outs)] {
			o.test = &output{path: strings.TrimSuffix(o.path, ".go") + "_test.go"}
			outs = append(outs, o.test)
		}
	}
	// Every spec is checked before any package clause is decided, so a
	// spec error is reported as such wherever the output goes.
	for _, o := range outs {
		for _, l := range o.specs {
			fs, err := derive.Build(l.file)
			if err != nil {
				return nil, withSource(err, l.src)
			}
			o.funcs = append(o.funcs, fs...)
		}
		if err := emit.CheckNames(o.funcs); err != nil {
			return nil, o.withSource(err)
		}
	}
	if cfg.explain || cfg.plan {
		return outs, nil // derivations and plans need no package clause, and -plan generates below
	}
	if err := checkOutputs(outs, specs, !cfg.check, cfg.force); err != nil {
		return nil, err
	}
	for _, o := range outs {
		if o.funcs == nil {
			continue // a -test file, generated with its output
		}
		if err := o.generate(cfg); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// generate writes o's code into o.data, and its test's into o.test.data
// with -test.
func (o *output) generate(cfg config) error {
	pkg, err := packageName(cfg.pkg, o)
	if err != nil {
		return err
	}
	var sources []string
	for _, l := range o.specs {
		sources = append(sources, filepath.Base(l.path))
	}
	gen := func(funcs []*derive.Function) error {
		data, err := emit.Generate(funcs, emit.Options{Package: pkg, Sources: sources})
		if err == nil && cfg.standalone {
			data, err = emit.Standalone(data)
		}
		o.data = data
		return err
	}
	if err := gen(o.funcs); err != nil {
		return o.emitError(err, gen)
	}
	if len(o.data) > maxOutputBytes {
		return o.withSource(spec.Errorf(o.funcs[0].Spec.NamePos, "generated code too large: %d bytes, limit %d; split the spec into several files", len(o.data), maxOutputBytes))
	}
	if o.test == nil {
		return nil
	}
	genTest := func(funcs []*derive.Function) error {
		var err error
		o.test.data, err = emit.GenerateTest(funcs, emit.TestOptions{Package: pkg, Name: emit.TestName(o.path), Source: filepath.Base(o.path)})
		return err
	}
	if err := genTest(o.funcs); err != nil {
		return o.emitError(err, genTest)
	}
	return nil
}

// printPlans prints the lowering plan of every function generated for
// every output, at each stage (emit.Options.Plans).
func printPlans(outs []*output, w io.Writer) error {
	for _, o := range outs {
		gen := func(funcs []*derive.Function) error {
			_, err := emit.Generate(funcs, emit.Options{Package: "plan", Plans: io.Discard})
			return err
		}
		if err := gen(o.funcs); err != nil {
			return o.emitError(err, gen)
		}
		if _, err := emit.Generate(o.funcs, emit.Options{Package: "plan", Plans: w}); err != nil {
			return o.emitError(err, gen)
		}
	}
	return nil
}

// explain prints the derivation of every gradient of every output.
func explain(outs []*output, style derive.Style, w io.Writer) {
	first := true
	for _, o := range outs {
		for _, fn := range o.funcs {
			if !first {
				fmt.Fprintln(w)
			}
			first = false
			fmt.Fprint(w, fn.Explain(style))
		}
	}
}

func load(path string) (*loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxSpecSize+1))
	if err != nil {
		return nil, err
	}
	file, err := spec.Load(path, src)
	if err != nil {
		return nil, withSource(err, src)
	}
	return &loaded{path: path, src: src, file: file}, nil
}

// withSource fills in the source line of a positioned error in one of the
// output's specs.
func (o *output) withSource(err error) error {
	var se *spec.Error
	if errors.As(err, &se) {
		for _, l := range o.specs {
			if l.path == se.Pos.File {
				return withSource(err, l.src)
			}
		}
	}
	return err
}

// withSource fills in the source line of a positioned error.
func withSource(err error, src []byte) error {
	var se *spec.Error
	if errors.As(err, &se) && se.Source == "" && se.Pos.Line > 0 {
		lines := strings.Split(string(src), "\n")
		if se.Pos.Line <= len(lines) {
			se.Source = strings.TrimRight(lines[se.Pos.Line-1], "\r")
		}
	}
	return err
}

// report prints err; a positioned error gets its line and a caret, any
// other error the command's name.
func report(w io.Writer, err error) {
	var se *spec.Error
	if !errors.As(err, &se) {
		fmt.Fprintf(w, "gradgen: %v\n", err)
		return
	}
	fmt.Fprintln(w, err)
	if se.Source != "" && se.Pos.Col > 0 && se.Pos.Col <= len(se.Source)+1 {
		shown, pad := sourceWindow(se.Source, se.Pos.Col)
		fmt.Fprintf(w, "\t%s\n\t%s^\n", shown, pad)
	}
}

// maxSourceShown bounds, in characters, the part of a spec line an error
// shows under its message: a longer line is cut to a window around the
// column, with "…" where it is cut.
const maxSourceShown = 100

// sourceWindow returns the part of line an error shows, at most
// maxSourceShown characters (runes; an invalid byte is one) around the
// character at byte column col (1-based; one past the end for the end of
// the line), with "…" before and after it where line is cut; and the
// padding that puts a caret under that character: a tab for each tab
// before it, a space for every other character and for a leading "…".
func sourceWindow(line string, col int) (shown, pad string) {
	var starts []int // the byte offset of each character, then len(line)
	for i := range line {
		starts = append(starts, i)
	}
	n := len(starts)
	starts = append(starts, len(line))
	caret, _ := slices.BinarySearch(starts, col-1)
	first := max(0, min(caret-maxSourceShown/2, n-maxSourceShown))
	last := min(n, first+maxSourceShown)
	shown = line[starts[first]:starts[last]]
	before := line[starts[first]:starts[caret]]
	if first > 0 {
		shown, before = "…"+shown, " "+before
	}
	if last < n {
		shown += "…"
	}
	pad = strings.Map(func(r rune) rune {
		if r == '\t' {
			return '\t'
		}
		return ' '
	}, before)
	return shown, pad
}

// packageName decides the package clause of o: -pkg; else the package
// already in the output directory, which a spec package key must match;
// else the spec's package key; else the folder's name.
func packageName(flagPkg string, o *output) (string, error) {
	if flagPkg != "" {
		return flagPkg, nil
	}
	var specPkg string
	var specPos spec.Pos
	var specSrc []byte
	for _, l := range o.specs {
		if p := l.file.Package; p != "" {
			if specPkg != "" && p != specPkg {
				return "", withSource(spec.Errorf(l.file.PackagePos, "package %s disagrees with package %s at %s", p, specPkg, specPos), l.src)
			}
			specPkg, specPos, specSrc = p, l.file.PackagePos, l.src
		}
	}
	dir := filepath.Dir(o.path)
	if existing := dirPackage(dir, o.path); existing != "" {
		if specPkg != "" && specPkg != existing {
			return "", withSource(spec.Errorf(specPos, "package %s disagrees with package %s already in %s (fix the spec or use -pkg)", specPkg, existing, dirName(dir)), specSrc)
		}
		return existing, nil
	}
	if specPkg != "" {
		return specPkg, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	name := strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return '_'
		}
		return r
	}, filepath.Base(abs))
	if spec.CheckPackageName(name) != "" {
		return "", fmt.Errorf("cannot derive a package name from folder %s; use -pkg", abs)
	}
	return name, nil
}

// dirName returns dir for a message, absolute when it is relative.
func dirName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// dirPackage returns the name of the Go package in dir, or "". The file
// out, which is about to be replaced, does not count: the package clause
// must not depend on a previous (possibly stale) output.
//
// It asks golang.org/x/tools/go/packages first, as stringer does. Outside
// a module, or when the directory does not load (say, the stale output
// disagrees with the other files), it reads the package clauses with
// go/build, which honours build constraints the same way.
func dirPackage(dir, out string) string {
	outInfo, _ := os.Stat(out)
	// isOut reports whether the file at path, its links followed, is the
	// output: a symbolic link to the previous output does not count either.
	isOut := func(path string) bool {
		fi, err := os.Stat(path)
		return err == nil && outInfo != nil && os.SameFile(fi, outInfo)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	hasGo := false
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		if !isOut(filepath.Join(dir, e.Name())) {
			hasGo = true
		}
	}
	if !hasGo {
		return ""
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedFiles, Dir: dir}
	if pkgs, err := packages.Load(cfg, "."); err == nil && len(pkgs) == 1 && len(pkgs[0].Errors) == 0 && pkgs[0].Name != "" {
		for _, f := range pkgs[0].GoFiles {
			if !isOut(f) {
				return pkgs[0].Name
			}
		}
		return ""
	}
	ctxt := build.Default
	ctxt.ReadDir = func(d string) ([]fs.FileInfo, error) {
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		var infos []fs.FileInfo
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && !isOut(filepath.Join(d, e.Name())) {
				infos = append(infos, fi)
			}
		}
		return infos, nil
	}
	p, err := ctxt.ImportDir(dir, 0)
	if err != nil {
		return ""
	}
	return p.Name
}
