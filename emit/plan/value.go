package plan

import "github.com/gradgen/gradgen/derive"

// Kind is what a Value holds.
type Kind int

// The kinds of values a generated function works on.
const (
	Scalar    Kind = iota // a float64
	Int                   // an int: a dimension, a loop index, an offset
	Vector                // a blas64.Vector
	Matrix                // a blas64.General
	Symmetric             // a blas64.Symmetric (upper triangle)
	Object                // anything else: an argument, the workspace, a kernel's state
)

// Owner says where a Value's storage comes from.
type Owner int

// The owners of storage.
const (
	Input       Owner = iota // a parameter the caller passes in, read only
	Destination              // a parameter the function writes (or a view of one)
	Workspace                // a buffer of the pooled workspace, the function's own
	Local                    // a local variable: a scalar, a dimension, a view
	Index                    // a loop variable
)

// Value is a named Go value of a generated function: an argument, a view
// of one, a workspace buffer, a scalar, a dimension, a loop index. Steps
// refer to values, never to bare names, so the checker knows what each
// step reads and writes.
type Value struct {
	Name  string
	Kind  Kind
	Owner Owner
	// Rows and Cols are the shape of a vector (Cols the one or the length
	// for a row) or matrix, by dimension, for the shape checks of BLAS
	// calls; zero for other kinds.
	Shape derive.Shape
	// Contiguous reports unit increment and a stride equal to the columns
	// (workspace buffers), so entries index without Inc or Stride.
	Contiguous bool
	// Of is the value whose storage this one views (a destination's raw
	// view, a panel of a matrix); nil for storage of its own. Writes to a
	// view are writes to what it views.
	Of *Value
	// Part reports that a view covers part of what it views (a block of
	// a Hessian, a row panel): a write through it writes that part only.
	Part bool
	// Reuse reports that the value is a buffer of its own in the storage
	// of Of, a buffer nothing reads once this one is being written
	// (ReuseStorage; RuleReuse).
	Reuse bool
}

// Root returns the value whose storage v is: v itself, or what it views.
func (v *Value) Root() *Value {
	for v.Of != nil {
		v = v.Of
	}
	return v
}

// ViewsPart reports whether v is, or views, a view of part of other
// storage (a row panel, a block), so that its row i need not be row i of
// the storage.
func (v *Value) ViewsPart() bool { return partOf(v, nil) }

// buffer returns the buffer v is, or is a view of: its root, or the
// buffer that reuses the root's storage (Reuse) that v is or views.
func (v *Value) buffer() *Value {
	for v.Of != nil && !v.Reuse {
		v = v.Of
	}
	return v
}

// NewValue returns a value without shape.
func NewValue(name string, k Kind, o Owner) *Value { return &Value{Name: name, Kind: k, Owner: o} }
