package plan

import (
	"math"

	"github.com/dave/jennifer/jen"
)

// Import paths of the packages generated code calls.
const (
	BlasPath    = "gonum.org/v1/gonum/blas"
	Blas64Path  = "gonum.org/v1/gonum/blas/blas64"
	MatPath     = "gonum.org/v1/gonum/mat"
	MathPath    = "math"
	SyncPath    = "sync"
	RuntimePath = "github.com/gradgen/gradgen/runtime"
)

// Expr is a Go expression as a tree: scalar arithmetic, entries and
// fields of values, calls. One printer decides every parenthesis
// (jennifer's Op writes operators as bare tokens, and an operand pasted
// next to one binds by Go's precedence, not by the tree the derivation
// built), and the values an expression reads are known from the tree.
type Expr interface {
	// Prec is the Go binding strength of the expression's outermost
	// operator: PrecOr, PrecAdd, PrecMul, PrecUnary or PrecAtom.
	Prec() int
	// Code prints the expression, parenthesising operands where Go's
	// precedence and left-to-right grouping would otherwise read it
	// differently; the expression itself is not parenthesised.
	Code() jen.Code
	// values calls yield for each value the expression refers to.
	values(yield func(*Value))
}

// Go's binding strengths for the operators plans print (the Go spec's
// binary precedences 1, 4 and 5, then unary operators and primary
// expressions).
const (
	PrecOr    = 1 // ||
	PrecAdd   = 4 // + -
	PrecMul   = 5 // * /
	PrecUnary = 6 // -x, *p, &x, and negative literals
	PrecAtom  = 7 // names, calls, index expressions, literals
)

// Values calls yield for each value x refers to, in order, repeats
// included.
func Values(x Expr, yield func(*Value)) {
	if x != nil {
		x.values(yield)
	}
}

// Ref reads a value by its name: a scalar, a dimension, a whole vector or
// matrix passed to a call.
type Ref struct{ V *Value }

// Prec is PrecAtom.
func (r Ref) Prec() int { return PrecAtom }

// Code prints the name.
func (r Ref) Code() jen.Code            { return jen.Id(r.V.Name) }
func (r Ref) values(yield func(*Value)) { yield(r.V) }

// At is entry (I, J) of a stored matrix, or entry I of a vector (J nil):
// Data[i*Stride+j], Data[k] for a contiguous vector, Data[k*Inc]
// otherwise, and runtime.SymAt for a symmetric value. In a loop with a
// view of row I of V (RowView), Row names it and the entry prints as
// Row[J]: the same entry, which the checks take as (V, I, J).
type At struct {
	V    *Value
	I, J Expr
	Row  *Value
}

// Prec is PrecAtom.
func (a At) Prec() int { return PrecAtom }

// Code prints the entry.
func (a At) Code() jen.Code {
	v := jen.Id(a.V.Name)
	switch {
	case a.Row != nil:
		return jen.Id(a.Row.Name).Index(a.J.Code())
	case a.V.Kind == Symmetric:
		return jen.Qual(RuntimePath, "SymAt").Call(v, a.I.Code(), a.J.Code())
	case a.J == nil && a.V.Contiguous:
		return v.Dot("Data").Index(a.I.Code())
	case a.J == nil:
		return v.Dot("Data").Index(Mul(a.I, Field{Ref{a.V}, "Inc"}).Code())
	}
	return v.Dot("Data").Index(Add(Mul(a.I, Field{Ref{a.V}, "Stride"}), a.J).Code())
}

func (a At) values(yield func(*Value)) {
	yield(a.V)
	Values(a.I, yield)
	Values(a.J, yield)
}

// Field is the field or method value X.Name (v.N, v.Stride, ws.lu).
type Field struct {
	X    Expr
	Name string
}

// Prec is PrecAtom.
func (f Field) Prec() int { return PrecAtom }

// Code prints X.Name.
func (f Field) Code() jen.Code            { return jen.Add(f.X.Code()).Dot(f.Name) }
func (f Field) values(yield func(*Value)) { Values(f.X, yield) }

// Call is a call of the function Name of the package at Path, or of the
// method Name of Recv when Recv is set.
type Call struct {
	Path, Name string
	Recv       Expr
	Args       []Expr
}

// Prec is PrecAtom.
func (c Call) Prec() int { return PrecAtom }

// Code prints the call.
func (c Call) Code() jen.Code {
	args := make([]jen.Code, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.Code()
	}
	if c.Recv != nil {
		return jen.Add(c.Recv.Code()).Dot(c.Name).Call(args...)
	}
	if c.Path == "" {
		return jen.Id(c.Name).Call(args...)
	}
	return jen.Qual(c.Path, c.Name).Call(args...)
}

func (c Call) values(yield func(*Value)) {
	Values(c.Recv, yield)
	for _, a := range c.Args {
		Values(a, yield)
	}
}

// Fn returns the call of the function name of the package at path (the
// current package for "").
func Fn(path, name string, args ...Expr) Call { return Call{Path: path, Name: name, Args: args} }

// Method returns the call of the method name of recv.
func Method(recv Expr, name string, args ...Expr) Call {
	return Call{Recv: recv, Name: name, Args: args}
}

// Qual is a package-level name of the package at Path: blas.Trans,
// runtime.Identity.
type Qual struct{ Path, Name string }

// Prec is PrecAtom.
func (q Qual) Prec() int                 { return PrecAtom }
func (q Qual) Code() jen.Code            { return jen.Qual(q.Path, q.Name) } // Code prints the name.
func (q Qual) values(yield func(*Value)) {}

// Lit is a float64 constant; a negative one prints with its sign and so
// binds as a unary expression, except those spelt as math calls (-Inf,
// -0).
type Lit float64

// Prec is PrecUnary for a negative literal written with its sign.
func (l Lit) Prec() int {
	if l < 0 && !math.IsInf(float64(l), -1) {
		return PrecUnary
	}
	return PrecAtom
}

// Code prints the constant, spelling the IEEE specials as the math
// package does (a Go constant -0.0 is +0, so negative zero is a call too).
func (l Lit) Code() jen.Code {
	v := float64(l)
	switch {
	case math.IsInf(v, 1):
		return jen.Qual(MathPath, "Inf").Call(jen.Lit(1))
	case math.IsInf(v, -1):
		return jen.Qual(MathPath, "Inf").Call(jen.Lit(-1))
	case math.IsNaN(v):
		return jen.Qual(MathPath, "NaN").Call()
	case v == 0 && math.Signbit(v):
		return jen.Qual(MathPath, "Copysign").Call(jen.Lit(0), jen.Lit(-1))
	}
	return jen.Lit(v)
}

func (l Lit) values(yield func(*Value)) {}

// IntLit is an integer constant (index arithmetic, BLAS α and β as Go
// writes 1 and 0).
type IntLit int

// Prec is PrecUnary for a negative constant.
func (l IntLit) Prec() int {
	if l < 0 {
		return PrecUnary
	}
	return PrecAtom
}

// Code prints the constant.
func (l IntLit) Code() jen.Code            { return jen.Lit(int(l)) }
func (l IntLit) values(yield func(*Value)) {}

// Const is a Go constant of another type: a bool, a string, a float
// written as jennifer writes it (1.0).
type Const struct{ V any }

// Prec is PrecAtom.
func (c Const) Prec() int                 { return PrecAtom }
func (c Const) Code() jen.Code            { return jen.Lit(c.V) } // Code prints the constant.
func (c Const) values(yield func(*Value)) {}

// binary is l op r for op one of + - * /.
type binary struct {
	op   string
	l, r Expr
}

func (b binary) Prec() int {
	if b.op == "*" || b.op == "/" {
		return PrecMul
	}
	return PrecAdd
}

// Code groups left to right as the tree says: the left operand is
// parenthesised only when it binds more loosely than op, the right one
// also when it binds as tightly, because none of + - * / may be
// regrouped in floating point (a - (b - c), a / (b * c), and a + (b + c)
// and a * (b * c) round differently from their left-to-right readings).
//
// A divisor that Go would read as the constant zero (0.0, -0.0) does not
// compile ("division by zero"), though the spec means its IEEE value
// (d ./ (d - d) simplifies to d / 0): it prints as the product by the
// infinity of the zero's sign, x · ±Inf, the same IEEE value as x / ±0 for
// every x (±Inf for x ≠ 0, NaN for ±0 and NaN).
func (b binary) Code() jen.Code {
	p := b.Prec()
	if sign, ok := constantZero(b.r); ok && b.op == "/" {
		return jen.Add(tighter(b.l, p-1)).Op("*").Add(Lit(math.Inf(sign)).Code())
	}
	return jen.Add(tighter(b.l, p-1)).Op(b.op).Add(tighter(b.r, p))
}

// constantZero reports whether x prints as a Go constant that is zero
// (Lit(+0), possibly negated), and the sign of its IEEE value.
func constantZero(x Expr) (sign int, ok bool) {
	switch x := x.(type) {
	case Lit:
		if x == 0 && !math.Signbit(float64(x)) {
			return 1, true
		}
	case unary:
		if sign, ok := constantZero(x.x); ok && x.op == "-" {
			return -sign, true
		}
	}
	return 0, false
}

func (b binary) values(yield func(*Value)) {
	Values(b.l, yield)
	Values(b.r, yield)
}

// unary is op x for op one of - * & !.
type unary struct {
	op string
	x  Expr
}

func (u unary) Prec() int { return PrecUnary }

// Code parenthesises a compound operand, and a unary one too so a minus
// never meets another sign: -(a + b), -(a * b), -(-1).
func (u unary) Code() jen.Code            { return jen.Op(u.op).Add(tighter(u.x, PrecUnary)) }
func (u unary) values(yield func(*Value)) { Values(u.x, yield) }

// tighter prints x as an operand that must bind more tightly than
// strength.
func tighter(x Expr, strength int) jen.Code {
	if x.Prec() <= strength {
		return jen.Parens(x.Code())
	}
	return x.Code()
}

// Add, Sub, Mul and Div build the binary operations.
func Add(l, r Expr) Expr { return binary{"+", l, r} }

// Sub is l - r.
func Sub(l, r Expr) Expr { return binary{"-", l, r} }

// Mul is l * r.
func Mul(l, r Expr) Expr { return binary{"*", l, r} }

// Div is l / r.
func Div(l, r Expr) Expr { return binary{"/", l, r} }

// Neg is -x.
func Neg(x Expr) Expr { return unary{"-", x} }

// Not is !x for a boolean x.
func Not(x Expr) Expr { return unary{"!", x} }

// AnyOf is the disjunction x₁ || x₂ || … of boolean operands, printed one
// operand per line when there are more than two.
type AnyOf []Expr

// Prec is PrecOr.
func (AnyOf) Prec() int { return PrecOr }

// Code prints the operands joined by ||.
func (a AnyOf) Code() jen.Code {
	s := jen.Add(tighter(a[0], PrecOr))
	for _, x := range a[1:] {
		s.Op("||")
		if len(a) > 2 {
			s.Line()
		}
		s.Add(tighter(x, PrecOr))
	}
	return s
}

func (a AnyOf) values(yield func(*Value)) {
	for _, x := range a {
		Values(x, yield)
	}
}

// Deref is *p for a pointer p.
func Deref(p Expr) Expr { return unary{"*", p} }

// Addr is &x.
func Addr(x Expr) Expr { return unary{"&", x} }

// Slice is X[Lo:Hi].
type Slice struct{ X, Lo, Hi Expr }

// Prec is PrecAtom.
func (s Slice) Prec() int { return PrecAtom }

// Code prints X[Lo:Hi].
func (s Slice) Code() jen.Code {
	return jen.Add(s.X.Code()).Index(jen.Add(s.Lo.Code()).Op(":").Add(s.Hi.Code()))
}
func (s Slice) values(yield func(*Value)) {
	Values(s.X, yield)
	Values(s.Lo, yield)
	Values(s.Hi, yield)
}

// Elem is X[I], an element of a slice.
type Elem struct{ X, I Expr }

// Prec is PrecAtom.
func (e Elem) Prec() int      { return PrecAtom }
func (e Elem) Code() jen.Code { return jen.Add(e.X.Code()).Index(e.I.Code()) } // Code prints X[I].
func (e Elem) values(yield func(*Value)) {
	Values(e.X, yield)
	Values(e.I, yield)
}

// KeyValue is one field of a composite literal.
type KeyValue struct {
	Key   string
	Value Expr
}

// Composite is a composite literal Type{Key: Value, …}. Sorted prints the
// keys in sorted order on one line (jennifer's Dict); otherwise each
// field is on a line of its own in the order given. Elements are
// positional elements (Keys empty).
type Composite struct {
	Type   Expr // nil for an untyped element literal
	Slice  bool // []Type{…}
	Fields []KeyValue
	Sorted bool
	// Elems are positional elements, one per line when Lines is set.
	Elems []Expr
	Lines bool
}

// Prec is PrecAtom.
func (c Composite) Prec() int { return PrecAtom }

// Code prints the literal.
func (c Composite) Code() jen.Code {
	s := &jen.Statement{}
	if c.Slice {
		s = jen.Index()
	}
	if c.Type != nil {
		s = s.Add(c.Type.Code())
	}
	switch {
	case c.Sorted:
		d := jen.Dict{}
		for _, f := range c.Fields {
			d[jen.Id(f.Key)] = f.Value.Code()
		}
		return s.Values(d)
	case len(c.Fields) > 0:
		var fs []jen.Code
		for _, f := range c.Fields {
			fs = append(fs, jen.Line().Id(f.Key).Op(":").Add(f.Value.Code()))
		}
		return s.Values(append(fs, jen.Line())...)
	}
	return s.ValuesFunc(func(g *jen.Group) {
		for _, x := range c.Elems {
			if c.Lines {
				g.Line().Add(x.Code())
			} else {
				g.Add(x.Code())
			}
		}
		if c.Lines && len(c.Elems) > 0 {
			g.Line()
		}
	})
}

func (c Composite) values(yield func(*Value)) {
	for _, f := range c.Fields {
		Values(f.Value, yield)
	}
	for _, x := range c.Elems {
		Values(x, yield)
	}
}

// Assert is the type assertion X.(*Type) of a pointer to a type of the
// current package.
type Assert struct {
	X    Expr
	Type string
}

// Prec is PrecAtom.
func (a Assert) Prec() int                 { return PrecAtom }
func (a Assert) Code() jen.Code            { return jen.Add(a.X.Code()).Assert(jen.Op("*").Id(a.Type)) } // Code prints X.(*Type).
func (a Assert) values(yield func(*Value)) { Values(a.X, yield) }

// Spelt is an expression printed as the caller spelt it: index arithmetic
// of packed storage, which its own printer lays out (emit's offsets).
// Reads lists the expressions it is made of (dimensions, indices, a
// stride), for what it reads.
type Spelt struct {
	X     jen.Code
	Reads []Expr
}

// Prec is PrecAtom: the caller's spelling binds as a whole where it is
// used (an index, an argument).
func (g Spelt) Prec() int      { return PrecAtom }
func (g Spelt) Code() jen.Code { return g.X } // Code prints X.
func (g Spelt) values(yield func(*Value)) {
	for _, x := range g.Reads {
		Values(x, yield)
	}
}
