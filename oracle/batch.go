package oracle

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/emit"
	"github.com/gradgen/gradgen/oracle/harness"
	"github.com/gradgen/gradgen/spec"
)

// Failure is one failed check of one function, as the harness reports
// it; the oracle adds its own (refused, emit, compile, crash).
type Failure = harness.Failure

// Outcome is what a batch found for one function.
type Outcome struct {
	Case     *Case
	Roles    []string
	Failures []Failure
	Skipped  string // why the function was not run: no well-conditioned point
}

// Options control a run.
type Options struct {
	Root       string // the gradgen module's directory
	Standalone bool   // emit -standalone output
	Test       bool   // also emit and run the -test output
	Keep       bool   // keep the batch directory
	Seed       uint64 // for points
	Race       bool   // build and test with the race detector, which stops the program at the first race
	OpenBLAS   bool   // link the OpenBLAS backend (runtime/openblas; needs cgo and libopenblas)
	// GoCache is the build cache (GOCACHE) of the batch's go commands; ""
	// keeps the environment's. Every batch is a new package, so a long
	// campaign leaves gigabytes of entries no later build uses (Campaign
	// gives each run its own, removed at the end).
	GoCache string
}

// goEnv returns the environment of the batch's go commands.
func goEnv(opts Options) []string {
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if opts.GoCache != "" {
		env = append(env, "GOCACHE="+opts.GoCache)
	}
	return env
}

// prepared is a case that built, with its point.
type prepared struct {
	c  *Case
	fn *derive.Function
	p  point
}

// RunBatch generates, builds and runs the cases as one program and
// returns one outcome per case, in order.
func RunBatch(ctx context.Context, cases []*Case, opts Options) []*Outcome {
	outs := make([]*Outcome, len(cases))
	byName := map[string]*Outcome{}
	var ready []*prepared
	for i, c := range cases {
		o := &Outcome{Case: c}
		outs[i], byName[c.Name] = o, o
		fn, fail := build(c)
		if fail != nil {
			o.Failures = append(o.Failures, *fail)
			continue
		}
		p, why, ok := drawPoint(rand.New(rand.NewPCG(opts.Seed, c.pointSeed())), fn, 12)
		if !ok {
			o.Skipped = why
			continue
		}
		if f := emitAlone(fn); f != nil {
			o.Failures = append(o.Failures, *f)
			continue
		}
		ready = append(ready, &prepared{c, fn, p})
	}
	dir, err := os.MkdirTemp("", "gradgen-oracle-")
	if err != nil {
		panic(err)
	}
	if !opts.Keep {
		defer os.RemoveAll(dir)
	}
	for round := 0; round < 4 && len(ready) > 0; round++ {
		bad, err := writeAndBuild(ctx, dir, ready, opts, byName)
		if err != nil {
			for _, p := range ready {
				o := byName[p.c.Name]
				o.Failures = append(o.Failures, Failure{Func: p.c.Name, Role: p.c.Name, Check: "build", Msg: err.Error()})
			}
			return outs
		}
		if len(bad) == 0 {
			break
		}
		var keep []*prepared
		for _, p := range ready {
			if !bad[p.c.Name] {
				keep = append(keep, p)
			}
		}
		ready = keep
	}
	if len(ready) == 0 {
		return outs
	}
	run(ctx, dir, ready, byName)
	if opts.Test {
		runTests(ctx, dir, ready, opts, byName)
	}
	return outs
}

// build loads and derives one case; a refusal of a valid spec is a failure.
func build(c *Case) (fn *derive.Function, fail *Failure) {
	defer func() {
		// A panic in spec or derive is a failure of this function, not the
		// end of the campaign.
		if r := recover(); r != nil {
			fn, fail = nil, &Failure{Func: c.Name, Role: c.Name, Check: "derive", Msg: fmt.Sprintf("panic: %v", r)}
		}
	}()
	text := specText([]*Case{c})
	f, err := spec.Load(c.Name+".yaml", []byte(text))
	if err == nil {
		var fns []*derive.Function
		fns, err = derive.Build(f)
		if err == nil {
			return fns[0], nil
		}
	}
	return nil, &Failure{Func: c.Name, Role: c.Name, Check: "refused", Msg: err.Error()}
}

// emitAlone generates fn on its own, so an emitter error or panic is
// pinned to it before the batch is generated together.
func emitAlone(fn *derive.Function) (fail *Failure) {
	name := fn.Spec.Name
	defer func() {
		if r := recover(); r != nil {
			fail = &Failure{Func: name, Role: name, Check: "emit", Msg: fmt.Sprintf("panic: %v", r)}
		}
	}()
	if _, err := emit.Generate([]*derive.Function{fn}, emit.Options{Package: "main"}); err != nil {
		return &Failure{Func: name, Role: name, Check: "emit", Msg: err.Error()}
	}
	return nil
}

// writeAndBuild writes the batch program and builds it; compile errors
// are mapped back to their functions, recorded, and returned as the set
// of functions to drop.
func writeAndBuild(ctx context.Context, dir string, ready []*prepared, opts Options, byName map[string]*Outcome) (map[string]bool, error) {
	fns := make([]*derive.Function, len(ready))
	for i, p := range ready {
		fns[i] = p.fn
	}
	code, err := emit.Generate(fns, emit.Options{Package: "main"})
	if err != nil {
		return nil, fmt.Errorf("generating the batch: %v", err)
	}
	if opts.Standalone {
		if code, err = emit.Standalone(code); err != nil {
			return nil, fmt.Errorf("-standalone: %v", err)
		}
	}
	sigs, err := signatures(code)
	if err != nil {
		return nil, fmt.Errorf("parsing generated code: %v", err)
	}
	var g glue
	g.printf("// Code generated by the gradgen oracle. DO NOT EDIT.\n\npackage main\n\nimport (\n\t\"gonum.org/v1/gonum/optimize\"\n\n\t\"github.com/gradgen/gradgen/oracle/harness\"\n)\n\nvar _ optimize.Problem\n\nfunc init() {\n")
	glueLines := map[int]string{} // first line of each function's registration
	bad := map[string]bool{}
	for _, p := range ready {
		glueLines[strings.Count(g.b.String(), "\n")+1] = p.c.Name
		before := len(g.bad)
		g.writeFunc(p.fn, p.p, sigs)
		for _, f := range g.bad[before:] {
			o := byName[f.Func]
			o.Failures = append(o.Failures, f)
		}
	}
	g.printf("}\n")
	files := map[string][]byte{
		"go.mod":      goMod(opts.Root, opts.OpenBLAS),
		"gen_grad.go": code,
		"glue.go":     []byte(g.b.String()),
		"main.go":     []byte("package main\n\nimport \"github.com/gradgen/gradgen/oracle/harness\"\n\nfunc main() { harness.Main() }\n"),
	}
	if sum, err := os.ReadFile(filepath.Join(opts.Root, "go.sum")); err == nil {
		files["go.sum"] = sum
	}
	if opts.OpenBLAS {
		files["openblas.go"] = []byte("package main\n\nimport _ \"github.com/gradgen/gradgen/runtime/openblas\"\n")
		if sum, err := os.ReadFile(filepath.Join(opts.Root, "runtime", "openblas", "go.sum")); err == nil {
			files["go.sum"] = append(files["go.sum"], sum...)
		}
	}
	if opts.Standalone {
		helpers, err := emit.StandaloneRuntime("main", "")
		if err != nil {
			return nil, fmt.Errorf("-standalone: %v", err)
		}
		files[emit.StandaloneRuntimeFile] = helpers
	}
	if opts.Test {
		test, err := emit.GenerateTest(fns, emit.TestOptions{Package: "main", Name: "TestGradgenBatch", Source: "gen_grad.go"})
		if err != nil {
			return nil, fmt.Errorf("-test: %v", err)
		}
		files["gen_grad_test.go"] = test
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, err
		}
	}
	args := []string{"build", "-tags=gradgenpoison,gradgensplit", "-gcflags=-e", "-o", "batch"}
	if opts.Race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = goEnv(opts)
	out, err := cmd.CombinedOutput()
	if opts.Test && err == nil {
		vet := exec.CommandContext(ctx, "go", "vet", ".")
		vet.Dir, vet.Env = dir, cmd.Env
		out, err = vet.CombinedOutput()
	}
	if err == nil {
		return nil, nil
	}
	names := make([]string, len(ready))
	for i, p := range ready {
		names[i] = p.c.Name
	}
	owners := owners(code, "gen_grad.go", names)
	found := false
	for _, m := range compileError.FindAllStringSubmatch(string(out), -1) {
		line, _ := strconv.Atoi(m[2])
		var fn string
		switch m[1] {
		case "gen_grad.go", "gen_grad_test.go":
			fn = owners(line)
		case "glue.go":
			fn = lineOwner(glueLines, line)
		}
		o := byName[fn]
		if o == nil {
			continue
		}
		found = true
		if !bad[fn] {
			o.Failures = append(o.Failures, Failure{Func: fn, Role: fn, Check: "compile", Msg: m[1] + ":" + m[2] + ": " + m[3]})
		}
		bad[fn] = true
	}
	if !found {
		return nil, fmt.Errorf("build failed and no error maps to a function:\n%s", truncate(string(out), 3000))
	}
	return bad, nil
}

var compileError = regexp.MustCompile(`(?m)^\./(\w+\.go):(\d+):\d+: (.*)$`)

// owners returns a function mapping a line of the generated file to the
// spec function whose generated declaration holds it.
func owners(src []byte, name string, names []string) func(int) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return func(int) string { return "" }
	}
	type span struct {
		from, to int
		name     string
	}
	var spans []span
	for _, d := range f.Decls {
		var id string
		switch d := d.(type) {
		case *ast.FuncDecl:
			id = d.Name.Name
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					id = s.Name.Name
				case *ast.ValueSpec:
					id = s.Names[0].Name
				}
			}
		}
		spans = append(spans, span{fset.Position(d.Pos()).Line, fset.Position(d.End()).Line, id})
	}
	return func(line int) string {
		for _, s := range spans {
			if line >= s.from && line <= s.to {
				return specName(s.name, names)
			}
		}
		return ""
	}
}

// specName maps a generated identifier (FGrad, fGradWork, …) to the
// spec function of names it belongs to: the longest that prefixes it, the
// first letter in either case.
func specName(id string, names []string) string {
	best := ""
	for _, n := range names {
		if len(n) > len(best) && len(id) >= len(n) && strings.EqualFold(id[:1], n[:1]) && id[1:len(n)] == n[1:] {
			best = n
		}
	}
	return best
}

func lineOwner(starts map[int]string, line int) string {
	best, name := 0, ""
	for l, n := range starts {
		if l <= line && l > best {
			best, name = l, n
		}
	}
	return name
}

// goMod is the batch module: it requires gradgen from root, and with
// openblas its OpenBLAS backend module from root/runtime/openblas.
func goMod(root string, openblas bool) []byte {
	var b bytes.Buffer
	b.WriteString("module oraclebatch\n\ngo 1.26\n\nrequire github.com/gradgen/gradgen v0.0.0\n\nreplace github.com/gradgen/gradgen => " + root + "\n\n")
	// The same versions of gradgen's own requirements.
	required := requirements(filepath.Join(root, "go.mod"))
	if openblas {
		const backend = "github.com/gradgen/gradgen/runtime/openblas"
		b.WriteString("require " + backend + " v0.0.0\n\nreplace " + backend + " => " + filepath.Join(root, "runtime", "openblas") + "\n\n")
		// The backend's own requirements that gradgen does not have
		// (netlib).
		have := map[string]bool{"github.com/gradgen/gradgen": true}
		for _, r := range required {
			have[strings.Fields(r)[0]] = true
		}
		for _, r := range requirements(filepath.Join(root, "runtime", "openblas", "go.mod")) {
			if !have[strings.Fields(r)[0]] {
				required = append(required, r)
			}
		}
	}
	b.WriteString("require (\n")
	for _, r := range required {
		b.WriteString("\t" + r + "\n")
	}
	b.WriteString(")\n")
	return b.Bytes()
}

// requirements returns the lines of the require blocks of the go.mod at
// path ("module version", with any comment).
func requirements(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var lines []string
	inRequire := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "require ("):
			inRequire = true
		case inRequire && strings.TrimSpace(line) == ")":
			inRequire = false
		case inRequire && strings.TrimSpace(line) != "":
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	return lines
}

// run runs the batch program and records each function's result; a
// function that crashes the program (or is missing from its output) is
// run again alone, so the crash is pinned to it.
//
// A race report that stopped the whole program is kept: should the
// function it stopped at (the first without a result: the harness checks
// them in order) not race again alone, the report is its failure all the
// same, as a race need not recur.
func run(ctx context.Context, dir string, ready []*prepared, byName map[string]*Outcome) {
	done, stderr := runProgram(ctx, dir, nil, byName)
	race := strings.Contains(stderr, raceWarning)
	for _, p := range ready {
		if done[p.c.Name] {
			continue
		}
		o := byName[p.c.Name]
		before := len(o.Failures)
		alone, _ := runProgram(ctx, dir, []string{p.c.Name}, byName)
		if !alone[p.c.Name] {
			o.Failures = append(o.Failures, Failure{Func: p.c.Name, Role: p.c.Name, Check: "crash", Msg: "the program died checking it"})
		}
		if race && len(o.Failures) == before {
			o.Failures = append(o.Failures, Failure{Func: p.c.Name, Role: p.c.Name, Check: "race",
				Msg: "the whole batch stopped at this race checking it (not raced again alone): " + truncate(stderr, 2000)})
		}
		race = false
	}
}

// raceWarning begins each report of the race detector.
const raceWarning = "WARNING: DATA RACE"

func runProgram(ctx context.Context, dir string, only []string, byName map[string]*Outcome) (map[string]bool, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "batch"), only...)
	// A program built with -race stops at its first race (exit status 66),
	// so the functions after it run again alone and the race is pinned
	// to the one that raced; other programs ignore GORACE.
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	done := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var r harness.Result
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		o := byName[r.Func]
		if o == nil {
			continue
		}
		done[r.Func] = true
		o.Roles = r.Roles
		o.Failures = append(o.Failures, r.Failures...)
	}
	if err != nil && len(only) == 1 && !done[only[0]] {
		if o := byName[only[0]]; o != nil {
			check := "crash"
			if strings.Contains(stderr.String(), raceWarning) {
				check = "race"
			}
			o.Failures = append(o.Failures, Failure{Func: only[0], Role: only[0], Check: check, Msg: truncate(stderr.String(), 2000)})
			done[only[0]] = true
		}
	}
	return done, stderr.String()
}

// runTests runs the -test output of the batch; a failing test names the
// functions it failed for.
func runTests(ctx context.Context, dir string, ready []*prepared, opts Options, byName map[string]*Outcome) {
	args := []string{"test", "-count=1"}
	if opts.Race {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = goEnv(opts)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return
	}
	text := string(out)
	// go test prints each failing subtest's header, then its messages.
	header := regexp.MustCompile(`--- FAIL: \S+/(\w+)`)
	msgs := map[string][]string{}
	var order []string
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		if m := header.FindStringSubmatch(line); m != nil {
			cur = m[1]
			if _, ok := msgs[cur]; !ok {
				order = append(order, cur)
			}
			msgs[cur] = append(msgs[cur], line)
			continue
		}
		if cur != "" {
			msgs[cur] = append(msgs[cur], line)
		}
	}
	blamed := false
	for _, name := range order {
		o := byName[name]
		if o == nil {
			continue
		}
		blamed = true
		msg := strings.Join(msgs[name], "\n")
		o.Failures = append(o.Failures, Failure{Func: name, Role: name, Check: "test-output", Msg: truncate(msg, 1500)})
	}
	if !blamed {
		for _, p := range ready {
			o := byName[p.c.Name]
			o.Failures = append(o.Failures, Failure{Func: p.c.Name, Role: p.c.Name, Check: "test-output", Msg: truncate(text, 1500)})
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
