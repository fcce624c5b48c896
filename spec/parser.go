package spec

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// Limits on an expression text, so that hostile input fails fast.
const (
	maxExprBytes = 64 << 10
	// maxNesting bounds the parser's recursion: each parenthesis, call,
	// unary minus and right operand of ^ or .^ opens one level.
	maxNesting = 200
)

// ParseExpr parses an expression of the spec language.
//
// start is the position of the first byte of text; a zero Line or Col is
// taken as 1. Positions advance by bytes; after a newline in text the next
// line starts at column 1.
//
// Grammar, from the tightest binding to the loosest:
//
//	primary:  number | name | name "(" expr {"," expr} ")" | "(" expr ")"
//	postfix:  primary {"'"}                 transpose, X''
//	power:    postfix [("^" | ".^") unary]  right associative: 2^3^2 = 2^(3^2)
//	unary:    "-" unary | power             -x^2 = -(x^2), x.^-1 = x.^(-1)
//	product:  unary {("*" | "/" | ".*" | "./") unary}
//	expr:     product {("+" | "-") product}
//
// A unary minus may begin any operand, so a - -b and a * -b parse. There is
// no unary plus. Texts over 64 KiB, and nesting (parentheses, calls, unary
// minus signs, right operands of powers) deeper than 200 levels, are
// refused. Errors are *Error; Source holds the text's line at the
// error, with the first line indented by start.Col-1 spaces so that Pos.Col
// indexes it.
func ParseExpr(text string, start Pos) (Expr, error) {
	start.Line = max(start.Line, 1)
	start.Col = max(start.Col, 1)
	lines := newTextLines(text, start)
	x, err := parseExpr(text, lines.pos)
	if err != nil {
		err.Source = lines.source(err.Pos)
		return nil, err
	}
	return x, nil
}

// parseExpr parses text, placing each node at pos(offset of its first byte).
// The caller fills in the Source of a returned error.
func parseExpr(text string, pos func(offset int) Pos) (Expr, *Error) {
	if len(text) > maxExprBytes {
		return nil, &Error{Pos: pos(0), Msg: "expression is longer than 64 KiB"}
	}
	p := &parser{tokenReader: tokenReader{scanner: scanner{text: text}, pos: pos}}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.tok == EOF {
		return nil, p.errorf(0, "empty expression")
	}
	x, err := p.binary(LowestPrec + 1)
	if err != nil {
		return nil, err
	}
	switch p.tok.tok {
	case EOF:
		return x, nil
	case RPAREN:
		return nil, p.errorf(p.tok.off, `unexpected ")" with no matching "("`)
	}
	return nil, p.errorf(p.tok.off, "unexpected %s after expression", p.tok.describe())
}

// A parser is a precedence-climbing parser over one expression text.
type parser struct {
	tokenReader
	depth int // nesting levels open; see maxNesting
}

// nest opens a nesting level for the construct at offset, refusing to go
// deeper than maxNesting. Each successful nest is paired with p.depth--.
func (p *parser) nest(offset int) *Error {
	p.depth++
	if p.depth > maxNesting {
		return p.errorf(offset, "expression nested deeper than %d levels", maxNesting)
	}
	return nil
}

// binary parses a chain of unary operands joined by binary operators of
// precedence minPrec or higher.
func (p *parser) binary(minPrec int) (Expr, *Error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		op := p.tok
		prec := op.tok.Precedence()
		if prec == LowestPrec || prec < minPrec {
			return x, nil
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		var y Expr
		if op.tok.RightAssoc() {
			if err := p.nest(op.off); err != nil {
				return nil, err
			}
			y, err = p.binary(prec)
			p.depth--
		} else {
			y, err = p.binary(prec + 1)
		}
		if err != nil {
			return nil, err
		}
		x = &Binary{X: x, OpPos: p.pos(op.off), Op: op.tok, Y: y}
	}
}

// unary parses an operand with its prefix minus signs. A minus binds less
// tightly than ^ and .^ and more tightly than everything else.
func (p *parser) unary() (Expr, *Error) {
	switch op := p.tok; op.tok {
	case SUB:
		if err := p.nest(op.off); err != nil {
			return nil, err
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.binary(UnaryPrec + 1)
		p.depth--
		if err != nil {
			return nil, err
		}
		return &Unary{At: p.pos(op.off), Op: SUB, X: x}, nil
	case ADD:
		return nil, p.errorf(op.off, `unary "+" is not allowed`)
	}
	return p.postfix()
}

// postfix parses a primary expression followed by any number of transposes.
func (p *parser) postfix() (Expr, *Error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.tok.tok == TRANSPOSE {
		x = &Transpose{X: x, OpPos: p.pos(p.tok.off)}
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// primary parses a number, a name, a call or a parenthesised expression.
func (p *parser) primary() (Expr, *Error) {
	switch tok := p.tok; tok.tok {
	case NUMBER:
		value, err := strconv.ParseFloat(tok.lit, 64)
		if errors.Is(err, strconv.ErrRange) && value != 0 {
			return nil, p.errorf(tok.off, "number %s is too large", shorten(tok.lit))
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		return &Number{At: p.pos(tok.off), Text: tok.lit, Value: value}, nil
	case IDENT:
		if err := p.next(); err != nil {
			return nil, err
		}
		name := &Ident{At: p.pos(tok.off), Name: tok.lit}
		if p.tok.tok == LPAREN {
			return p.call(name)
		}
		return name, nil
	case LPAREN:
		if err := p.nest(tok.off); err != nil {
			return nil, err
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		x, err := p.binary(LowestPrec + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.tok != RPAREN {
			return nil, p.unclosed(tok, `")"`)
		}
		p.depth--
		paren := &Paren{Lparen: p.pos(tok.off), X: x, Rparen: p.pos(p.tok.off)}
		return paren, p.next()
	}
	return nil, p.errorf(p.tok.off, "expected operand, found %s", p.tok.describe())
}

// call parses the argument list of a call of fun; the current token is "(".
func (p *parser) call(fun *Ident) (Expr, *Error) {
	lparen := p.tok
	if err := p.nest(lparen.off); err != nil {
		return nil, err
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.tok == RPAREN {
		return nil, p.errorf(p.tok.off, "%s() needs at least one argument", shorten(fun.Name))
	}
	var args []Expr
	for {
		arg, err := p.binary(LowestPrec + 1)
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		switch p.tok.tok {
		case COMMA:
			if err := p.next(); err != nil {
				return nil, err
			}
			continue
		case RPAREN:
			p.depth--
			call := &Call{Fun: fun, Lparen: p.pos(lparen.off), Args: args, Rparen: p.pos(p.tok.off)}
			return call, p.next()
		}
		return nil, p.unclosed(lparen, `"," or ")"`)
	}
}

// unclosed reports that the group opened by lparen lacks its ")": the
// current token is neither ")" nor anything else wanted.
func (p *parser) unclosed(lparen token, wanted string) *Error {
	at := p.pos(lparen.off)
	if p.tok.tok == EOF {
		return p.errorf(p.tok.off, `missing ")" to close "(" at %d:%d`, at.Line, at.Col)
	}
	return p.errorf(p.tok.off, `expected %s to close "(" at %d:%d, found %s`, wanted, at.Line, at.Col, p.tok.describe())
}

// textLines maps byte offsets of a ParseExpr text to positions.
type textLines struct {
	text       string
	start      Pos
	lineStarts []int // offset of the first byte of each line of text
}

func newTextLines(text string, start Pos) *textLines {
	lines := &textLines{text: text, start: start, lineStarts: []int{0}}
	for i := range len(text) {
		if text[i] == '\n' {
			lines.lineStarts = append(lines.lineStarts, i+1)
		}
	}
	return lines
}

// pos returns the position of the byte at offset.
func (l *textLines) pos(offset int) Pos {
	i := sort.SearchInts(l.lineStarts, offset+1) - 1
	col := offset - l.lineStarts[i] + 1
	if i == 0 {
		col += l.start.Col - 1
	}
	return Pos{File: l.start.File, Line: l.start.Line + i, Col: col}
}

// source returns the line of text holding pos, the first line indented so
// that pos.Col indexes it.
func (l *textLines) source(pos Pos) string {
	i := pos.Line - l.start.Line
	if i < 0 || i >= len(l.lineStarts) {
		return ""
	}
	line := l.text[l.lineStarts[i]:]
	if end := strings.IndexByte(line, '\n'); end >= 0 {
		line = line[:end]
	}
	line = strings.TrimSuffix(line, "\r")
	if i == 0 {
		line = strings.Repeat(" ", l.start.Col-1) + line
	}
	return line
}
