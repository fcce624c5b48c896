package plan

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/dave/jennifer/jen"
)

// Format returns a listing of steps for people (gradgen -plan): one line
// per step, its kind, its Go spelling, and what it writes when that is
// not in its spelling, nested bodies indented.
func Format(steps []Step) string {
	var b strings.Builder
	formatSteps(&b, steps, "")
	return b.String()
}

func formatSteps(b *strings.Builder, steps []Step, indent string) {
	for _, s := range steps {
		kind, text, note := describe(s)
		line := fmt.Sprintf("%s%-7s %s", indent, kind, text)
		if note != "" {
			line += "   ; " + note
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		if inner := body(s); inner != nil {
			formatSteps(b, inner, indent+"        ")
		}
	}
}

// describe returns a step's kind, its text and a note on its effects.
func describe(s Step) (kind, text, note string) {
	switch s := s.(type) {
	case *Let:
		kind = "let"
		if s.Pure {
			kind = "let?" // dropped when unread
		}
		var names []string
		for _, v := range s.Vars {
			names = append(names, v.Name+describeValue(v))
		}
		return kind, strings.Join(names, ", ") + " := " + goText(s.Value.Code()), ""
	case *Set:
		return "set", goText(goStep(s)), ""
	case *Do:
		kind = "call"
		if s.Blas != nil {
			kind = strings.ToLower(s.Blas.Routine)
			note = s.Blas.describe()
		}
		var effects []string
		for _, v := range s.Writes {
			effects = append(effects, "writes "+v.Name)
		}
		for _, v := range s.Updates {
			effects = append(effects, "updates "+v.Name)
		}
		for _, v := range s.Scratch {
			effects = append(effects, "scratch "+v.Name)
		}
		if len(effects) > 0 {
			note = strings.TrimPrefix(note+"; "+strings.Join(effects, ", "), "; ")
		}
		return kind, goText(s.Call.Code()), note
	case *Loop:
		over := fmt.Sprintf("%s < %s", s.I.Name, s.Shape.Rows)
		switch {
		case s.Shape.IsRow():
			over = fmt.Sprintf("%s < %s", s.I.Name, s.Shape.Cols)
		case s.J != nil:
			over = fmt.Sprintf("%s < %s, %s < %s", s.I.Name, s.Shape.Rows, s.J.Name, s.Shape.Cols)
		}
		var flags []string
		if s.Fusible {
			flags = append(flags, "fusible")
		}
		if s.Tiled {
			flags = append(flags, fmt.Sprintf("tiled %d×%d", TileSize, TileSize))
		}
		if v := rowViewsNote(s.RowViews); v != "" {
			flags = append(flags, v)
		}
		return "loop", over, strings.Join(flags, ", ")
	case *For:
		step := "++"
		if s.Step != nil {
			step = " += " + goText(s.Step.Code())
		}
		flags := rowViewsNote(s.RowViews)
		if p := s.Parallel; p != nil {
			flags = fmt.Sprintf("parallel: rows %s, %s of %s", p.Lo.Name, p.Hi.Name, goText(p.Rows.Code()))
		}
		return "for", fmt.Sprintf("%s := %s; %s < %s; %s%s", s.Var.Name, goText(s.From.Code()), s.Var.Name, goText(s.To.Code()), s.Var.Name, step), flags
	case *Block:
		if s.If != nil {
			return "if", goText(s.If.Code()), ""
		}
		return "block", "", ""
	case *Clamp:
		return "clamp", fmt.Sprintf("%s ≤ %s", s.V.Name, goText(s.Max.Code())), ""
	case *Comment:
		return "//", s.Text, ""
	case *Return:
		if s.Value == nil {
			return "return", "", ""
		}
		return "return", goText(s.Value.Code()), ""
	case *Defer:
		return "defer", goText(s.Call.Code()), ""
	}
	return "?", fmt.Sprintf("%T", s), ""
}

// describeValue notes a declared value's kind, shape and owner.
func describeValue(v *Value) string {
	var parts []string
	switch v.Kind {
	case Vector, Matrix, Symmetric:
		kind := map[Kind]string{Vector: "vector", Matrix: "matrix", Symmetric: "symmetric"}[v.Kind]
		switch {
		case v.Kind == Vector && v.Shape.IsVector():
			kind = "vector " + v.Shape.Len().String()
		case v.Shape.Rows.Name != "" || v.Shape.Rows.Size != 0:
			kind += " " + v.Shape.String()
		}
		parts = append(parts, kind)
	default:
		return ""
	}
	switch {
	case v.Of != nil && v.Part:
		parts = append(parts, "part of "+v.Of.Name)
	case v.Of != nil:
		parts = append(parts, "view of "+v.Of.Name)
	case v.Owner == Workspace:
		parts = append(parts, "workspace")
	}
	return " [" + strings.Join(parts, ", ") + "]"
}

// goText renders Go code on one line.
func goText(c jen.Code) string {
	return strings.Join(strings.Fields(fmt.Sprintf("%#v", c)), " ")
}

// exprKey returns the Go text of the expression x, for the checks and
// passes that ask whether two expressions are the same (the entry an index
// reads, a loop's bounds, a panel's step): equal keys mean the same
// expression, whatever its kind (a Spelt size reads as the Ref it
// spells). Printing goes through jennifer and go/format, a hundred times
// the cost of a map lookup, and the same few index expressions are asked
// for again and again (plan.Check spent 9 % of generating 100 functions
// printing them), so the texts of the common forms are kept, keyed by
// their structure (spelling).
func exprKey(x Expr) string {
	s, ok := spelling(x)
	if !ok {
		return goText(x.Code())
	}
	if text, ok := keyTexts.Load(s); ok {
		return text.(string)
	}
	text := goText(x.Code())
	keyTexts.Store(s, text)
	return text
}

// keyTexts maps the spelling of an expression to its Go text.
var keyTexts sync.Map

// spelling returns a text that determines x's structure, and so its Go
// text, for names, integer literals, fields and sums and products of them
// (fully parenthesised); ok is false for any other expression.
func spelling(x Expr) (s string, ok bool) {
	switch x := x.(type) {
	case Ref:
		return x.V.Name, true
	case IntLit:
		return strconv.Itoa(int(x)), true
	case Field:
		s, ok := spelling(x.X)
		return s + "." + x.Name, ok
	case binary:
		l, lok := spelling(x.l)
		r, rok := spelling(x.r)
		return "(" + l + " " + x.op + " " + r + ")", lok && rok
	}
	return "", false
}

// rowViewsNote describes a loop's row views, "rows XRow of X, YRow of Y",
// or is "" for none.
func rowViewsNote(views []RowView) string {
	if len(views) == 0 {
		return ""
	}
	var names []string
	for _, v := range views {
		names = append(names, v.Row.Name+" of "+v.Of.Name)
	}
	return "rows " + strings.Join(names, ", ")
}
