package runtime

import (
	"strconv"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// ShapeError is the panic value of the shape checks. Its Error method gives
// messages such as
//
//	Bilinear: X is 3×5, want m×n = 3×4
//	Bilinear: a has length 5, want m = 4
type ShapeError struct {
	Func   string // Function whose argument is wrong, e.g. "Bilinear".
	Arg    string // Name of the wrong argument, e.g. "X".
	Vector bool   // Whether Arg is a vector, described by its length.
	Got    string // Actual shape, e.g. "3×5", or "5" for a vector.
	Want   string // Required shape, e.g. "m×n = 3×4", "m = 4" or "square".
	// Dim, when set, names an empty dimension read from Arg (Got is its
	// size): the message reads "F: dimension n is 0 (from x), want ≥ 1", or
	// "FProblem: dimension k is 0, want ≥ 1" when Arg is the dimension.
	Dim string
	// Nil reports that Arg is a nil destination: the message reads
	// "F: dX is nil, want m×n = 3×4".
	Nil bool
}

// Error returns the message described on ShapeError.
func (e *ShapeError) Error() string {
	if e.Dim != "" {
		from := ""
		if e.Arg != e.Dim {
			from = " (from " + e.Arg + ")"
		}
		return e.Func + ": dimension " + e.Dim + " is " + e.Got + from + ", want " + e.Want
	}
	if e.Nil {
		return e.Func + ": " + e.Arg + " is nil, want " + e.Want
	}
	if e.Vector {
		return e.Func + ": " + e.Arg + " has length " + e.Got + ", want " + e.Want
	}
	return e.Func + ": " + e.Arg + " is " + e.Got + ", want " + e.Want
}

// CheckMatrix panics with a *ShapeError if the r×c argument arg of fn is not
// wantR×wantC. rowName and colName name the required dimensions in the
// message, "rowName×colName = wantR×wantC". A name that is empty or equal to
// its number stands for the literal number; if both do, the message is just
// "want wantR×wantC".
//
// Like every check here it is a comparison the compiler inlines into the
// generated function, with the panic out of line: a check costs its
// comparison on the common path.
func CheckMatrix(fn, arg string, r, c int, wantR, wantC int, rowName, colName string) {
	if r != wantR || c != wantC {
		matrixShapeError(fn, arg, r, c, wantR, wantC, rowName, colName)
	}
}

//go:noinline
func matrixShapeError(fn, arg string, r, c int, wantR, wantC int, rowName, colName string) {
	panic(&ShapeError{
		Func: fn,
		Arg:  arg,
		Got:  dims(r, c),
		Want: named(dimName(rowName, wantR)+"×"+dimName(colName, wantC), dims(wantR, wantC)),
	})
}

// CheckVector panics with a *ShapeError if the argument arg of fn has length
// n ≠ want. name names the required length in the message, "name = want";
// an empty name or one equal to the number stands for the literal number.
func CheckVector(fn, arg string, n, want int, name string) {
	if n != want {
		vectorShapeError(fn, arg, n, want, name)
	}
}

//go:noinline
func vectorShapeError(fn, arg string, n, want int, name string) {
	panic(&ShapeError{
		Func:   fn,
		Arg:    arg,
		Vector: true,
		Got:    strconv.Itoa(n),
		Want:   named(dimName(name, want), strconv.Itoa(want)),
	})
}

// CheckDim panics with a *ShapeError if the dimension name, of size n, read
// from the argument arg of fn (or passed as arg itself), is less than 1.
// gonum has no empty matrices or vectors (mat.NewDense(0, 0, nil) panics);
// the zero values &mat.Dense{} and &mat.VecDense{} that do exist would
// otherwise reach BLAS, which panics with "blas: zero x index increment".
// The message reads "F: dimension n is 0 (from x), want ≥ 1".
func CheckDim(fn, arg string, n int, name string) {
	if n < 1 {
		dimError(fn, arg, n, name)
	}
}

//go:noinline
func dimError(fn, arg string, n int, name string) {
	panic(&ShapeError{Func: fn, Arg: arg, Dim: name, Got: strconv.Itoa(n), Want: "≥ 1"})
}

// CheckSymmetric panics with a *ShapeError if the n×n symmetric argument arg
// of fn is not want×want. The message reads "S is 3×3, want n×n = 4×4" for
// name "n"; names are treated as in CheckMatrix.
func CheckSymmetric(fn, arg string, n, want int, name string) {
	if n != want {
		matrixShapeError(fn, arg, n, n, want, want, name, name)
	}
}

// CheckSquare panics with a *ShapeError if the r×c argument arg of fn is not
// square. The message reads "Det: A is 3×4, want square".
func CheckSquare(fn, arg string, r, c int) {
	if r != c {
		squareError(fn, arg, r, c)
	}
}

//go:noinline
func squareError(fn, arg string, r, c int) {
	panic(&ShapeError{Func: fn, Arg: arg, Got: dims(r, c), Want: "square"})
}

// DestMatrix readies the destination d, the parameter arg of fn, for a
// wantR×wantC result as gonum's receivers are readied: a zero-value d
// (d.IsEmpty(), as &mat.Dense{} is) is sized with ReuseAs; a d of another
// shape panics with a *ShapeError, as CheckMatrix, whose names it shares;
// a nil d panics with a *ShapeError that says so.
func DestMatrix(fn, arg string, d *mat.Dense, wantR, wantC int, rowName, colName string) {
	if d != nil {
		if r, c := d.Dims(); r == wantR && c == wantC {
			return
		}
	}
	readyDestMatrix(fn, arg, d, wantR, wantC, rowName, colName)
}

//go:noinline
func readyDestMatrix(fn, arg string, d *mat.Dense, wantR, wantC int, rowName, colName string) {
	if d == nil {
		panic(&ShapeError{Func: fn, Arg: arg, Nil: true, Want: named(dimName(rowName, wantR)+"×"+dimName(colName, wantC), dims(wantR, wantC))})
	}
	if d.IsEmpty() && wantR >= 1 && wantC >= 1 {
		d.ReuseAs(wantR, wantC)
	}
	r, c := d.Dims()
	CheckMatrix(fn, arg, r, c, wantR, wantC, rowName, colName)
}

// DestVector readies the destination d, the parameter arg of fn, for a
// result of length want as DestMatrix does: a zero-value d is sized with
// ReuseAsVec; a nil d or one of another length panics with a *ShapeError.
func DestVector(fn, arg string, d *mat.VecDense, want int, name string) {
	if d != nil && d.Len() == want {
		return
	}
	readyDestVector(fn, arg, d, want, name)
}

//go:noinline
func readyDestVector(fn, arg string, d *mat.VecDense, want int, name string) {
	if d == nil {
		panic(&ShapeError{Func: fn, Arg: arg, Nil: true, Vector: true, Want: "length " + named(dimName(name, want), strconv.Itoa(want))})
	}
	if d.IsEmpty() && want >= 1 {
		d.ReuseAsVec(want)
	}
	CheckVector(fn, arg, d.Len(), want, name)
}

// DestSymmetric readies the destination d, the parameter arg of fn, for a
// want×want symmetric result as DestMatrix does: a zero-value d is sized
// with ReuseAsSym; a nil d or one of another size panics with a
// *ShapeError.
func DestSymmetric(fn, arg string, d *mat.SymDense, want int, name string) {
	if d != nil && d.SymmetricDim() == want {
		return
	}
	readyDestSymmetric(fn, arg, d, want, name)
}

//go:noinline
func readyDestSymmetric(fn, arg string, d *mat.SymDense, want int, name string) {
	if d == nil {
		panic(&ShapeError{Func: fn, Arg: arg, Nil: true, Want: named(dimName(name, want)+"×"+dimName(name, want), dims(want, want))})
	}
	if d.IsEmpty() && want >= 1 {
		d.ReuseAsSym(want)
	}
	CheckSymmetric(fn, arg, d.SymmetricDim(), want, name)
}

// DestScalar panics with a *ShapeError if the scalar destination d, the
// parameter arg of fn, is nil.
func DestScalar(fn, arg string, d *float64) {
	if d == nil {
		panic(&ShapeError{Func: fn, Arg: arg, Nil: true, Want: "a *float64"})
	}
}

// dims formats r×c.
func dims(r, c int) string {
	return strconv.Itoa(r) + "×" + strconv.Itoa(c)
}

// dimName returns name, or the decimal form of v when name is empty.
func dimName(name string, v int) string {
	if name == "" {
		return strconv.Itoa(v)
	}
	return name
}

// named returns "names = nums", or just nums when the names are the numbers.
func named(names, nums string) string {
	if names == nums {
		return nums
	}
	return names + " = " + nums
}

// checkSameShape panics with a *ShapeError if dst is not the shape of a.
func checkSameShape(fn, arg string, dst, a blas64.General) {
	CheckMatrix(fn, arg, dst.Rows, dst.Cols, a.Rows, a.Cols, "", "")
}
