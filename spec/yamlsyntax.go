package spec

import (
	"fmt"
	"strings"
)

// The YAML library places a syntax error at the line where the construct
// it was parsing began, and names what it expected rather than what is
// wrong: an indentation mistake on line 5 is "line 2: did not find
// expected key", a tab is "found character that cannot start any token".
// syntaxCause reads the source itself for the usual causes, in the order
// they appear: a tab in the indentation, an indentation that matches no
// enclosing block, a flow collection ([ or {) or a quoted scalar left
// open. It follows YAML only as far as these need: block mappings and
// sequences by indentation, flow collections, quoted, plain and block
// scalars, and comments.

// opener is an open flow collection or quoted scalar.
type opener struct {
	char   byte
	offset int
	indent int // of the line it is on
}

// yamlScan is the state of syntaxCause between lines.
type yamlScan struct {
	s        *source
	flows    []opener // the open flow collections, innermost last
	quote    *opener  // the open quoted scalar, if any
	levels   []int    // the indentation of each enclosing block
	opens    bool     // the last block line ends with a key or item whose value follows on the next lines
	lastLine int      // the last block line read
	// blockScalar is the indentation of the line that began a block
	// scalar (| or >) whose lines are being skipped; -1 when none.
	blockScalar int
}

// syntaxCause returns where a YAML syntax error comes from and what it
// is, found in the source; ok is false when none of the causes it knows
// is there.
func (s *source) syntaxCause() (pos Pos, msg string, ok bool) {
	sc := &yamlScan{s: s, blockScalar: -1}
	for n := 1; n <= len(s.lineStarts); n++ {
		if pos, msg, ok := sc.line(n); ok {
			return pos, msg, true
		}
	}
	switch {
	case sc.quote != nil:
		return sc.unclosedQuote()
	case len(sc.flows) > 0:
		return sc.unclosedFlow()
	}
	return Pos{}, "", false
}

// line reads line n.
func (sc *yamlScan) line(n int) (Pos, string, bool) {
	start := sc.s.lineStarts[n-1]
	text := string(trimLineBreak(sc.s.data[start:sc.s.lineEnd(n)]))
	indent := len(text) - len(strings.TrimLeft(text, " "))
	content := strings.TrimLeft(text, " \t")
	blank := content == ""
	if sc.blockScalar >= 0 {
		if blank || indent > sc.blockScalar {
			return Pos{}, "", false
		}
		sc.blockScalar = -1
	}
	switch {
	case sc.quote != nil && !blank && indent <= sc.quote.indent:
		return sc.unclosedQuote()
	case sc.quote == nil && len(sc.flows) > 0 && !blank && indent <= sc.flows[0].indent && !strings.ContainsAny(content[:1], "]}"):
		return sc.unclosedFlow()
	case sc.quote != nil || len(sc.flows) > 0:
		return sc.scan(text, start, indent, 0)
	case blank || content[0] == '#' || content[0] == '%':
		return Pos{}, "", false
	}
	if tab := strings.IndexByte(text[:len(text)-len(content)], '\t'); tab >= 0 {
		return sc.s.pos(start + tab), "a tab in the indentation: YAML indents with spaces only", true
	}
	if strings.HasPrefix(text, "---") || strings.HasPrefix(text, "...") {
		sc.levels, sc.opens = nil, false
		return Pos{}, "", false
	}
	if len(sc.levels) == 0 || indent > sc.levels[len(sc.levels)-1] {
		if len(sc.levels) > 0 && !sc.opens {
			if !looksLikeEntry(content) {
				return Pos{}, "", false // a plain scalar continued on a deeper line
			}
			return sc.s.pos(start + indent), fmt.Sprintf("inconsistent indentation: this line is indented %d spaces, more than line %d, which already has its value (only a line ending in : or - opens a deeper block)", indent, sc.lastLine), true
		}
		sc.levels = append(sc.levels, indent)
	} else {
		all := sc.levels
		for len(sc.levels) > 0 && sc.levels[len(sc.levels)-1] > indent {
			sc.levels = sc.levels[:len(sc.levels)-1]
		}
		if len(sc.levels) == 0 || sc.levels[len(sc.levels)-1] != indent {
			return sc.s.pos(start + indent), fmt.Sprintf("inconsistent indentation: this line is indented %d spaces, which matches no enclosing block (indented %s)", indent, spaceCounts(all)), true
		}
	}
	sc.lastLine, sc.opens = n, false
	return sc.scan(text, start, indent, indent)
}

// looksLikeEntry reports whether a line's content begins a sequence item
// or a mapping entry ("- …", "key: …"), as opposed to continuing a plain
// scalar.
func looksLikeEntry(content string) bool {
	if content == "-" || strings.HasPrefix(content, "- ") {
		return true
	}
	key, _, found := strings.Cut(content+" ", ": ")
	return found && !strings.ContainsAny(key, "'\"[]{}#,")
}

// spaceCounts lists indentations for a message: "0, 2 or 4 spaces".
func spaceCounts(levels []int) string {
	var counts []string
	for _, l := range levels {
		counts = append(counts, fmt.Sprint(l))
	}
	if len(counts) == 1 {
		return counts[0] + " spaces"
	}
	return strings.Join(counts[:len(counts)-1], ", ") + " or " + counts[len(counts)-1] + " spaces"
}

// scan reads text, a line at offset start of the source, from byte from:
// its quoted scalars, flow collections, sequence items, mapping values,
// block scalars and comments.
func (sc *yamlScan) scan(text string, start, indent, from int) (Pos, string, bool) {
	valueStart := sc.quote == nil // a scalar or collection may begin here
	inPlain := false
	indicated := false // a block key or item on this line awaits its value
	defer func() {
		// A key or item with nothing but an anchor, a tag or a comment
		// after it takes its value from the lines below.
		if indicated && valueStart && sc.quote == nil && len(sc.flows) == 0 {
			sc.opens = true
		}
	}()
scanning:
	for i := from; i < len(text); i++ {
		c := text[i]
		if q := sc.quote; q != nil {
			switch {
			case q.char == '"' && c == '\\':
				i++
			case q.char == '\'' && c == '\'' && i+1 < len(text) && text[i+1] == '\'':
				i++
			case c == q.char:
				sc.quote, valueStart = nil, false
			}
			continue
		}
		spaceAfter := i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t'
		inFlow := len(sc.flows) > 0
		switch {
		case c == ' ' || c == '\t':
			continue
		case c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			break scanning
		case inFlow && (c == ']' || c == '}'):
			top := sc.flows[len(sc.flows)-1]
			if want := closer(top.char); c != want {
				return sc.s.pos(start + i), fmt.Sprintf("%c does not close the %c at %d:%d (%c does)", c, top.char, sc.s.pos(top.offset).Line, sc.s.pos(top.offset).Col, want), true
			}
			sc.flows = sc.flows[:len(sc.flows)-1]
			valueStart, inPlain = false, false
		case inFlow && c == ',':
			valueStart, inPlain = true, false
		case c == ':' && (spaceAfter || inFlow && i+1 < len(text) && strings.IndexByte(",[]{}", text[i+1]) >= 0):
			valueStart, inPlain, indicated = true, false, !inFlow
		case inPlain || !valueStart:
			continue
		case c == '"' || c == '\'':
			sc.quote = &opener{char: c, offset: start + i, indent: indent}
			valueStart = false
		case c == '[' || c == '{':
			sc.flows = append(sc.flows, opener{char: c, offset: start + i, indent: indent})
		case !inFlow && c == '-' && spaceAfter:
			indicated = true
			if rest := strings.TrimLeft(text[i+1:], " "); rest != "" && rest[0] != '#' {
				sc.levels = append(sc.levels, len(text)-len(rest))
			}
		case !inFlow && (c == '|' || c == '>'):
			sc.blockScalar, indicated = indent, false
			break scanning
		case c == '&' || c == '!': // an anchor or a tag: the value follows it
			for i+1 < len(text) && text[i+1] != ' ' {
				i++
			}
		default:
			inPlain, valueStart = true, false
		}
	}
	return Pos{}, "", false
}

// closer returns the character that closes a flow collection opened by c.
func closer(c byte) byte {
	if c == '[' {
		return ']'
	}
	return '}'
}

// unclosedQuote returns the error of the open quoted scalar.
func (sc *yamlScan) unclosedQuote() (Pos, string, bool) {
	q := sc.quote
	return sc.s.pos(q.offset), fmt.Sprintf("unclosed quote: the %c here has no closing %c", q.char, q.char), true
}

// unclosedFlow returns the error of the innermost open flow collection.
func (sc *yamlScan) unclosedFlow() (Pos, string, bool) {
	f := sc.flows[len(sc.flows)-1]
	kind := "flow sequence"
	if f.char == '{' {
		kind = "flow mapping"
	}
	return sc.s.pos(f.offset), fmt.Sprintf("unclosed %s: the %c here has no matching %c", kind, f.char, closer(f.char)), true
}

// colonInPlainValue finds, on line n, a plain (unquoted) value that holds
// ": " or ends in ":" after its key, as in "doc: Logistic loss: with a
// ridge", which YAML reads as a mapping where none may start: the position
// of that colon and the key.
func (s *source) colonInPlainValue(n int) (Pos, string, bool) {
	start := s.lineStarts[n-1]
	text := string(trimLineBreak(s.data[start:s.lineEnd(n)]))
	body := strings.TrimLeft(text, " ")
	body = strings.TrimLeft(strings.TrimPrefix(body, "- "), " ")
	offset := len(text) - len(body)
	k := mappingColon(body)
	if k <= 0 || k == len(body)-1 {
		return Pos{}, "", false
	}
	key := strings.TrimSpace(body[:k])
	value := body[k+2:]
	trimmed := strings.TrimLeft(value, " \t")
	if trimmed == "" || strings.ContainsAny(trimmed[:1], "\"'{[|>&*!#") {
		return Pos{}, "", false
	}
	at := offset + k + 2 + (len(value) - len(trimmed))
	c := mappingColon(trimmed)
	if c < 0 {
		return Pos{}, "", false
	}
	return s.pos(start + at + c), key, true
}

// mappingColon returns the index of the first colon in s that YAML reads
// as a mapping's: followed by a space or a tab, or ending s; −1 if none.
func mappingColon(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t') {
			return i
		}
	}
	return -1
}
