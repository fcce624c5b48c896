package emit

import (
	"math"

	"github.com/dave/jennifer/jen"
)

// expr is a scalar Go expression as a tree, so that one printer decides
// every parenthesis: jennifer's Op writes operators as bare tokens, and an
// operand pasted next to one binds by Go's precedence, not by the tree the
// derivation built. Every scalar emit prints (loop bodies, scalar
// lowering, accumulations, coefficients, index arithmetic) is built from
// these nodes and printed by code.
type expr interface {
	// prec is the Go binding strength of the expression's outermost
	// operator: precAdd, precMul, precUnary or precAtom.
	prec() int
	// code prints the expression, parenthesising operands where Go's
	// precedence and left-to-right grouping would otherwise read it
	// differently; the expression itself is not parenthesised.
	code() jen.Code
}

// Go's binding strengths for the operators emit prints (the Go spec's
// binary precedences 4 and 5, then unary operators and primary
// expressions).
const (
	precAdd   = 4 // + -
	precMul   = 5 // * /
	precUnary = 6 // -x, *p, and negative literals
	precAtom  = 7 // names, calls, index expressions, literals
)

// atom is a primary expression: a name, a call, an index expression.
type atom struct{ c jen.Code }

func (a atom) prec() int      { return precAtom }
func (a atom) code() jen.Code { return a.c }

// ident returns the expression reading the Go identifier s.
func ident(s string) expr { return atom{jen.Id(s)} }

// literal is a float64 constant; a negative one prints with its sign and
// so binds as a unary expression, except those lit spells as math calls
// (-Inf, -0).
type literal float64

func (l literal) prec() int {
	if l < 0 && !math.IsInf(float64(l), -1) {
		return precUnary
	}
	return precAtom
}

func (l literal) code() jen.Code { return lit(float64(l)) }

// intLit is an integer constant (index arithmetic).
type intLit int

func (l intLit) prec() int {
	if l < 0 {
		return precUnary
	}
	return precAtom
}

func (l intLit) code() jen.Code { return jen.Lit(int(l)) }

// binary is l op r for op one of + - * /.
type binary struct {
	op   string
	l, r expr
}

func (b binary) prec() int {
	if b.op == "*" || b.op == "/" {
		return precMul
	}
	return precAdd
}

// code groups left to right as the tree says: the left operand is
// parenthesised only when it binds more loosely than op, the right one
// also when it binds as tightly, because none of + - * / may be
// regrouped in floating point (a - (b - c), a / (b * c), and a + (b + c)
// and a * (b * c) round differently from their left-to-right readings).
func (b binary) code() jen.Code {
	p := b.prec()
	return jen.Add(tighter(b.l, p-1)).Op(b.op).Add(tighter(b.r, p))
}

// negation is -x.
type negation struct{ x expr }

func (n negation) prec() int { return precUnary }

// code parenthesises a compound operand, and a unary one too so a minus
// never meets another sign: -(a + b), -(a * b), -(-1).
func (n negation) code() jen.Code { return jen.Op("-").Add(tighter(n.x, precUnary)) }

// deref is *p for a pointer p.
type deref struct{ p expr }

func (d deref) prec() int      { return precUnary }
func (d deref) code() jen.Code { return jen.Op("*").Add(tighter(d.p, precUnary)) }

// tighter prints x as an operand that must bind more tightly than
// strength.
func tighter(x expr, strength int) jen.Code {
	if x.prec() <= strength {
		return jen.Parens(x.code())
	}
	return x.code()
}

// add, sub, mul and div build the binary operations.
func add(l, r expr) expr { return binary{"+", l, r} }
func sub(l, r expr) expr { return binary{"-", l, r} }
func mul(l, r expr) expr { return binary{"*", l, r} }
func div(l, r expr) expr { return binary{"/", l, r} }
