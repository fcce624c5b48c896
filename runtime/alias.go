package runtime

import (
	"unsafe"

	"gonum.org/v1/gonum/blas/blas64"
)

// AliasError is the panic value of CheckNoAlias. Its Error method gives
// messages such as
//
//	Bilinear: gradient dX shares memory with input X
//
// when a destination overlaps an input, and
//
//	Bilinear: gradients dX and dY share memory
//
// when two destinations overlap each other (Input is then empty and
// OtherGrad names the destination that comes first in the signature).
type AliasError struct {
	Func      string // Function whose arguments overlap, e.g. "Bilinear".
	Grad      string // Name of the gradient destination, e.g. "dX".
	Input     string // Name of the input it overlaps, e.g. "X"; empty if OtherGrad is set.
	OtherGrad string // Name of the earlier destination it overlaps, e.g. "dW"; empty if Input is set.
}

// Error returns the message described on AliasError.
func (e *AliasError) Error() string {
	if e.Input == "" {
		return e.Func + ": gradients " + e.OtherGrad + " and " + e.Grad + " share memory"
	}
	return e.Func + ": gradient " + e.Grad + " shares memory with input " + e.Input
}

// Arg is a named argument of a generated function, a gradient destination
// or an input, with the elements it addresses: what CheckNoAlias compares.
type Arg struct {
	Name  string    // Parameter name, e.g. "dX".
	Elems Footprint // Elements the argument addresses.
}

// MatrixArg returns the argument name whose storage is r (RawMatrix).
func MatrixArg(name string, r blas64.General) Arg {
	return Arg{Name: name, Elems: MatrixFootprint(r)}
}

// VectorArg returns the argument name whose storage is r (RawVector).
func VectorArg(name string, r blas64.Vector) Arg {
	return Arg{Name: name, Elems: VectorFootprint(r)}
}

// SymmetricArg returns the argument name whose storage is r (RawSymmetric).
func SymmetricArg(name string, r blas64.Symmetric) Arg {
	return Arg{Name: name, Elems: SymmetricFootprint(r)}
}

// ScalarArg returns the scalar gradient destination name, the element p
// points to.
func ScalarArg(name string, p *float64) Arg {
	return Arg{Name: name, Elems: ScalarFootprint(p)}
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

// ScalarData returns the one element p points to as a slice, nil for
// nil: a scalar destination's memory, for Apart.
func ScalarData(p *float64) []float64 {
	if p == nil {
		return nil
	}
	return unsafe.Slice(p, 1)
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

// Apart reports whether the memory of a and b, as slices, is disjoint:
// then so are the elements any views on them address. It is the cheap
// test that decides almost every pair CheckNoAlias compares; generated
// code with few arguments tests its pairs with it inline and calls
// CheckNoAlias, the exact test, only when a pair's slices meet.
func Apart(a, b []float64) bool {
	const size = unsafe.Sizeof(float64(0))
	pa := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	pb := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return len(a) == 0 || len(b) == 0 || pa+uintptr(len(a))*size <= pb || pb+uintptr(len(b))*size <= pa
}

// last returns the offset of the last element f addresses.
func (f Footprint) last() int { return (f.Rows-1)*f.Step + f.Cols - 1 }

// CheckNoAlias panics with an *AliasError if a gradient destination of fn
// addresses an element of one of its inputs or of another destination (see
// Overlaps for what is compared). Generated code makes one call per
// function:
//
//	runtime.CheckNoAlias("F",
//		[]runtime.Arg{runtime.MatrixArg("dX", dX.RawMatrix())},
//		[]runtime.Arg{runtime.MatrixArg("X", X.RawMatrix()), runtime.VectorArg("b", b.RawVector())})
//
// so its size grows with the number of arguments, not their product. The
// slices do not escape: they stay on the caller's stack and the call
// allocates nothing. When several pairs overlap, the one reported is the
// first destination's first overlap, inputs before earlier destinations,
// whichever way it is found.
//
// Different arrays, the common case, are told apart by the spans of their
// slices alone, a few nanoseconds per pair. With more than sortAbove pairs
// to test (and at most maxSorted arguments), the spans of the addressed
// elements are sorted by start address instead, and only the pairs whose
// spans meet are compared element by element: O(k log k) for k arguments
// that do not overlap.
func CheckNoAlias(fn string, dests, inputs []Arg) {
	n := len(dests) + len(inputs)
	if pairs := len(dests) * (len(inputs) + (len(dests)-1)/2); pairs > sortAbove && n <= maxSorted {
		checkSorted(fn, dests, inputs)
		return
	}
	for d := range dests {
		g := dests[d].Elems.Data
		for i := range inputs {
			if !Apart(g, inputs[i].Elems.Data) {
				checkPair(fn, &dests[d], &inputs[i], false)
			}
		}
		for p := range d {
			if !Apart(g, dests[p].Elems.Data) {
				checkPair(fn, &dests[d], &dests[p], true)
			}
		}
	}
}

// checkPair panics with an *AliasError if the destination g and the
// argument x, another destination if dest is set, address a common
// element; out of line, for the pairs whose slices meet.
//
//go:noinline
func checkPair(fn string, g, x *Arg, dest bool) {
	if !Overlaps(g.Elems, x.Elems) {
		return
	}
	if dest {
		panic(&AliasError{Func: fn, Grad: g.Name, OtherGrad: x.Name})
	}
	panic(&AliasError{Func: fn, Grad: g.Name, Input: x.Name})
}

const (
	// sortAbove is the number of argument pairs above which CheckNoAlias
	// sorts spans instead of testing every pair.
	sortAbove = 64
	// maxSorted bounds the arguments CheckNoAlias sorts on the stack; more
	// are tested pair by pair (still exact, and allocation-free).
	maxSorted = 1024
)

// span is the address range [start, end) from the first to one past the
// last element an argument addresses; arg indexes dests when dest is set,
// inputs otherwise.
type span struct {
	start, end uintptr
	arg        int
	dest       bool
}

// checkSorted is CheckNoAlias for many arguments: it sorts the spans of
// the non-empty arguments by start address and compares, element by
// element, each pair involving a destination whose spans meet; of the
// overlapping pairs it reports the one CheckNoAlias's pairwise order meets
// first.
//
//go:noinline
func checkSorted(fn string, dests, inputs []Arg) {
	var buf [maxSorted]span
	spans := buf[:0]
	add := func(args []Arg, dest bool) {
		for k := range args {
			f := &args[k].Elems
			if f.empty() {
				continue
			}
			start := uintptr(unsafe.Pointer(unsafe.SliceData(f.Data)))
			end := start + uintptr(f.last()+1)*unsafe.Sizeof(float64(0))
			spans = append(spans, span{start: start, end: end, arg: k, dest: dest})
		}
	}
	add(dests, true)
	add(inputs, false)
	sortByStart(spans)
	// rank orders pairs as the pairwise loop of CheckNoAlias meets them.
	n := len(dests) + len(inputs)
	best, found := 0, false
	var bestDest, bestOther span // the destination and the argument of the best pair
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if b.start >= a.end {
				break // sorted by start: no later span meets a
			}
			if !a.dest && !b.dest {
				continue
			}
			d, other := a, b
			if !d.dest || (other.dest && other.arg > d.arg) {
				d, other = b, a
			}
			rank := d.arg*n + other.arg
			if other.dest {
				rank += len(inputs)
			}
			if found && rank >= best {
				continue
			}
			otherArgs := inputs
			if other.dest {
				otherArgs = dests
			}
			if Overlaps(dests[d.arg].Elems, otherArgs[other.arg].Elems) {
				best, found, bestDest, bestOther = rank, true, d, other
			}
		}
	}
	if !found {
		return
	}
	if bestOther.dest {
		panic(&AliasError{Func: fn, Grad: dests[bestDest.arg].Name, OtherGrad: dests[bestOther.arg].Name})
	}
	panic(&AliasError{Func: fn, Grad: dests[bestDest.arg].Name, Input: inputs[bestOther.arg].Name})
}

// sortByStart sorts spans by start address: a heapsort, in place and
// O(k log k), which keeps the runtime free of imports generated code may
// not use.
func sortByStart(spans []span) {
	for root := len(spans)/2 - 1; root >= 0; root-- {
		siftDown(spans, root, len(spans))
	}
	for end := len(spans) - 1; end > 0; end-- {
		spans[0], spans[end] = spans[end], spans[0]
		siftDown(spans, 0, end)
	}
}

// siftDown restores the max-heap order of spans[:n] below root.
func siftDown(spans []span, root, n int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && spans[child].start < spans[child+1].start {
			child++
		}
		if spans[root].start >= spans[child].start {
			return
		}
		spans[root], spans[child] = spans[child], spans[root]
		root = child
	}
}
