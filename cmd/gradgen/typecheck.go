package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"

	"github.com/gradgen/gradgen/emit"
)

// typeCheck type-checks every output before anything is written: each
// output with its -test file and -standalone helpers file, against their imports as the output
// directory's build resolves them (see importsFor). It returns a
// *emit.CompileError for code that does not compile, or an
// incompatibleRuntime when the output's module resolves another version
// of the runtime than the one it was generated for. When the imports
// cannot be resolved at all, the output is not checked: a warning on
// stderr says so, and the output is written as before.
func typeCheck(outs []*output, stderr io.Writer) error {
	r := newImportResolver(outs)
	for _, o := range outs {
		if o.funcs == nil {
			continue // a -test file, checked with its output
		}
		files := []emit.Source{{Path: o.path, Data: o.data}}
		if o.test != nil {
			files = append(files, emit.Source{Path: o.test.path, Data: o.test.data})
		}
		if o.helpers != nil {
			files = append(files, emit.Source{Path: o.helpers.path, Data: o.helpers.data})
		}
		err := emit.TypeCheck(o.funcs, files, r.importsFor(o.path))
		var ce *emit.CompileError
		switch {
		case errors.As(err, &ce) && ce.IncompatibleRuntime && !r.fellBack[o.path]:
			return incompatibleRuntime{ce}
		case errors.As(err, &ce):
			return err
		case err != nil:
			fmt.Fprintf(stderr, "gradgen: warning: %s not type-checked: %v\n", o.path, err)
		}
	}
	return nil
}

// incompatibleRuntime is the compile error of an output whose module
// resolves another version of the runtime package than the one the code
// was generated for: the module's requirements, not gradgen, are at fault.
type incompatibleRuntime struct{ *emit.CompileError }

func (e incompatibleRuntime) Error() string {
	return fmt.Sprintf("%s: %s: %s builds with an incompatible github.com/gradgen/gradgen; run the gradgen of the version its module requires",
		e.Pos, e.Msg, e.Pos.Filename)
}

// importResolver resolves the imports of generated files as the build of
// their directory will: it loads the imported packages with go/packages
// from export data (so `go list` compiles them through the build cache)
// in the output directory, so that the versions its module requires are
// the ones checked against. When they do not load there (a directory
// outside any module, or a module that does not yet require gonum or
// gradgen: the first go generate of a new project), they are loaded in
// gradgen's own module, whose versions the code was generated for.
// Each directory loads the imports of all its outputs once, with a single
// go list.
type importResolver struct {
	wanted   map[string][]string     // directory → import paths of its outputs
	early    map[string]*pendingLoad // directory → the load prefetch started
	loaded   map[string]*packageSet  // directory → what loaded there
	fellBack map[string]bool         // output path → its imports came from gradgen's module
}

// newImportResolver returns a resolver for the imports of outs.
func newImportResolver(outs []*output) *importResolver {
	r := &importResolver{wanted: map[string][]string{}, early: map[string]*pendingLoad{}, loaded: map[string]*packageSet{}, fellBack: map[string]bool{}}
	for _, o := range outs {
		dir := filepath.Dir(o.path)
		r.wanted[dir] = union(r.wanted[dir], importPaths(o.data))
		if o.imports != nil {
			r.early[dir] = o.imports
		}
	}
	return r
}

// pendingLoad is a load of one directory's imports started before its
// outputs are generated (prefetch).
type pendingLoad struct {
	done chan struct{} // closed when the load is over
	set  *packageSet   // what loaded in the directory; nil for a directory outside any module, whose load warmed loadOwn's cache instead
}

// prefetch is the loads of a run's imports started before its outputs are
// generated: the imports of the files the outputs replace, which a rerun
// of go generate imports again. The go list then runs while the outputs
// are generated instead of after (generating 100 functions spent about a
// third of its wall time in it). The type check uses such a load only when
// it loaded every import of the new outputs, and loads them itself
// otherwise (a first run, an import added, any load error), so what it
// checks against is the same either way.
type prefetch struct {
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// newPrefetch returns a prefetch that has started nothing.
func newPrefetch() *prefetch {
	ctx, stop := context.WithCancel(context.Background())
	return &prefetch{ctx: ctx, stop: stop}
}

// close stops the loads nobody waits for and returns once their go list
// has exited, so that no process outlives the run.
func (p *prefetch) close() {
	p.stop()
	p.wg.Wait()
}

// start loads, for each folder of outs, the imports of the outputs' files
// there that gradgen generated (a hand-written file gradgen may replace
// with -force could import anything), and for an output not yet written,
// every package it and its -test file may import (emit.ImportPaths; not
// under -standalone, whose helpers file imports what the runtime's source
// does), one folder at a time in the order the type check asks for them:
// a run over many folders starts one go list at a time.
// Outside any module it warms the cache of loadOwn, where the type check
// falls back to.
func (p *prefetch) start(outs []*output) {
	var dirs []string
	paths := map[string][]string{}
	for _, o := range outs {
		data, err := os.ReadFile(o.path)
		var imports []string
		switch {
		case err == nil && notGradgens(data) == "":
			imports = importPaths(data)
		case errors.Is(err, fs.ErrNotExist) && o.funcs != nil && o.helpers == nil:
			imports = emit.ImportPaths(o.test != nil)
		default:
			continue
		}
		dir := filepath.Dir(o.path)
		if _, seen := paths[dir]; !seen {
			dirs = append(dirs, dir)
		}
		paths[dir] = union(paths[dir], imports)
	}
	loads := map[string]*pendingLoad{}
	for _, dir := range dirs {
		if len(paths[dir]) > 0 {
			loads[dir] = &pendingLoad{done: make(chan struct{})}
		}
	}
	for _, o := range outs {
		o.imports = loads[filepath.Dir(o.path)]
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for _, dir := range dirs {
			load := loads[dir]
			if load == nil {
				continue
			}
			if inModule(dir) || ownModule == "" {
				load.set = loadPackages(p.ctx, dir, paths[dir])
			} else {
				loadOwn(p.ctx, paths[dir])
			}
			close(load.done)
		}
	}()
}

// importsFor returns the importer for the generated files of the output
// at path.
func (r *importResolver) importsFor(path string) emit.Importer {
	dir := filepath.Dir(path)
	return func(paths []string) (types.Importer, error) {
		here := r.loaded[dir]
		if early := r.early[dir]; here == nil && early != nil {
			<-early.done
			if early.set.covers(r.wanted[dir]) {
				here = early.set
			}
		}
		if here == nil {
			here = loadPackages(context.Background(), dir, r.wanted[dir])
		}
		r.loaded[dir] = here
		imp, err := here.importer(paths)
		if err == nil {
			return imp, nil
		}
		err = fmt.Errorf("cannot load its imports in %s: %v", dirName(dir), err)
		if ownModule == "" {
			return nil, fmt.Errorf("%v; gradgen's own module is not on this machine", err)
		}
		own := loadOwn(context.Background(), r.wanted[dir])
		if own.err != nil {
			return nil, fmt.Errorf("%v; nor in gradgen's module %s: %v", err, ownModule, own.err)
		}
		// Every package generated code may import resolves in gradgen's
		// module: one that does not is an emission bug, which the type
		// check reports at its import.
		r.fellBack[path] = true
		return own, nil
	}
}

// packageSet is the outcome of loading import paths in one directory; it
// imports the packages that loaded.
type packageSet struct {
	types map[string]*types.Package // path → package, when it loaded
	errs  map[string]packages.Error // path → why it did not load
	err   error                     // why nothing loaded
}

// importer returns an importer for paths, which must all have loaded.
func (s *packageSet) importer(paths []string) (types.Importer, error) {
	if s.err != nil {
		return nil, s.err
	}
	for _, p := range paths {
		if err, ok := s.errs[p]; ok {
			return nil, loadError(err)
		}
		if s.types[p] == nil {
			return nil, fmt.Errorf("go list does not load package %s there", p) // go/packages drops some go list errors, such as "updates to go.mod needed"
		}
	}
	return s, nil
}

// covers reports whether every one of paths loaded.
func (s *packageSet) covers(paths []string) bool {
	if s == nil || s.err != nil {
		return false
	}
	for _, p := range paths {
		if s.types[p] == nil {
			return false
		}
	}
	return true
}

// Import returns the package path, when it loaded; else why not, in one
// line.
func (s *packageSet) Import(path string) (*types.Package, error) {
	if pkg := s.types[path]; pkg != nil {
		return pkg, nil
	}
	if err, ok := s.errs[path]; ok {
		return nil, loadError(err)
	}
	return nil, fmt.Errorf("package %s not loaded", path)
}

// loadError returns the first line of a go list error, without the go
// command's advice, which is not for generated code.
func loadError(err packages.Error) error {
	line, _, _ := strings.Cut(err.Msg, "\n")
	return errors.New(strings.TrimSuffix(line, "; to add it:"))
}

// loadPackages loads the packages paths with go/packages in dir: one go
// list, which builds them through the build cache and names their export
// data, stopped when ctx is cancelled; their types are then read from that
// export data, into one map so that the packages they share are one. Only
// export files are asked for: asking go/packages for types would also run
// a second go list for the target's type sizes, which the type check does
// not use (go/types' defaults are gc's on amd64); generating 100 functions
// took 10 % less wall time without it. A package that has no export data
// and no error (one whose dependencies do not build) is loaded as
// go/packages loads types (loadTypes), which type-checks it from source. A
// directory outside any module is not asked: in module mode nothing but
// the standard library would resolve there.
func loadPackages(ctx context.Context, dir string, paths []string) *packageSet {
	s := &packageSet{types: map[string]*types.Package{}, errs: map[string]packages.Error{}}
	if !inModule(dir) {
		s.err = errors.New("it is outside any module")
		return s
	}
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName | packages.NeedExportFile, Dir: dir}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		s.err = err
		return s
	}
	fset, shared := token.NewFileSet(), map[string]*types.Package{}
	for _, p := range pkgs {
		switch {
		case len(p.Errors) > 0:
			s.errs[p.PkgPath] = p.Errors[0]
		case p.PkgPath == "unsafe": // no export data: go/types knows it
			s.types[p.PkgPath] = types.Unsafe
		case p.ExportFile == "":
			return loadTypes(ctx, dir, paths)
		default:
			pkg, err := readExportData(fset, shared, p.ExportFile, p.PkgPath)
			if err != nil {
				s.errs[p.PkgPath] = packages.Error{Msg: fmt.Sprintf("reading its export data: %v", err)}
				continue
			}
			s.types[p.PkgPath] = pkg
		}
	}
	return s
}

// loadTypes loads the packages paths in dir as go/packages loads their
// types: from export data, or from source where a package has none.
func loadTypes(ctx context.Context, dir string, paths []string) *packageSet {
	s := &packageSet{types: map[string]*types.Package{}, errs: map[string]packages.Error{}}
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName | packages.NeedTypes, Dir: dir}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		s.err = err
		return s
	}
	for _, p := range pkgs {
		switch {
		case len(p.Errors) > 0:
			s.errs[p.PkgPath] = p.Errors[0]
		case p.Types != nil:
			s.types[p.PkgPath] = p.Types
		}
	}
	return s
}

// readExportData reads the types of the package path from the export data
// file, adding it and the packages it refers to into shared. Up to Go 1.27
// go list -export names the compiler's archive, whose export data
// gcexportdata.NewReader finds; from Go 1.28 it names cmd/export's output,
// which gcexportdata.Read reads as it is.
func readExportData(fset *token.FileSet, shared map[string]*types.Package, file, path string) (*types.Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buffered := bufio.NewReader(f)
	var in io.Reader = buffered
	if magic, _ := buffered.Peek(8); string(magic) == "!<arch>\n" {
		//lint:ignore SA1019 the archives of Go ≤ 1.27 have no other reader; go/packages reads them so too
		if in, err = gcexportdata.NewReader(in); err != nil {
			return nil, err
		}
	}
	return gcexportdata.Read(in, fset, shared, path)
}

// inModule reports whether dir may be in a module: a go.mod in it or
// above it, or GOPATH mode, where go list decides.
func inModule(dir string) bool {
	if os.Getenv("GO111MODULE") == "off" {
		return true
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return true
	}
	for {
		if _, err := os.Stat(filepath.Join(abs, "go.mod")); err == nil {
			return true
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return false
		}
		abs = parent
	}
}

// ownModule is the root directory of gradgen's own module when its source
// is on this machine, as it is under go run, go test and go install
// without -trimpath; else "".
var ownModule = sourceModule()

// sourceModule returns the root of the module this file was compiled
// from, when it is still there and is gradgen's.
func sourceModule() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	root := filepath.Dir(filepath.Dir(filepath.Dir(file))) // above cmd/gradgen
	modulePath := strings.TrimSuffix(emit.RuntimePath, "/runtime")
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module "+modulePath+"\n")) {
		return ""
	}
	return root
}

// ownLoads caches the last load in gradgen's own module for the process:
// the module does not change while gradgen runs, and the tests run the
// command many times in one process. Each load asks for every path asked
// before as well, so that it serves all earlier requests too.
var ownLoads struct {
	sync.Mutex
	paths []string // asked for, sorted
	set   *packageSet
}

// loadOwn loads paths in gradgen's own module, reusing the last load when
// it asked for them all. A load ctx cancelled is not kept.
func loadOwn(ctx context.Context, paths []string) *packageSet {
	ownLoads.Lock()
	defer ownLoads.Unlock()
	all := union(ownLoads.paths, paths)
	if ownLoads.set == nil || len(all) > len(ownLoads.paths) {
		set := loadPackages(ctx, ownModule, all)
		if ctx.Err() != nil {
			return set
		}
		ownLoads.paths, ownLoads.set = all, set
	}
	return ownLoads.set
}

// importPaths returns the import paths of the Go source src, sorted; none
// when it does not parse (then the type check reports it).
func importPaths(src []byte) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
	if err != nil {
		return nil
	}
	var paths []string
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	return paths
}

// union returns the sorted union of two sorted lists.
func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
