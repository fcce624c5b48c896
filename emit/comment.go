package emit

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/emit/plan"
)

// commentLine is plan.CommentLine: a comment that can be nothing more.
func commentLine(text string) jen.Code { return plan.CommentLine(text) }

// fileComment writes the lines as comments of f, each through commentLine.
func fileComment(f *jen.File, lines ...string) {
	for _, line := range lines {
		f.Add(commentLine(line))
	}
}

// quoteName returns a file name to show in a comment: as it is when it is
// valid UTF-8 of printable characters, else Go-quoted.
func quoteName(name string) string {
	if !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(name)
	}
	return name
}
