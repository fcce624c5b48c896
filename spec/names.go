package spec

import (
	gotoken "go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// The names generated code needs for itself, kept here in one place: the
// loader refuses spec names that would take them, and the code generators
// (package emit, and derive's direction variables) keep their own local
// names clear of them.

// HelperPrefix starts the name of every helper gradgen declares beside the
// generated functions: the runtime helpers copied into a standalone file
// (gradgenLU), and it is the name of the generated test's variable holding
// its helpers (gradgen.vector). No spec name may start with it.
const HelperPrefix = "gradgen"

// ImportNames are the names of the packages generated code, generated
// tests and the runtime helpers a -standalone file copies may import. An
// input or dimension may take one (the import is then renamed, ggmath for
// math), a function may not.
var ImportNames = []string{"blas", "blas64", "mat", "math", "sync", "runtime", "optimize", "fd", "rand", "testing",
	"atomic", "errors", "floats", "fmt", "gonum", "lapack", "lapack64", "strconv", "time", "unsafe"}

// Predeclared reports whether name is one of Go's predeclared identifiers
// (float64, len, nil, true, copy, make, max, …): generated code uses them,
// so no spec name may shadow them.
func Predeclared(name string) bool { return types.Universe.Lookup(name) != nil }

// Reserved reports whether generated code may need name for itself: a
// predeclared identifier, an imported package's name, or a name starting
// with HelperPrefix. Local names the generators choose avoid every
// reserved name.
func Reserved(name string) bool {
	if Predeclared(name) || strings.HasPrefix(name, HelperPrefix) {
		return true
	}
	return slices.Contains(ImportNames, name)
}

// CheckPackageName returns what is wrong with name as the package clause
// of generated code (the package key, or gradgen's -pkg flag), or "" when
// nothing is.
func CheckPackageName(name string) string { return checkPackageName("package name", name) }

// checkPackageName checks a package name: a Go identifier (checkName)
// other than "documentation", the package name go build ignores (go/build
// keeps it for files that only document a package). what names the role,
// as checkName's does.
func checkPackageName(what, name string) string {
	if name == "documentation" {
		return what + " " + strconv.Quote(name) + " is ignored by go build, which keeps it for documentation-only files; choose another"
	}
	return checkName(what, name)
}

// checkName checks that name can be a Go identifier in generated code: an
// identifier, not a keyword and not the blank identifier. what names the
// role, as in "input name". It returns the problem, or "" when name is fine.
func checkName(what, name string) string {
	switch {
	case name == "":
		return what + " is empty"
	case name == "_":
		return what + ` cannot be "_"`
	case gotoken.IsKeyword(name):
		return strconv.Quote(name) + " is a Go keyword"
	case !gotoken.IsIdentifier(name):
		return what + " " + quote(name) + " is not a Go identifier"
	}
	return ""
}

// checkSpecName checks a name the spec gives to a function, an input or a
// dimension, all of which become Go identifiers of generated code: a Go
// identifier (checkName) that is not predeclared, does not start with
// HelperPrefix, and for a function is neither init nor main, which Go
// reserves for functions without parameters, nor one of ImportNames: a
// package-level name clashes with the import of that name in every other
// file of the package. Inputs and dimensions may take ImportNames (the
// import is renamed in their file). what names the role, as in "input
// name".
func checkSpecName(what, name string) string {
	switch msg := checkName(what, name); {
	case msg != "":
		return msg
	case Predeclared(name):
		return what + " " + strconv.Quote(name) + " is a predeclared Go identifier, which generated code uses; rename it"
	case strings.HasPrefix(name, HelperPrefix):
		return what + " " + strconv.Quote(name) + " starts with " + strconv.Quote(HelperPrefix) + ", which gradgen keeps for its own helpers; rename it"
	case what == "function name" && (name == "init" || name == "main"):
		return what + " " + strconv.Quote(name) + " is reserved by Go for a function without parameters; rename it"
	case what == "function name" && slices.Contains(ImportNames, name):
		return what + " " + strconv.Quote(name) + " is the name of a package generated code imports, which would clash with that import in the package's other files; rename it"
	}
	return ""
}
