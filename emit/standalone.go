package emit

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gradgen/gradgen/runtime"
)

// standalonePrefix starts the names of the runtime helpers copied into a
// standalone file.
const standalonePrefix = "gradgen"

// standaloneName is the name of a copied runtime helper: gradgenLU for LU,
// gradgenGrow for grow.
func standaloneName(name string) string {
	return standalonePrefix + strings.ToUpper(name[:1]) + name[1:]
}

// runtimeDecl is one top-level declaration of the runtime package.
type runtimeDecl struct {
	name string
	decl ast.Decl
	file *ast.File
}

// runtimeSource is the parsed runtime package.
type runtimeSource struct {
	fset    *token.FileSet
	decls   []*runtimeDecl            // in file and source order
	byName  map[string][]*runtimeDecl // a type also maps to its methods
	imports map[string]string         // package name as the runtime uses it → import path
}

func loadRuntime() (*runtimeSource, error) {
	src := &runtimeSource{fset: token.NewFileSet(), byName: map[string][]*runtimeDecl{}, imports: map[string]string{}}
	names, err := fs.Glob(runtime.Source, "*.go")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") || name == "source.go" {
			continue
		}
		data, err := runtime.Source.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(src.fset, name, data, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if !buildsWithoutTags(f) {
			continue
		}
		files = append(files, f)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			src.imports[path.Base(p)] = p
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			names := declNames(d)
			if len(names) == 0 {
				continue
			}
			rd := &runtimeDecl{name: names[0], decl: d, file: f}
			src.decls = append(src.decls, rd)
			for _, name := range names {
				src.byName[name] = append(src.byName[name], rd)
			}
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				recv := receiverType(fd)
				src.byName[recv] = append(src.byName[recv], rd)
			}
		}
	}
	return src, nil
}

// buildsWithoutTags reports whether a runtime file's //go:build line, if it
// has one, holds with no build tag set. Only such files are copied: a
// -standalone output builds everywhere, without experiments, so the vector
// block kernels (GOEXPERIMENT=simd on amd64) stay out and their portable
// counterpart goes in.
func buildsWithoutTags(f *ast.File) bool {
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if expr, err := constraint.Parse(c.Text); err == nil {
				return expr.Eval(func(string) bool { return false })
			}
		}
	}
	return true
}

// declNames returns the top-level names a declaration introduces; a
// method introduces none (it comes with its type).
func declNames(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			return []string{d.Name.Name}
		}
		return []string{"(" + receiverType(d) + ")." + d.Name.Name}
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						names = append(names, n.Name)
					}
				}
			}
		}
		return names
	}
	return nil
}

func receiverType(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	return t.(*ast.Ident).Name
}

// StandaloneRuntimeFile is the file, in the folder of -standalone outputs,
// that holds the runtime helpers they call (StandaloneRuntime).
const StandaloneRuntimeFile = "gradgen_runtime.go"

// Standalone rewrites generated code so that it imports only the standard
// library and gonum: runtime.X becomes gradgenX, the copy of the runtime
// helper X that StandaloneRuntime's file declares beside it, and the
// runtime import and version check go. The helpers are not in the code
// itself, so that several standalone outputs of one package share them.
func Standalone(code []byte) ([]byte, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "gen.go", code, parser.ParseComments)
	if err != nil {
		return nil, standaloneError(err)
	}
	i := indexOfImport(file, runtimePath)
	if i < 0 {
		return code, nil
	}
	rtName := path.Base(runtimePath)
	if imp := file.Imports[i]; imp.Name != nil {
		rtName = imp.Name.Name
	}
	// Drop the version check and turn runtime.X into gradgenX.
	dropVersionCheck(fset, file, rtName)
	renameRuntimeRefs(file, rtName)
	if imp := file.Imports[i]; imp.Name != nil {
		astutil.DeleteNamedImport(fset, file, imp.Name.Name, runtimePath)
	} else {
		astutil.DeleteImport(fset, file, runtimePath)
	}
	var out bytes.Buffer
	if err := printer.Fprint(&out, fset, file); err != nil {
		return nil, standaloneError(err)
	}
	return formatStandalone(out.Bytes())
}

// StandaloneRuntime returns StandaloneRuntimeFile for package pkg: every
// top-level declaration of the runtime package, under the prefix gradgen
// (runtime.LU becomes gradgenLU), importing only the standard library and
// gonum. It is the whole helper set, whatever the outputs use, so that it
// is the same file for every standalone output of a package and for any
// subset of them regenerated or checked alone; the linker drops the
// helpers a program does not call. Its header records the generator's
// version (see Options.Version) and -standalone.
func StandaloneRuntime(pkg, version string) ([]byte, error) {
	src, err := loadRuntime()
	if err != nil {
		return nil, standaloneError(err)
	}
	var out bytes.Buffer
	if err := checkHeaderWords(version, nil); err != nil {
		return nil, err
	}
	out.WriteString(Header(version, []string{"-standalone"}) + "\n\n")
	out.WriteString("package " + pkg + "\n\n")
	out.WriteString("// The runtime helpers of the -standalone outputs of this package, copied\n")
	out.WriteString("// from " + runtimePath + " by gradgen -standalone.\n\n")
	out.WriteString("import (\n")
	var paths []string
	aliases := map[string]string{}
	for name, p := range src.imports {
		paths = append(paths, p)
		aliases[name] = name
	}
	sort.Strings(paths)
	for _, p := range paths {
		out.WriteString("\t" + strconv.Quote(p) + "\n")
	}
	out.WriteString(")\n")
	for _, d := range src.decls {
		renameForStandalone(d.decl, src, aliases)
		out.WriteString("\n")
		if err := printer.Fprint(&out, src.fset, &printer.CommentedNode{Node: d.decl, Comments: d.file.Comments}); err != nil {
			return nil, standaloneError(err)
		}
		out.WriteString("\n")
	}
	return formatStandalone(out.Bytes())
}

// formatStandalone formats standalone code and groups its imports as
// Generate does.
func formatStandalone(code []byte) ([]byte, error) {
	formatted, err := format.Source(code)
	if err != nil {
		return nil, standaloneError(err)
	}
	formatted, err = groupImports(formatted)
	if err != nil {
		return nil, standaloneError(err)
	}
	return formatted, nil
}

// standaloneError reports a failure of Standalone, which is gradgen's:
// one line, without the code.
func standaloneError(err error) error {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return fmt.Errorf("emit: internal error: -standalone cannot rewrite the generated code: %s; please report it with the spec", quoteName(msg))
}

func indexOfImport(f *ast.File, p string) int {
	for i, imp := range f.Imports {
		if q, _ := strconv.Unquote(imp.Path.Value); q == p {
			return i
		}
	}
	return -1
}

// refersTo reports whether n mentions pkg.name.
func refersTo(n ast.Node, pkg, name string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == pkg && sel.Sel.Name == name {
				found = true
			}
		}
		return !found
	})
	return found
}

// declUses reports whether d refers to the package imported as local.
func declUses(d ast.Decl, local string) bool {
	uses := false
	ast.Inspect(d, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
				uses = true
			}
		}
		return !uses
	})
	return uses
}

// renameForStandalone prefixes every reference to a runtime top-level
// name in d, and renames package qualifiers to this file's import names.
// Field names, method names and selectors keep their names.
func renameForStandalone(d ast.Decl, src *runtimeSource, aliases map[string]string) {
	keep := map[*ast.Ident]bool{}
	ast.Inspect(d, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			keep[n.Sel] = true
			if x, ok := n.X.(*ast.Ident); ok {
				if alias, ok := aliases[x.Name]; ok {
					x.Name = alias
					keep[x] = true
				}
			}
		case *ast.Field:
			if isStructField(d, n) {
				for _, name := range n.Names {
					keep[name] = true
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok {
				keep[k] = true
			}
		case *ast.FuncDecl:
			if n.Recv != nil {
				keep[n.Name] = true
			}
		}
		return true
	})
	ast.Inspect(d, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !keep[id] {
			if _, top := src.byName[id.Name]; top && !strings.HasPrefix(id.Name, "(") {
				id.Name = standaloneName(id.Name)
			}
		}
		return true
	})
}

// isStructField reports whether field is a field of a struct type in d
// (rather than a parameter or result).
func isStructField(d ast.Decl, field *ast.Field) bool {
	found := false
	ast.Inspect(d, func(n ast.Node) bool {
		if st, ok := n.(*ast.StructType); ok {
			for _, f := range st.Fields.List {
				if f == field {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// dropVersionCheck removes the declaration that checks the runtime's
// version, which refers to runtime (imported as rtName), and its comment.
func dropVersionCheck(fset *token.FileSet, file *ast.File, rtName string) {
	var decls []ast.Decl
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST && refersTo(g, rtName, versionGuard) {
			line := fset.Position(g.Pos()).Line
			var comments []*ast.CommentGroup
			for _, c := range file.Comments {
				if fset.Position(c.Pos()).Line != line {
					comments = append(comments, c)
				}
			}
			file.Comments = comments
			continue
		}
		decls = append(decls, d)
	}
	file.Decls = decls
}

// renameRuntimeRefs turns every runtime.X (runtime imported as rtName)
// into its standalone name.
func renameRuntimeRefs(file *ast.File, rtName string) {
	astutil.Apply(file, func(c *astutil.Cursor) bool {
		if sel, ok := c.Node().(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == rtName {
				c.Replace(ast.NewIdent(standaloneName(sel.Sel.Name)))
				return false
			}
		}
		return true
	}, nil)
}
