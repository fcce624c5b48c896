package runtime

import (
	"unsafe"

	"gonum.org/v1/gonum/blas/blas64"
)

// AliasError is the panic value of CheckNoAlias. Its Error method gives
// messages such as
//
//	Bilinear: gradient dX shares memory with input X
type AliasError struct {
	Func  string // Function whose arguments overlap, e.g. "Bilinear".
	Grad  string // Name of the gradient destination, e.g. "dX".
	Input string // Name of the input, e.g. "X".
}

// Error returns the message described on AliasError.
func (e *AliasError) Error() string {
	return e.Func + ": gradient " + e.Grad + " shares memory with input " + e.Input
}

// Footprint is the set of elements of a backing array that a matrix or
// vector addresses: Data[i*Stride+j] for 0 ≤ i < Rows and 0 ≤ j < Cols.
// A vector of length n and increment inc is n rows of one element with
// step |inc|; a symmetric matrix of order n is the whole n×n square of its
// storage (both triangles, whichever one its Uplo names); a *float64 is
// its one element.
type Footprint struct {
	Data             []float64 // The backing array from the first element on.
	Rows, Cols, Step int       // Step is the distance between row starts.
}

// MatrixFootprint returns the elements the matrix r (RawMatrix) addresses.
func MatrixFootprint(r blas64.General) Footprint {
	return Footprint{Data: r.Data, Rows: r.Rows, Cols: r.Cols, Step: r.Stride}
}

// VectorFootprint returns the elements the vector r (RawVector) addresses.
func VectorFootprint(r blas64.Vector) Footprint {
	return Footprint{Data: r.Data, Rows: r.N, Cols: 1, Step: max(r.Inc, -r.Inc)}
}

// SymmetricFootprint returns the elements the symmetric matrix r
// (RawSymmetric) addresses: its whole n×n square.
func SymmetricFootprint(r blas64.Symmetric) Footprint {
	return Footprint{Data: r.Data, Rows: r.N, Cols: r.N, Step: r.Stride}
}

// ScalarFootprint returns the one element p points to (a scalar gradient
// destination); nothing for nil.
func ScalarFootprint(p *float64) Footprint {
	if p == nil {
		return Footprint{}
	}
	return Footprint{Data: unsafe.Slice(p, 1), Rows: 1, Cols: 1, Step: 1}
}

// Overlaps reports whether a and b address a common element. It compares
// the elements actually addressed, not the spans of the backing arrays, so
// disjoint views of one matrix (columns 0–2 and 3–5, or interleaved rows)
// do not overlap and views sharing a single element do. Empty footprints
// never overlap.
//
// The test is exact and cheap: O(1) when the spans from the first to the
// last addressed element are disjoint (in particular for different
// arrays), otherwise O(min(a.Rows, b.Rows)). Each row of the footprint with
// fewer rows is an interval of addresses; the rows of the other footprint
// are intervals whose starts and ends both increase with the row index, so
// the only row that can meet an interval [lo, hi] is the last one starting
// at or before hi, found by one division.
func Overlaps(a, b Footprint) bool {
	if a.empty() || b.empty() {
		return false
	}
	const size = int(unsafe.Sizeof(float64(0)))
	pa := uintptr(unsafe.Pointer(unsafe.SliceData(a.Data)))
	pb := uintptr(unsafe.Pointer(unsafe.SliceData(b.Data)))
	// Offsets in elements from the lower of the two starts: both arrays are
	// then one address space; unequal arrays give disjoint spans below.
	var offA, offB int
	if pa <= pb {
		offB = int(pb - pa)
	} else {
		offA = int(pa - pb)
	}
	if offA%size != 0 || offB%size != 0 {
		// Not float64-aligned with each other: not views of one array.
		// Compare byte spans conservatively.
		return offA < offB+b.last()*size+size && offB < offA+a.last()*size+size
	}
	offA /= size
	offB /= size
	if offA+a.last() < offB || offB+b.last() < offA {
		return false
	}
	if a.Rows > b.Rows {
		a, b, offA, offB = b, a, offB, offA
	}
	if b.Rows > 1 && b.Step <= 0 {
		return true // not a gonum layout; the spans meet
	}
	for i := range a.Rows {
		lo := offA + i*a.Step
		hi := lo + a.Cols - 1
		if hi < offB {
			continue
		}
		k := b.Rows - 1
		if b.Rows > 1 {
			k = min(k, (hi-offB)/b.Step)
		}
		if offB+k*b.Step+b.Cols-1 >= lo {
			return true
		}
	}
	return false
}

// empty reports whether f addresses no element.
func (f Footprint) empty() bool { return f.Rows <= 0 || f.Cols <= 0 || len(f.Data) == 0 }

// apart reports whether the memory of a and b, as slices, is disjoint:
// then so are the elements any views on them address. It is the cheap
// test that decides almost every call of CheckNoAlias.
func apart(a, b []float64) bool {
	const size = unsafe.Sizeof(float64(0))
	pa := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	pb := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return len(a) == 0 || len(b) == 0 || pa+uintptr(len(a))*size <= pb || pb+uintptr(len(b))*size <= pa
}

// last returns the offset of the last element f addresses.
func (f Footprint) last() int { return (f.Rows-1)*f.Step + f.Cols - 1 }

// CheckNoAlias panics with an *AliasError if the destination grad of fn,
// whose elements are g, addresses an element of the input named input,
// whose elements are x (see Overlaps for what is compared). Generated code
// passes MatrixFootprint(X.RawMatrix()) and the like. Different arrays,
// the common case, are told apart by their spans alone, in a few
// nanoseconds: a generated function checks every destination against
// every input on every call.
func CheckNoAlias(fn, grad string, g Footprint, input string, x Footprint) {
	if !apart(g.Data, x.Data) { // small enough to inline: only this test runs in the common case
		checkElements(fn, grad, g, input, x)
	}
}

// checkElements is CheckNoAlias for footprints whose spans meet; kept out
// of line so that CheckNoAlias inlines.
//
//go:noinline
func checkElements(fn, grad string, g Footprint, input string, x Footprint) {
	if Overlaps(g, x) {
		panic(&AliasError{Func: fn, Grad: grad, Input: input})
	}
}
