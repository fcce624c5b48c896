package spec

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// A token is one lexical token of an expression text.
type token struct {
	tok Token
	off int    // byte offset of the token's first byte in the text
	lit string // the token's text; empty for EOF
}

// describe names the token for an error message: its text in quotes, or
// "end of expression".
func (t token) describe() string {
	if t.tok == EOF {
		return EOF.String()
	}
	return quote(t.lit)
}

// A scanError is a scanning error at a byte offset of the text.
type scanError struct {
	off int
	msg string
}

// A scanner splits an expression text into tokens. Spaces, tabs, carriage
// returns and newlines separate tokens and are otherwise ignored.
type scanner struct {
	text string
	off  int // offset of the next unread byte
	// lastEnd is the offset just after the last token scanned; the EOF token
	// is placed there, so that "missing operand" errors point right after
	// the last operator rather than at trailing blank lines.
	lastEnd int
}

// next scans the next token.
func (s *scanner) next() (token, *scanError) {
	for s.off < len(s.text) && isSpace(s.text[s.off]) {
		s.off++
	}
	if s.off == len(s.text) {
		return token{tok: EOF, off: s.lastEnd}, nil
	}
	start := s.off
	tok, err := s.scanToken()
	if err != nil {
		return token{}, err
	}
	s.lastEnd = s.off
	return token{tok: tok, off: start, lit: s.text[start:s.off]}, nil
}

// scanToken scans the token starting at s.off, which is not a space, and
// advances s.off past it.
func (s *scanner) scanToken() (Token, *scanError) {
	c := s.text[s.off]
	switch {
	case isDigit(c):
		return s.scanNumber()
	case c == '.' && isDigit(s.peek(1)):
		return s.scanNumber()
	case c == '.':
		switch s.peek(1) {
		case '*':
			s.off += 2
			return EMUL, nil
		case '/':
			s.off += 2
			return EQUO, nil
		case '^':
			s.off += 2
			return EPOW, nil
		}
		return ILLEGAL, &scanError{s.off, `unexpected "." (the element-wise operators are .* ./ .^)`}
	}
	if op, ok := singleCharTokens[c]; ok {
		s.off++
		return op, nil
	}
	r, size := utf8.DecodeRuneInString(s.text[s.off:])
	switch {
	case r == utf8.RuneError && size == 1:
		return ILLEGAL, &scanError{s.off, "invalid UTF-8 encoding"}
	case isLetter(r):
		s.scanIdent()
		return IDENT, nil
	}
	return ILLEGAL, &scanError{s.off, fmt.Sprintf("illegal character %#U", r)}
}

var singleCharTokens = map[byte]Token{
	'+':  ADD,
	'-':  SUB,
	'*':  MUL,
	'/':  QUO,
	'^':  POW,
	'\'': TRANSPOSE,
	'(':  LPAREN,
	')':  RPAREN,
	',':  COMMA,
}

// scanIdent scans an identifier: a letter or underscore, then letters,
// digits and underscores (Go's rules, Unicode letters and digits included).
func (s *scanner) scanIdent() {
	for s.off < len(s.text) {
		r, size := utf8.DecodeRuneInString(s.text[s.off:])
		if !isLetter(r) && !unicode.IsDigit(r) {
			return
		}
		s.off += size
	}
}

// scanNumber scans a decimal number: digits with an optional fraction and
// an optional exponent (2, 0.5, .5, 1e-3, 2.5E+10). A decimal point belongs
// to the number only when a digit follows it, so 2.*x is 2 .* x and "2." is
// not a number. A number followed directly by a letter, a digit-led fraction
// or an underscore is an error.
func (s *scanner) scanNumber() (Token, *scanError) {
	start := s.off
	s.skipDigits()
	if s.peek(0) == '.' && isDigit(s.peek(1)) {
		s.off++
		s.skipDigits()
	}
	if c := s.peek(0); c == 'e' || c == 'E' {
		expOff := s.off
		s.off++
		if c := s.peek(0); c == '+' || c == '-' {
			s.off++
		}
		if !isDigit(s.peek(0)) {
			return ILLEGAL, &scanError{expOff, fmt.Sprintf("exponent of number %s has no digits", shorten(s.text[start:s.off]))}
		}
		s.skipDigits()
	}
	if s.off < len(s.text) {
		r, _ := utf8.DecodeRuneInString(s.text[s.off:])
		if isLetter(r) || (r == '.' && isDigit(s.peek(1))) {
			return ILLEGAL, &scanError{s.off, fmt.Sprintf("number %s is followed directly by %q", shorten(s.text[start:s.off]), string(r))}
		}
	}
	return NUMBER, nil
}

func (s *scanner) skipDigits() {
	for isDigit(s.peek(0)) {
		s.off++
	}
}

// peek returns the byte i bytes after s.off, or 0 past the end of the text.
func (s *scanner) peek(i int) byte {
	if s.off+i < len(s.text) {
		return s.text[s.off+i]
	}
	return 0
}

func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(r rune) bool { return r == '_' || unicode.IsLetter(r) }

// A tokenReader holds the current token of a text being parsed, and maps
// the text's byte offsets to positions for errors and syntax tree nodes.
type tokenReader struct {
	scanner scanner
	pos     func(offset int) Pos
	tok     token // the current token
}

func (r *tokenReader) errorf(offset int, format string, args ...any) *Error {
	return Errorf(r.pos(offset), format, args...)
}

// next advances to the next token.
func (r *tokenReader) next() *Error {
	tok, err := r.scanner.next()
	if err != nil {
		return r.errorf(err.off, "%s", err.msg)
	}
	r.tok = tok
	return nil
}
