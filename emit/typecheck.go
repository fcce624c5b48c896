package emit

import (
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gradgen/gradgen/derive"
)

// A Source is one generated file: the path it is written to, which
// positions in errors name, and its contents.
type Source struct {
	Path string
	Data []byte
}

// A CompileError is a type error in generated code: the code generator,
// not the spec, is at fault, unless the error lies in the runtime version
// check (IncompatibleRuntime).
type CompileError struct {
	// Owner is the spec function whose generated code holds the error;
	// else the top-level declaration that holds it (a copied runtime
	// helper, say); else the file's base name (its imports).
	Owner string
	Pos   token.Position
	Msg   string
	// IncompatibleRuntime reports that the error lies in the check that
	// the runtime package is the version the code was generated for: the
	// build resolves an incompatible github.com/gradgen/gradgen, unless
	// it resolves gradgen's own (then the check was emitted wrong).
	IncompatibleRuntime bool
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("generated code for %s does not compile: %s: %s", e.Owner, e.Pos, e.Msg)
}

// An Importer returns, for the import paths of a set of generated files,
// the importer that resolves them the way their build will; it returns
// an error when it cannot resolve them all.
type Importer func(paths []string) (types.Importer, error)

// SourceImporter is an Importer that resolves every import from source,
// the module's own packages and their dependencies from the module cache,
// remembering each package it found for the life of the process (the
// source importer asks the go command where a package is on every call).
// Tests and fuzz targets that type-check many generated files use it.
func SourceImporter([]string) (types.Importer, error) {
	sourceOnce.Do(func() {
		sourceCache = cachedImporter{importer.ForCompiler(token.NewFileSet(), "source", nil), map[string]*types.Package{}}
	})
	return sourceCache, nil
}

var (
	sourceOnce  sync.Once
	sourceCache cachedImporter
)

// cachedImporter remembers each package its importer found. It is used
// from one goroutine at a time (fuzz workers are processes).
type cachedImporter struct {
	from types.Importer
	pkgs map[string]*types.Package
}

func (c cachedImporter) Import(path string) (*types.Package, error) {
	if p, ok := c.pkgs[path]; ok {
		return p, nil
	}
	p, err := c.from.Import(path)
	if err == nil {
		c.pkgs[path] = p
	}
	return p, err
}

// TypeCheck type-checks files, the generated files of one package (an
// output, then its test file if any), as the Go compiler would, with
// their imports resolved by importer; funcs are the functions they were
// generated from. It returns a *CompileError for the first error found,
// in file then source order, or the importer's error when the imports
// cannot be resolved; nil when the files compile. Only the generated
// files are checked: other files of the package are not read.
func TypeCheck(funcs []*derive.Function, files []Source, importer Importer) error {
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, src := range files {
		f, err := parser.ParseFile(fset, src.Path, src.Data, parser.SkipObjectResolution)
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return compileError(funcs, f, fset, list[0].Pos, list[0].Msg)
		}
		if err != nil {
			return err
		}
		parsed = append(parsed, f)
	}
	imp, err := importer(importPaths(parsed))
	if err != nil {
		return err
	}
	var typeErrs []types.Error
	conf := types.Config{
		Importer: imp,
		Error:    func(err error) { typeErrs = append(typeErrs, err.(types.Error)) },
	}
	_, _ = conf.Check(parsed[0].Name.Name, fset, parsed, nil) // errors arrive through conf.Error
	if len(typeErrs) == 0 {
		return nil
	}
	// The first error in the files' order: an error in the output before
	// one in its test, which may only follow from it.
	fileIndex := map[string]int{}
	for k, src := range files {
		fileIndex[src.Path] = k
	}
	first := typeErrs[0]
	for _, e := range typeErrs[1:] {
		p, q := fset.Position(e.Pos), fset.Position(first.Pos)
		if fileIndex[p.Filename] < fileIndex[q.Filename] || p.Filename == q.Filename && p.Offset < q.Offset {
			first = e
		}
	}
	pos := fset.Position(first.Pos)
	return compileError(funcs, parsed[fileIndex[pos.Filename]], fset, pos, first.Msg)
}

// importPaths returns the import paths of files, sorted, each once.
func importPaths(files []*ast.File) []string {
	seen := map[string]bool{}
	var paths []string
	for _, f := range files {
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err == nil && !seen[p] {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	return paths
}

// compileError returns the error msg at pos in file f (possibly partial,
// when it does not parse), attributed to the code that holds it.
func compileError(funcs []*derive.Function, f *ast.File, fset *token.FileSet, pos token.Position, msg string) *CompileError {
	e := &CompileError{Owner: filepath.Base(pos.Filename), Pos: pos, Msg: msg}
	if f == nil {
		return e
	}
	tf := fset.File(f.Pos())
	if tf == nil || pos.Offset > tf.Size() {
		return e
	}
	p := tf.Pos(pos.Offset)
	path, _ := astutil.PathEnclosingInterval(f, p, p)
	if len(path) < 2 {
		return e // the package clause or a comment
	}
	owners := ownerNames(funcs)
	// In the test file, each function's checks are a case {"F", …}.
	for _, n := range path {
		if lit, ok := n.(*ast.CompositeLit); ok && len(lit.Elts) > 0 {
			if s, ok := lit.Elts[0].(*ast.BasicLit); ok && s.Kind == token.STRING {
				if name, err := strconv.Unquote(s.Value); err == nil && owners[name] == name {
					e.Owner = name
					return e
				}
			}
		}
	}
	decl, ok := path[len(path)-2].(ast.Decl)
	if !ok {
		return e
	}
	if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST && refersToRuntime(f, g) {
		e.IncompatibleRuntime = true
		return e
	}
	name := declName(decl)
	switch {
	case owners[name] != "":
		e.Owner = owners[name]
	case strings.HasPrefix(name, standalonePrefix):
		e.Owner = "the runtime helper " + name
	case name != "" && name != "_":
		e.Owner = name
		if owner := firstUser(f, name, owners); owner != "" {
			e.Owner = owner // a workspace type or pool
		}
	}
	return e
}

// ownerNames maps the name of every function generated for funcs to the
// spec function it was generated for.
func ownerNames(funcs []*derive.Function) map[string]string {
	owners := map[string]string{}
	for _, fn := range funcs {
		for _, g := range generated(fn) {
			owners[g.name] = fn.Spec.Name
		}
	}
	return owners
}

// declName returns the name d declares: a function's, its receiver type's
// for a method, or the first name of a type, variable or constant
// declaration; "" for an import.
func declName(d ast.Decl) string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			return d.Name.Name
		}
		typ := d.Recv.List[0].Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if id, ok := typ.(*ast.Ident); ok {
			return id.Name // a method belongs with its type
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				return s.Name.Name
			case *ast.ValueSpec:
				return s.Names[0].Name
			}
		}
	}
	return ""
}

// firstUser returns the spec function whose generated function is the
// first in f to refer to the top-level name; "" when none does.
func firstUser(f *ast.File, name string, owners map[string]string) string {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || owners[declName(fd)] == "" {
			continue
		}
		uses := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == name {
				uses = true
			}
			return !uses
		})
		if uses {
			return owners[declName(fd)]
		}
	}
	return ""
}

// refersToRuntime reports whether the declaration d of f refers to the
// runtime package: in a constant declaration, the runtime version check.
func refersToRuntime(f *ast.File, d ast.Decl) bool {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == runtimePath {
			local := path.Base(p)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			return declUses(d, local)
		}
	}
	return false
}
