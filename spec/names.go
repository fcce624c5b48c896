package spec

import (
	gotoken "go/token"
	"strconv"
)

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
