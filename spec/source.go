package spec

import (
	"bytes"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A source is the text of a spec file, indexed by line, that maps YAML node
// positions and offsets inside scalars to byte-accurate positions.
//
// Lines end where the YAML library ends them: at \n, \r\n, \r, U+0085,
// U+2028 or U+2029. A UTF-8 byte order mark is not part of line 1.
type source struct {
	name       string
	data       []byte
	lineStarts []int // offset of the first byte of each line
	// runeOffsets holds, for each line whose columns have been asked for,
	// the offset of each of its runes; nil for a line of ASCII text.
	runeOffsets map[int][]int
}

func newSource(name string, data []byte) *source {
	first := 0
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		first = 3
	}
	s := &source{name: name, data: data, lineStarts: []int{first}, runeOffsets: map[int][]int{}}
	for off := first; off < len(data); {
		if n := lineBreakLen(data[off:]); n > 0 {
			off += n
			s.lineStarts = append(s.lineStarts, off)
			continue
		}
		off++
	}
	return s
}

// lineBreakLen returns the length of the line break at the start of b, or 0.
func lineBreakLen(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case len(b) > 0 && (b[0] == '\n' || b[0] == '\r'):
		return 1
	case bytes.HasPrefix(b, []byte("\u0085")):
		return 2
	case bytes.HasPrefix(b, []byte("\u2028")), bytes.HasPrefix(b, []byte("\u2029")):
		return 3
	}
	return 0
}

// pos returns the position of the byte at offset.
func (s *source) pos(offset int) Pos {
	i := max(sort.SearchInts(s.lineStarts, offset+1)-1, 0)
	return Pos{File: s.name, Line: i + 1, Col: max(offset-s.lineStarts[i], 0) + 1}
}

// line returns the text of line n (1-based) without its line break, or ""
// when there is no such line.
func (s *source) line(n int) string {
	if n < 1 || n > len(s.lineStarts) {
		return ""
	}
	return printable(string(trimLineBreak(s.data[s.lineStarts[n-1]:s.lineEnd(n)])))
}

// printable returns line for a terminal: each character but tab that is
// not printable (a byte order mark, a bidirectional override, invalid
// UTF-8) replaced by as many question marks as it has bytes, so that byte
// columns still point at the same place.
func printable(line string) string {
	var b strings.Builder
	for off := 0; off < len(line); {
		r, size := utf8.DecodeRuneInString(line[off:])
		if r == '\t' || (r != utf8.RuneError || size > 1) && unicode.IsPrint(r) {
			b.WriteString(line[off : off+size])
		} else {
			b.WriteString(strings.Repeat("?", size))
		}
		off += size
	}
	return b.String()
}

// trimLineBreak returns line without its trailing line break.
func trimLineBreak(line []byte) []byte {
	for _, lineBreak := range []string{"\r\n", "\n", "\r", "\u0085", "\u2028", "\u2029"} {
		if bytes.HasSuffix(line, []byte(lineBreak)) {
			return line[:len(line)-len(lineBreak)]
		}
	}
	return line
}

// nodeOffset returns the byte offset of the YAML node n, whose Column
// counts runes.
func (s *source) nodeOffset(n *yaml.Node) int {
	if n.Line < 1 || n.Line > len(s.lineStarts) {
		return len(s.data)
	}
	start := s.lineStarts[n.Line-1]
	line := trimLineBreak(s.data[start:s.lineEnd(n.Line)])
	col := min(max(n.Column, 1), len(line)+1) // a column past the line is just after it
	offsets, ok := s.runeOffsets[n.Line]
	if !ok {
		if !isASCII(line) {
			for off := range string(line) {
				offsets = append(offsets, start+off)
			}
		}
		s.runeOffsets[n.Line] = offsets
	}
	if offsets == nil {
		return start + col - 1
	}
	if col > len(offsets) {
		return start + len(line)
	}
	return offsets[col-1]
}

// lineEnd returns the offset just after line n (1-based), its line break
// included.
func (s *source) lineEnd(n int) int {
	if n < len(s.lineStarts) {
		return s.lineStarts[n]
	}
	return len(s.data)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nodePos returns the position of the YAML node n: where its text begins,
// including any tag, anchor or quote.
func (s *source) nodePos(n *yaml.Node) Pos { return s.pos(s.nodeOffset(n)) }

// contentOffset returns the offset of the first byte of a scalar's content:
// after its tag and anchor, after the opening quote of a quoted scalar, and
// at the start of the line after the indicator of a block scalar.
func (s *source) contentOffset(n *yaml.Node) int {
	off := s.nodeOffset(n)
	for off < len(s.data) && (s.data[off] == '!' || s.data[off] == '&') {
		for off < len(s.data) && !isYAMLSpace(s.data[off:]) {
			off++
		}
		off = s.skipSpaceAndComments(off)
	}
	switch {
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		off = min(off+1, len(s.data))
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		line := s.pos(off).Line
		if line < len(s.lineStarts) {
			off = s.lineStarts[line]
		} else {
			off = len(s.data)
		}
	}
	return off
}

// skipSpaceAndComments returns the offset of the first byte at or after off
// that is neither white space, a line break nor part of a comment.
func (s *source) skipSpaceAndComments(off int) int {
	for off < len(s.data) {
		off = s.skipSpace(off)
		if off == len(s.data) || s.data[off] != '#' {
			return off
		}
		for off < len(s.data) && lineBreakLen(s.data[off:]) == 0 {
			off++
		}
	}
	return off
}

// skipSpace returns the offset of the first byte at or after off that is
// neither white space nor a line break.
func (s *source) skipSpace(off int) int {
	for off < len(s.data) && isYAMLSpace(s.data[off:]) {
		off += max(lineBreakLen(s.data[off:]), 1)
	}
	return off
}

// isYAMLSpace reports whether b starts with a space, a tab or a line break.
func isYAMLSpace(b []byte) bool {
	return len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || lineBreakLen(b) > 0)
}

// scalarPositions returns a function that maps a byte offset in the value of
// the scalar node n to its position in the file.
//
// It walks the value and the file text side by side, matching every byte
// that is not white space: YAML folds and strips only white space and line
// breaks in plain and block scalars, so their positions are exact, on every
// line, and so are those of quoted scalars, where two single quotes in a
// row stand for one, up to the first escape sequence of a double-quoted
// scalar: that ends the matching, and later positions are approximate
// (counted as if the rest of the value were the file text).
func (s *source) scalarPositions(n *yaml.Node) func(offset int) Pos {
	value := n.Value
	singleQuoted := n.Style&yaml.SingleQuotedStyle != 0
	offsets := make([]int, len(value)+1)
	fileOff := s.contentOffset(n)
	inStep := true
	for i := range len(value) {
		c := value[i]
		if inStep && !isSpace(c) {
			next := s.skipSpace(fileOff)
			if next < len(s.data) && s.data[next] == c {
				offsets[i] = next
				fileOff = next + 1
				if singleQuoted && c == '\'' {
					fileOff++ // the second quote of ''
				}
				continue
			}
			inStep = false
		}
		offsets[i] = min(fileOff, len(s.data))
		if !inStep {
			fileOff++
		}
	}
	offsets[len(value)] = min(fileOff, len(s.data))
	return func(offset int) Pos { return s.pos(offsets[offset]) }
}
