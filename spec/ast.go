// Package spec reads gradgen spec files: the YAML document that lists the
// functions, and the expression language of their expr and let entries.
//
// Loading is one phase: YAML → File, with every name, type and expression
// parsed and carrying its position (file:line:column, 1-based, columns in
// bytes). Name resolution and shape inference happen in package derive, next
// to the operator table that defines each operator's shape rule.
package spec

import (
	"fmt"
	"unicode/utf8"
)

// Pos is a position in a spec file. Line and Col are 1-based; Col counts bytes.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as file:line:col, as the Go toolchain does.
func (p Pos) String() string {
	if !p.IsValid() {
		if p.File == "" {
			return "-"
		}
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is a positioned error in a spec file.
type Error struct {
	Pos Pos
	Msg string
	// Source is the text of the line at Pos, when known; the command prints
	// it with a caret under Pos.Col.
	Source string
}

// Error formats the error as file:line:col: message.
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Errorf returns an *Error at pos.
//
// A string argument longer than maxArgShown bytes is cut, "..." marking
// the cut, so that a 60,000-character name in a spec gives a message of a
// line, not of the name.
func Errorf(pos Pos, format string, args ...any) *Error {
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxArgShown {
			end := maxArgShown
			for end > 0 && !utf8.RuneStart(s[end]) {
				end--
			}
			args[i] = s[:end] + "..."
		}
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// maxArgShown is the most bytes of one string argument of Errorf shown.
const maxArgShown = 256

// File is a loaded spec file.
type File struct {
	Name       string // file name as given to Load
	Package    string // the package key; "" when absent
	PackagePos Pos
	Functions  []*Function
}

// Function is one entry of the functions list.
type Function struct {
	Name    string
	NamePos Pos
	Doc     string
	Inputs  []*Input // in spec order: the Go parameter order
	Lets    []*Let   // in spec order
	Expr    Expr
	// Wrt lists the variables to differentiate by, in order. When the spec
	// has no wrt key it holds every input, positioned at the input's name.
	Wrt []*Ident
	// WrtGiven reports whether the spec had a wrt key.
	WrtGiven bool
	// Order is the highest derivative to generate with respect to a single
	// scalar wrt (the order key; 1 when absent), OrderPos its key's place.
	Order    int
	OrderPos Pos
	// Hessian asks for Hessian-vector products and, for scalar and vector
	// wrt, the dense Hessian (the hessian key), HessianPos its key's place.
	Hessian    bool
	HessianPos Pos
}

// MaxOrder bounds the order key. Taylor mode keeps the derivatives'
// expressions at O(order²) nodes per operator; ten orders is what
// double precision can still tell from rounding by finite differences.
const MaxOrder = 10

// Input is one entry of a function's inputs mapping.
type Input struct {
	Name string
	Pos  Pos
	Type Type
}

// TypeKind is the kind of an input type.
type TypeKind int

// The input type kinds.
const (
	Scalar    TypeKind = iota // scalar
	Vector                    // vector(n)
	Matrix                    // matrix(r, c)
	Symmetric                 // symmetric(n)
	SPD                       // spd(n): symmetric positive definite
)

var kindNames = [...]string{Scalar: "scalar", Vector: "vector", Matrix: "matrix", Symmetric: "symmetric", SPD: "spd"}

// String returns the spec spelling of k.
func (k TypeKind) String() string { return kindNames[k] }

// Type is an input type: a kind and its dimensions (none for scalar, one for
// vector, symmetric and spd, two for matrix).
type Type struct {
	Kind TypeKind
	Dims []Dim
	Pos  Pos
}

// Dim is a dimension: a name, or a positive integer literal when Name is "".
type Dim struct {
	Name string
	Size int
	Pos  Pos
}

// String returns the dimension as written.
func (d Dim) String() string {
	if d.Name != "" {
		return d.Name
	}
	return fmt.Sprint(d.Size)
}

// Let is one named intermediate.
type Let struct {
	Name string
	Pos  Pos
	Expr Expr
}

// Expr is a node of the expression syntax tree.
type Expr interface {
	Pos() Pos // first byte of the expression
	End() Pos // byte just after the expression
	exprNode()
}

// Number is a numeric literal.
type Number struct {
	At    Pos
	Text  string
	Value float64
}

// Ident is an identifier: an input, a let name, a dimension (as eye's
// argument) or, as Call.Fun, a function name.
type Ident struct {
	At   Pos
	Name string
}

// Unary is a prefix minus.
type Unary struct {
	At Pos // position of the operator
	Op Token
	X  Expr
}

// Binary is an infix operation.
type Binary struct {
	X     Expr
	OpPos Pos
	Op    Token
	Y     Expr
}

// Transpose is a postfix transpose, X'.
type Transpose struct {
	X     Expr
	OpPos Pos // position of the quote
}

// Call is a function call, Fun(Args...).
type Call struct {
	Fun    *Ident
	Lparen Pos
	Args   []Expr
	Rparen Pos
}

// Paren is a parenthesised expression.
type Paren struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// Pos and End implementations.

func (x *Number) Pos() Pos    { return x.At }
func (x *Ident) Pos() Pos     { return x.At }
func (x *Unary) Pos() Pos     { return x.At }
func (x *Binary) Pos() Pos    { return x.X.Pos() }
func (x *Transpose) Pos() Pos { return x.X.Pos() }
func (x *Call) Pos() Pos      { return x.Fun.At }
func (x *Paren) Pos() Pos     { return x.Lparen }

func (x *Number) End() Pos    { return shift(x.At, len(x.Text)) }
func (x *Ident) End() Pos     { return shift(x.At, len(x.Name)) }
func (x *Unary) End() Pos     { return x.X.End() }
func (x *Binary) End() Pos    { return x.Y.End() }
func (x *Transpose) End() Pos { return shift(x.OpPos, 1) }
func (x *Call) End() Pos      { return shift(x.Rparen, 1) }
func (x *Paren) End() Pos     { return shift(x.Rparen, 1) }

func (*Number) exprNode()    {}
func (*Ident) exprNode()     {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*Transpose) exprNode() {}
func (*Call) exprNode()      {}
func (*Paren) exprNode()     {}

func shift(p Pos, n int) Pos { p.Col += n; return p }
