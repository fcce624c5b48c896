package derive

import "fmt"

// Dim is a symbolic dimension: a name such as n, or a literal size when
// Name is "". Distinct names are distinct sizes.
type Dim struct {
	Name string
	Size int
}

// Lit returns the literal dimension n.
func Lit(n int) Dim { return Dim{Size: n} }

// String returns the dimension as written in a spec.
func (d Dim) String() string {
	if d.Name != "" {
		return d.Name
	}
	return fmt.Sprint(d.Size)
}

// IsOne reports whether d is the literal 1.
func (d Dim) IsOne() bool { return d.Name == "" && d.Size == 1 }

// Shape is the symbolic shape of a value. Every value is a matrix: a scalar
// is 1×1 and a vector of length n is n×1 (its transpose is 1×n).
type Shape struct {
	Rows, Cols Dim
}

// ScalarShape is the shape of a scalar.
var ScalarShape = Shape{Lit(1), Lit(1)}

// Square returns the shape n×n.
func Square(n Dim) Shape { return Shape{n, n} }

// Col returns the shape of a column vector of length n.
func Col(n Dim) Shape { return Shape{n, Lit(1)} }

// IsScalar reports whether s is 1×1.
func (s Shape) IsScalar() bool { return s.Rows.IsOne() && s.Cols.IsOne() }

// IsCol reports whether s is a column vector (n×1, n not literally 1).
func (s Shape) IsCol() bool { return s.Cols.IsOne() && !s.Rows.IsOne() }

// IsRow reports whether s is a row vector (1×n, n not literally 1).
func (s Shape) IsRow() bool { return s.Rows.IsOne() && !s.Cols.IsOne() }

// IsVector reports whether s is a row or column vector.
func (s Shape) IsVector() bool { return s.IsCol() || s.IsRow() }

// IsMatrix reports whether s is neither a scalar nor a vector.
func (s Shape) IsMatrix() bool { return !s.Rows.IsOne() && !s.Cols.IsOne() }

// IsSquare reports whether s has equal dimensions.
func (s Shape) IsSquare() bool { return s.Rows == s.Cols }

// Len returns the length of a vector shape.
func (s Shape) Len() Dim {
	if s.IsRow() {
		return s.Cols
	}
	return s.Rows
}

// T returns the transposed shape.
func (s Shape) T() Shape { return Shape{s.Cols, s.Rows} }

// String describes s with its dimension names: "scalar", "vector(n)",
// "row vector(n)" or "m×n".
func (s Shape) String() string {
	switch {
	case s.IsScalar():
		return "scalar"
	case s.IsCol():
		return "vector(" + s.Rows.String() + ")"
	case s.IsRow():
		return "row vector(" + s.Cols.String() + ")"
	}
	return s.Rows.String() + "×" + s.Cols.String()
}
