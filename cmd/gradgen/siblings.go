package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// checkSiblings refuses an output that declares a package-level name that
// another Go file of its package already declares, or that clashes with a
// name an import takes in the other (a file's imports and its package's
// declarations share one scope): the output itself would compile
// (typeCheck checks it alone), but its package would not. The other files
// are those siblings returns. The imports of generated code avoid the
// other files' names (takenNames), so the second refusal is for the
// -standalone helpers file, whose imports are the runtime's, and for a
// generated function named as another file's import.
func checkSiblings(outs []*output) error {
	ours := ourPaths(outs)
	for _, o := range outs {
		mine := parseNames(o.path, o.data)
		if mine.pkg == "" {
			continue
		}
		for _, other := range siblings(filepath.Dir(o.path), mine.pkg, ours) {
			if both := common(mine.decls, other.decls); both != "" {
				return fmt.Errorf("output %s declares %s, which %s of package %s declares too; rename the function or generate into another package",
					o.path, both, other.path, mine.pkg)
			}
			if both := common(mine.imports, other.decls); both != "" {
				return fmt.Errorf("output %s imports packages as %s, which %s of package %s declares; rename them there or generate into another package",
					o.path, both, other.path, mine.pkg)
			}
			if both := common(mine.decls, other.imports); both != "" {
				return fmt.Errorf("output %s declares %s, which %s of package %s imports a package as; rename the function or generate into another package",
					o.path, both, other.path, mine.pkg)
			}
		}
	}
	return nil
}

// ourPaths returns the absolute paths of outs.
func ourPaths(outs []*output) map[string]bool {
	ours := map[string]bool{}
	for _, o := range outs {
		if abs, err := filepath.Abs(o.path); err == nil {
			ours[abs] = true
		}
	}
	return ours
}

// takenNames returns the package-level names of the files siblings returns
// for an output at path in package pkg: the names its imports must avoid
// (emit.Options.Taken).
func takenNames(path, pkg string, ours map[string]bool) []string {
	var taken []string
	for _, other := range siblings(filepath.Dir(path), pkg, ours) {
		for name := range other.decls {
			taken = append(taken, name)
		}
	}
	sort.Strings(taken)
	return taken
}

// common returns the names in both a and b, sorted and listed (at most
// maxNamesShown of them), or "".
func common(a, b map[string]bool) string {
	var both []string
	for n := range a {
		if b[n] {
			both = append(both, n)
		}
	}
	if len(both) == 0 {
		return ""
	}
	sort.Strings(both)
	if len(both) > maxNamesShown {
		return fmt.Sprintf("%s and %d more", strings.Join(both[:maxNamesShown], ", "), len(both)-maxNamesShown)
	}
	return strings.Join(both, ", ")
}

// siblings returns the other Go files of package pkg in dir, test files
// included (they meet an output in the package's test build, and a -test
// output in every build of it): the files with that package clause and no
// build constraint (a constrained file may never meet the output in one
// build), except the paths in ours, this run's outputs, which they
// replace, and files the go command ignores (named _… or .…). Files that
// do not parse or cannot be read are left to the go command, as is a
// missing folder to checkOutputs.
func siblings(dir, pkg string, ours map[string]bool) []fileNames {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var files []fileNames
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		abs, _ := filepath.Abs(path)
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || ours[abs] {
			continue // the go command ignores files named _… and .…
		}
		src, err := os.ReadFile(path)
		if err != nil || hasBuildConstraint(src) {
			continue
		}
		if f := parseNames(path, src); f.pkg == pkg {
			files = append(files, f)
		}
	}
	return files
}

// maxNamesShown is the most names a message lists.
const maxNamesShown = 5

// fileNames is what a Go file brings into its package's scope: the
// package-level names it declares (methods and the blank identifier left
// out) and the names its imports take in it.
type fileNames struct {
	path           string
	pkg            string // its package clause; "" when it does not parse
	decls, imports map[string]bool
}

// parseNames reads the names src brings into its package's scope. An
// import without a name takes its path's last element, or the one before
// a major version (math/rand/v2 is rand); one whose package name cannot be
// told from its path (an element with a dot or a dash) is left out, as are
// blank and dot imports and cgo's "C". (A dot import's names are not
// known here: a clash with one is left to the go command.)
func parseNames(path string, src []byte) fileNames {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return fileNames{path: path}
	}
	names := fileNames{path: path, pkg: f.Name.Name, decls: map[string]bool{}, imports: map[string]bool{}}
	add := func(id *ast.Ident) {
		if id.Name != "_" && id.Name != "init" {
			names.decls[id.Name] = true
		}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				add(d.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					add(s.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						add(n)
					}
				}
			}
		}
	}
	for _, im := range f.Imports {
		// cgo's "C" is no name in the file's scope.
		if name := importName(im); name != "" && name != "_" && name != "." && name != "C" {
			names.imports[name] = true
		}
	}
	return names
}

// importName returns the name im takes in its file, or "" when its path
// does not tell it.
func importName(im *ast.ImportSpec) string {
	if im.Name != nil {
		return im.Name.Name
	}
	path, err := strconv.Unquote(im.Path.Value)
	if err != nil {
		return ""
	}
	elems := strings.Split(path, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && majorVersion.MatchString(last) {
		last = elems[len(elems)-2]
	}
	if strings.ContainsAny(last, ".-") {
		return ""
	}
	return last
}

// majorVersion matches a path element that is a module's major version.
var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// hasBuildConstraint reports whether src has a //go:build line.
func hasBuildConstraint(src []byte) bool {
	return strings.HasPrefix(string(src), "//go:build") || strings.Contains(string(src), "\n//go:build")
}
