package plan

import (
	"fmt"
	"slices"

	"github.com/gradgen/gradgen/derive"
)

// Step is one statement of a plan. Each kind says what it reads and
// writes in terms of values, so the checker (check.go) can verify a plan
// before it is printed (print.go).
type Step interface{ step() }

// Let declares Vars := Value. A Pure declaration has no effect but to be
// its value (a view of an argument, a workspace buffer, a dimension, a
// scalar): a pass drops it when nothing reads its names (DropUnread).
type Let struct {
	Vars  []*Value
	Value Expr
	Pure  bool
	// Alone, for a pure call of several results (a joint kernel's), is
	// each result's expression by itself, reading only values Value
	// reads: DropUnread declares the one result read from its own
	// expression (sigmoid := runtime.Sigmoid(x), not _, sigmoid :=
	// runtime.SoftplusSigmoid(x)).
	Alone []Expr
}

// Set assigns Value to To (an entry At, a value Ref, a pointer's target
// Deref): Op is "=", or "+=" and "*=" for updates, which read To too.
type Set struct {
	To    Expr
	Op    string
	Value Expr
}

// Do is a call run for its effect: a BLAS routine, a runtime kernel, a
// factorisation, a check. Writes are the values it overwrites whole;
// Updates those it reads and writes (BLAS with β = 1, Ger, a rank update,
// a symmetrisation in place). Everything else its call refers to it
// reads. Blas, when set, describes a BLAS call for the shape check.
type Do struct {
	Call    Call
	Writes  []*Value
	Updates []*Value
	// Scratch are workspace buffers the call may write and read back as
	// its own working storage (the sum a product may form: Gemm's
	// MulPlusTranspose): changed, for every rule on storage, and read by
	// the call alone; the checker holds what the call leaves in them
	// unwritten, so that nothing reads it after (RuleWrittenBeforeRead).
	Scratch []*Value
	Blas    *Blas
	// Views are values whose storage the call only takes a view of, for
	// another call to write through (FHessVec's outputs in H's rows): it
	// reads none of their entries.
	Views []*Value
	// InPlace reports that the call may write a result into the storage
	// of an operand of the same shape (a row kernel reads each entry
	// before it writes it), for ReuseStorage.
	InPlace bool
	// Panel holds, for a block kernel in a parallel loop over row panels,
	// the views of a panel's rows of the buffers in Writes that the call
	// writes through (RuleParallel): a view of v for each v it writes.
	Panel []*Value
	// Alone holds, for a block kernel of two results (a joint kernel's:
	// softplus and σ of one argument), the call of each result by itself,
	// Alone[k] writing Writes[k]: when DropDeadStores drops one result's
	// buffer (nothing reads it), it puts the other's call in this one's
	// place, and that call's Doc in place of Doc. Such a call reads none
	// of Writes.
	Alone []*Do
	// Doc is the comment step just before the call that describes it, if
	// any, which goes or is replaced with it.
	Doc *Comment
}

// Changes returns every value the call may change: Writes, Updates and
// Scratch.
func (s *Do) Changes() []*Value {
	return slices.Concat(s.Writes, s.Updates, s.Scratch)
}

// Blas describes the operands of a matrix or vector product C = α op(A)
// op(B) + β C, in the orientation of the result: for Gemv, B is the
// vector; for Ger, A and B are the vectors x and y of x yᵀ. The checker
// verifies that the dimensions agree.
type Blas struct {
	Routine        string
	A, B, C        *Value
	TransA, TransB bool
}

// Loop runs Body for every entry (I, J) of a vector or matrix of Shape
// (a vector: I alone, over its length). Tiled runs a matrix loop over
// tiles of TileSize×TileSize entries (a body that reads a stored matrix
// transposed), with the tile variables Tiles.
type Loop struct {
	Shape derive.Shape
	I, J  *Value
	Body  []Step
	Tiled bool
	Tiles *TileVars
	// Fusible reports that the loop may join the loop before it (Fuse).
	Fusible bool
	// Rows and Cols print the loop bounds (the Go expressions of Shape's
	// dimensions).
	Rows, Cols Expr
	// RowViews are the rows of matrices the body reads or writes entry
	// (I, J) of, declared for each row before the loop over its entries
	// (RowViewsOf).
	RowViews []RowView
}

// RowView is a slice of row I of the matrix Of, entries 0 … n−1 for a
// loop over n columns: Row := runtime.RowSlice(Of, I, n), declared before the
// loop over the row's entries, which ranges over the first view; an entry
// (I, j) of Of that the loop reads or writes prints as Row[j] (At.Row).
// The slice is the same memory as the entries, so nothing changes but the
// spelling, and the compiler, knowing j below every view's length, drops
// the bounds checks.
type RowView struct {
	Row, Of, I *Value
}

// TileVars are the variables of a tiled loop.
type TileVars struct{ I, J, IEnd, JEnd *Value }

// TileSize is the side of a tile of a tiled loop.
const TileSize = 64

// For is a counted loop: Var from From while Var < To, by Step (1 when
// nil). A Parallel one runs its iterations at once.
type For struct {
	Var      *Value
	From, To Expr
	Step     Expr
	Body     []Step
	Parallel *Parallel
	// RowViews, for a loop over the columns of a matrix, from 0 by 1, are
	// as a Loop's: To the count of columns, I the enclosing loop's row.
	RowViews []RowView
}

// Parallel makes a For from 0 to To (the count of parts), by 1, a loop over the parts of the
// Rows rows of a matrix run at once by runtime.Parts: part Var runs rows
// Lo … Hi−1 (runtime.PartRows, declared for the body), in the method
// RunPart of the struct type Type. The values the body shares with the
// function (Shared) travel in the workspace's field Field, of type Type,
// filled before the parts run and cleared after; RunPart's receiver is
// named Field too. Loop says what the loop is, for the comments on Type
// and RunPart ("row panels"). The iterations' writes must not meet, nor
// reads meet another part's writes (RuleParallel).
type Parallel struct {
	Lo, Hi      *Value
	Rows        Expr
	Workspace   *Value
	Field, Type string
	Loop        string
}

// Block is a braced block of steps. With If set it is an if statement:
// the steps run only when If holds; they write nothing (a check's slow
// path, which panics or returns).
type Block struct {
	If   Expr
	Body []Step
}

// Clamp is "if V > Max { V = Max }".
type Clamp struct {
	V   *Value
	Max Expr
}

// Comment is a comment line. Its text may be filled in after the steps it
// describes are built. About, when set, is the value whose computation it
// describes: a pass that drops the value drops the comment.
type Comment struct {
	Text  string
	About *Value
}

// Return returns Value (nothing when nil).
type Return struct{ Value Expr }

func (*Let) step()     {}
func (*Set) step()     {}
func (*Do) step()      {}
func (*Loop) step()    {}
func (*For) step()     {}
func (*Block) step()   {}
func (*Clamp) step()   {}
func (*Comment) step() {}
func (*Return) step()  {}

// check verifies that the operands' dimensions agree: op(A) op(B) has
// the shape of C (for Gemv, op(A) B; for Ger, A Bᵀ; for Dot, equal
// lengths).
func (b *Blas) check() error {
	shape := func(v *Value, trans bool) derive.Shape {
		if trans {
			return v.Shape.T()
		}
		return v.Shape
	}
	fail := func(what string) error {
		return &Violation{Rule: RuleShapes, Detail: fmt.Sprintf("%s %s: %s", b.Routine, what, b.describe())}
	}
	switch b.Routine {
	case "Dot":
		if b.A.Shape.Len() != b.B.Shape.Len() {
			return fail("of vectors of different lengths")
		}
		return nil
	case "Ger":
		if b.C.Shape.Rows != b.A.Shape.Len() || b.C.Shape.Cols != b.B.Shape.Len() {
			return fail("into a matrix of another shape")
		}
		return nil
	}
	a, x := shape(b.A, b.TransA), shape(b.B, b.TransB)
	if b.B.Kind == Vector {
		x = derive.Col(b.B.Shape.Len())
	}
	if a.Cols != x.Rows {
		return fail("with inner dimensions that differ")
	}
	want := derive.Shape{Rows: a.Rows, Cols: x.Cols}
	got := b.C.Shape
	if b.C.Kind == Vector {
		got = derive.Col(got.Len())
	}
	if got != want {
		return fail("into a result of another shape")
	}
	return nil
}

func (b *Blas) describe() string {
	s := func(v *Value, trans bool) string {
		t := ""
		if trans {
			t = "ᵀ"
		}
		return fmt.Sprintf("%s%s (%s)", v.Name, t, v.Shape)
	}
	if b.C == nil {
		return s(b.A, b.TransA) + ", " + s(b.B, b.TransB)
	}
	return s(b.A, b.TransA) + " times " + s(b.B, b.TransB) + " into " + s(b.C, false)
}

// Defer defers Call.
type Defer struct{ Call Call }

func (*Defer) step() {}

// Shared returns the values a parallel loop's body shares with the
// function, in the order the method RunPart takes them from the
// workspace: the rows and the count of parts, then what the body refers
// to and does not declare, in order of first reference.
func Shared(f *For) []*Value {
	own := map[*Value]bool{f.Var: true, f.Parallel.Lo: true, f.Parallel.Hi: true}
	declaredIn(f.Body, own)
	seen := map[*Value]bool{}
	var out []*Value
	add := func(v *Value) {
		if !own[v] && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	Values(f.Parallel.Rows, add)
	Values(f.To, add)
	for _, s := range f.Body {
		for _, v := range stepValues(s, false) {
			add(v)
		}
	}
	return out
}

// declaredIn adds to own the values steps declare: by Let, as loop
// variables, at any depth.
func declaredIn(steps []Step, own map[*Value]bool) {
	for _, s := range steps {
		switch s := s.(type) {
		case *Let:
			for _, v := range s.Vars {
				own[v] = true
			}
		case *For:
			own[s.Var] = true
			if s.Parallel != nil {
				own[s.Parallel.Lo], own[s.Parallel.Hi] = true, true
			}
		case *Loop:
			for _, v := range []*Value{s.I, s.J} {
				if v != nil {
					own[v] = true
				}
			}
			if s.Tiles != nil {
				own[s.Tiles.I], own[s.Tiles.J], own[s.Tiles.IEnd], own[s.Tiles.JEnd] = true, true, true, true
			}
		}
		declaredIn(body(s), own)
	}
}
