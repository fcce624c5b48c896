package plan

import (
	"strings"

	"github.com/dave/jennifer/jen"
)

// CommentLine returns the comment statement of one line of text, written
// so that no text, the spec's doc included, can be more than a comment:
//
//   - the line is "//", a space, then text: a line comment that no tool
//     reads as a directive (//go:generate, //go:build, //line, //export,
//     //extern and the like start with // and no space), that gofmt never
//     moves, and inside which /* and */ open and close nothing;
//   - line breaks in text (none reach here from a spec) become spaces;
//   - text that begins, after white space, with one of the build
//     constraint words +build or go:build, which go vet checks in every
//     comment, is set in backquotes, as `+build linux`.
//
// jen.Comment on its own would write text starting with // or /* as it is,
// and text with a line break as a /* */ block that a */ in text would end.
func CommentLine(text string) jen.Code {
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, text)
	if text == "" {
		return jen.Comment("//")
	}
	trimmed := strings.TrimSpace(text)
	for _, word := range []string{"+build", "go:build"} {
		if strings.HasPrefix(trimmed, word) {
			text = "`" + trimmed + "`"
		}
	}
	return jen.Comment("// " + text)
}
