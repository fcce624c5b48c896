package spec

import (
	"fmt"
	"strconv"
	"strings"
)

// typeKinds maps the spelling of each input type kind to the kind.
var typeKinds = map[string]TypeKind{
	Scalar.String():    Scalar,
	Vector.String():    Vector,
	Matrix.String():    Matrix,
	Symmetric.String(): Symmetric,
	SPD.String():       SPD,
}

// MaxDim bounds a literal dimension, so that the sizes generated code
// computes from literal dimensions (the packed length of the variables of
// FProblem and FUnpack: a sum of products of two dimensions over inputs
// that a spec file of at most 1 MiB can declare) cannot overflow an int.
const MaxDim = 1 << 20

// dimsOf is the number of dimensions each kind takes.
var dimsOf = [...]int{Scalar: 0, Vector: 1, Matrix: 2, Symmetric: 1, SPD: 1}

// parseType parses an input type such as "matrix(m, n)", placing the type
// and its dimensions at pos(offset in text). White space may appear between
// tokens. Dimension names are checked as checkSpecName checks them, and
// literal dimensions to be at most MaxDim. The caller fills in the Source
// of a returned error.
func parseType(text string, pos func(offset int) Pos) (Type, *Error) {
	p := &typeParser{tokenReader{scanner: scanner{text: text}, pos: pos}}
	if err := p.next(); err != nil {
		return Type{}, err
	}
	kindTok := p.tok
	if kindTok.tok != IDENT {
		return Type{}, p.errorf(kindTok.off, "expected a type such as matrix(m, n), found %s", kindTok.describe())
	}
	kind, ok := typeKinds[kindTok.lit]
	if !ok {
		return Type{}, p.errorf(kindTok.off, "unknown type %s%s", quote(kindTok.lit), typeHint(kindTok.lit))
	}
	t := Type{Kind: kind, Pos: pos(kindTok.off)}
	if err := p.next(); err != nil {
		return Type{}, err
	}
	if p.tok.tok == LPAREN {
		dims, err := p.dims()
		if err != nil {
			return Type{}, err
		}
		t.Dims = dims
	}
	if p.tok.tok != EOF {
		return Type{}, p.errorf(p.tok.off, "unexpected %s after type", p.tok.describe())
	}
	if want := dimsOf[kind]; len(t.Dims) != want {
		return Type{}, p.errorf(kindTok.off, "%s takes %s, found %d", kind, countDims(want), len(t.Dims))
	}
	return t, nil
}

// typeHint returns the " (did you mean ...)" or " (types are ...)" hint
// for an unknown type.
func typeHint(name string) string {
	kinds := make([]string, len(kindNames))
	copy(kinds, kindNames[:])
	if guess := Suggest(name, kinds); guess != "" {
		return fmt.Sprintf(" (did you mean %q?)", guess)
	}
	return " (types are scalar, vector(n), matrix(r, c), symmetric(n), spd(n))"
}

// countDims spells n dimensions: "no dimensions", "1 dimension", "2 dimensions".
func countDims(n int) string {
	switch n {
	case 0:
		return "no dimensions"
	case 1:
		return "1 dimension"
	}
	return fmt.Sprintf("%d dimensions", n)
}

// A typeParser parses one type text.
type typeParser struct{ tokenReader }

// dims parses a parenthesised, comma-separated list of dimensions; the
// current token is "(".
func (p *typeParser) dims() ([]Dim, *Error) {
	lparen := p.tok
	var dims []Dim
	for {
		if err := p.next(); err != nil {
			return nil, err
		}
		dim, err := p.dim()
		if err != nil {
			return nil, err
		}
		dims = append(dims, dim)
		switch p.tok.tok {
		case COMMA:
			continue
		case RPAREN:
			return dims, p.next()
		}
		at := p.pos(lparen.off)
		if p.tok.tok == EOF {
			return nil, p.errorf(p.tok.off, `missing ")" to close "(" at %d:%d`, at.Line, at.Col)
		}
		return nil, p.errorf(p.tok.off, `expected "," or ")" to close "(" at %d:%d, found %s`, at.Line, at.Col, p.tok.describe())
	}
}

// dim parses one dimension and advances past it.
func (p *typeParser) dim() (Dim, *Error) {
	tok := p.tok
	switch tok.tok {
	case IDENT:
		if msg := checkSpecName("dimension name", tok.lit); msg != "" {
			return Dim{}, p.errorf(tok.off, "%s", msg)
		}
		return Dim{Name: tok.lit, Pos: p.pos(tok.off)}, p.next()
	case NUMBER:
		size, err := strconv.Atoi(tok.lit)
		if strings.Trim(tok.lit, "0123456789") != "" || size < 1 {
			return Dim{}, p.errorf(tok.off, "dimension must be a positive integer, found %s", shorten(tok.lit))
		}
		if err != nil || size > MaxDim {
			return Dim{}, p.errorf(tok.off, "dimension %s is too large (at most %d)", shorten(tok.lit), MaxDim)
		}
		return Dim{Size: size, Pos: p.pos(tok.off)}, p.next()
	case SUB:
		if err := p.next(); err != nil {
			return Dim{}, err
		}
		if p.tok.tok == NUMBER {
			return Dim{}, p.errorf(tok.off, "dimension must be a positive integer, found -%s", shorten(p.tok.lit))
		}
	}
	return Dim{}, p.errorf(tok.off, "expected a dimension (a name or a positive integer), found %s", tok.describe())
}
