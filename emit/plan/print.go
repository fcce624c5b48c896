package plan

import "github.com/dave/jennifer/jen"

// Go prints steps as Go statements through jennifer: the last, small step
// of emission. Every decision was taken when the plan was built or by a
// pass; printing only spells it.
func Go(steps []Step) []jen.Code {
	out := make([]jen.Code, 0, len(steps))
	for _, s := range steps {
		out = append(out, goStep(s))
	}
	return out
}

func goStep(s Step) jen.Code {
	switch s := s.(type) {
	case *Let:
		ids := make([]jen.Code, len(s.Vars))
		for i, v := range s.Vars {
			ids[i] = jen.Id(v.Name)
		}
		return jen.List(ids...).Op(":=").Add(s.Value.Code())
	case *Set:
		return jen.Add(s.To.Code()).Op(s.Op).Add(s.Value.Code())
	case *Do:
		return s.Call.Code()
	case *Loop:
		return goLoop(s)
	case *For:
		if s.Parallel != nil {
			return goParallel(s)
		}
		if len(s.RowViews) > 0 {
			return lines(goRowLoop(s.RowViews, s.Var, s.To, Go(s.Body)))
		}
		return goFor(s.Var.Name, s.From.Code(), s.To.Code(), s.Step, Go(s.Body)...)
	case *Block:
		if s.If != nil {
			return jen.If(s.If.Code()).Block(Go(s.Body)...)
		}
		return jen.Block(Go(s.Body)...)
	case *Clamp:
		return jen.If(jen.Id(s.V.Name).Op(">").Add(s.Max.Code())).Block(jen.Id(s.V.Name).Op("=").Add(s.Max.Code()))
	case *Comment:
		return CommentLine(s.Text)
	case *Defer:
		return jen.Defer().Add(s.Call.Code())
	case *Return:
		if s.Value == nil {
			return jen.Return()
		}
		return jen.Return(s.Value.Code())
	}
	panic("plan: no printing for a step")
}

// goFor prints for v := from; v < to; v++ (or v += step) { body }.
func goFor(v string, from, to jen.Code, step Expr, body ...jen.Code) jen.Code {
	next := jen.Id(v).Op("++")
	if step != nil {
		next = jen.Id(v).Op("+=").Add(step.Code())
	}
	return jen.For(jen.Id(v).Op(":=").Add(from), jen.Id(v).Op("<").Add(to), next).Block(body...)
}

// goLoop prints a loop over the entries of a vector or matrix, a matrix
// one in tiles when tiled.
func goLoop(l *Loop) jen.Code {
	inner := Go(l.Body)
	zero := jen.Lit(0)
	switch {
	case l.Shape.IsCol():
		return goFor(l.I.Name, zero, l.Rows.Code(), nil, inner...)
	case l.Shape.IsRow():
		return goFor(l.I.Name, zero, l.Cols.Code(), nil, inner...)
	}
	if !l.Tiled {
		if len(l.RowViews) > 0 {
			return goFor(l.I.Name, zero, l.Rows.Code(), nil, goRowLoop(l.RowViews, l.J, l.Cols, inner)...)
		}
		return goFor(l.I.Name, zero, l.Rows.Code(), nil, goFor(l.J.Name, jen.Lit(0), l.Cols.Code(), nil, inner...))
	}
	t := l.Tiles
	tile := IntLit(TileSize)
	within := func(v, start, end *Value, body ...jen.Code) jen.Code {
		return goFor(v.Name, jen.Id(start.Name), jen.Id(end.Name), nil, body...)
	}
	end := func(end, start *Value, n Expr) []jen.Code {
		return []jen.Code{
			jen.Id(end.Name).Op(":=").Id(start.Name).Op("+").Lit(TileSize),
			goStep(&Clamp{end, n}),
		}
	}
	return goFor(t.I.Name, jen.Lit(0), l.Rows.Code(), tile, append(end(t.IEnd, t.I, l.Rows),
		goFor(t.J.Name, jen.Lit(0), l.Cols.Code(), tile, append(end(t.JEnd, t.J, l.Cols),
			within(l.I, t.I, t.IEnd, within(l.J, t.J, t.JEnd, inner...)))...))...)
}

// lines prints statements as one, a line each.
func lines(stmts []jen.Code) jen.Code {
	out := jen.Add(stmts[0])
	for _, st := range stmts[1:] {
		out = out.Line().Add(st)
	}
	return out
}

// goParallel prints the function's side of a parallel loop: the shared
// values into the workspace's field, the parts run by the field's method
// RunPart, the field cleared.
func goParallel(f *For) jen.Code {
	p := f.Parallel
	field := func() *jen.Statement { return jen.Id(p.Workspace.Name).Dot(p.Field) }
	var fields []jen.Code // in the order of Type's fields, which are Shared(f) too
	for _, v := range Shared(f) {
		fields = append(fields, jen.Id(v.Name))
	}
	return field().Op("=").Id(p.Type).Values(fields...).Line().
		Qual(RuntimePath, "Parts").Call(f.To.Code(), jen.Op("&").Add(field())).Line().
		Add(field()).Op("=").Id(p.Type).Values()
}

// GoPart prints the body of the method RunPart of a parallel loop's
// struct type, whose receiver is named as the workspace's field: the
// shared values taken from the receiver, the part's rows, then the loop's
// body.
func GoPart(f *For) []jen.Code {
	p := f.Parallel
	var out []jen.Code
	fields := PartFields(f)
	for k, v := range Shared(f) {
		out = append(out, jen.Id(v.Name).Op(":=").Id(p.Field).Dot(fields[k]))
	}
	out = append(out, jen.List(jen.Id(p.Lo.Name), jen.Id(p.Hi.Name)).Op(":=").Qual(RuntimePath, "PartRows").Call(p.Rows.Code(), f.To.Code(), jen.Id(f.Var.Name)))
	return append(out, Go(f.Body)...)
}

// PartMethod is the method of a parallel loop's struct type that runs a
// part (runtime.PartRunner's).
const PartMethod = "RunPart"

// PartFields returns the names of the fields of a parallel loop's struct
// type, one for each of Shared(f) in order: the value's name, but for a
// name the method PartMethod takes, which gains underscores until no other
// field has it.
func PartFields(f *For) []string {
	shared := Shared(f)
	taken := map[string]bool{PartMethod: true}
	for _, v := range shared {
		taken[v.Name] = true
	}
	names := make([]string, len(shared))
	for k, v := range shared {
		names[k] = v.Name
		if v.Name == PartMethod {
			for names[k] += "_"; taken[names[k]]; names[k] += "_" {
			}
			taken[names[k]] = true
		}
	}
	return names
}
