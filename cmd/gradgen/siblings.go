package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// checkSiblings refuses an output that declares a package-level name that
// another Go file of its package already declares: the output itself would
// compile (typeCheck checks it alone), but its package would not. The
// other files are those of the output's folder with the same package
// clause, except this run's outputs, which they replace. Test files count
// for a -test file and for the package's own test build, so each output is
// compared with the non-test files, and with in-package test files too.
// Files that do not parse are left to the go command.
func checkSiblings(outs []*output) error {
	ours := map[string]bool{}
	for _, o := range outs {
		if abs, err := filepath.Abs(o.path); err == nil {
			ours[abs] = true
		}
	}
	for _, o := range outs {
		mine, pkg := declarations(o.path, o.data)
		if pkg == "" {
			continue
		}
		dir := filepath.Dir(o.path)
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // a missing folder is checkOutputs' to report
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			abs, _ := filepath.Abs(path)
			if e.IsDir() || !strings.HasSuffix(name, ".go") || ours[abs] {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil || hasBuildConstraint(src) {
				continue // a constrained file may never meet the output in one build
			}
			theirs, theirPkg := declarations(path, src)
			if theirPkg != pkg {
				continue // another package (an external test package)
			}
			var both []string
			for n := range mine {
				if theirs[n] {
					both = append(both, n)
				}
			}
			if len(both) > 0 {
				sort.Strings(both)
				names := strings.Join(both, ", ")
				if len(both) > maxNamesShown {
					names = fmt.Sprintf("%s and %d more", strings.Join(both[:maxNamesShown], ", "), len(both)-maxNamesShown)
				}
				return fmt.Errorf("output %s declares %s, which %s of package %s declares too; rename the function or generate into another package",
					o.path, names, path, pkg)
			}
		}
	}
	return nil
}

// maxNamesShown is the most names a message lists.
const maxNamesShown = 5

// declarations returns the package-level names src declares (methods and
// the blank identifier left out) and its package clause; nothing when it
// does not parse.
func declarations(path string, src []byte) (map[string]bool, string) {
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, ""
	}
	names := map[string]bool{}
	add := func(id *ast.Ident) {
		if id.Name != "_" && id.Name != "init" {
			names[id.Name] = true
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
	return names, f.Name.Name
}

// hasBuildConstraint reports whether src has a //go:build line.
func hasBuildConstraint(src []byte) bool {
	return strings.HasPrefix(string(src), "//go:build") || strings.Contains(string(src), "\n//go:build")
}
