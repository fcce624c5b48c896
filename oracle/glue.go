package oracle

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

// The glue is the Go file that registers, for every function of a batch,
// an adapter per generated role with the harness: it calls the generated
// function by its signature, taking arguments from the harness's Call.
// It is written from the contract (the parameter order of each role) and
// the signatures found in the generated file, so a role that is missing
// or typed against the contract shows up as a failure.

// signatures returns the parameter types and result count of every
// top-level function in src, by name.
func signatures(src []byte) (map[string]*ast.FuncType, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "gen.go", src, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]*ast.FuncType{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			out[fd.Name.Name] = fd.Type
		}
	}
	return out, nil
}

// params flattens a signature's parameters to their type spellings and
// names.
func params(ft *ast.FuncType) (types, names []string) {
	for _, field := range ft.Params.List {
		t := typeString(field.Type)
		for _, n := range field.Names {
			types = append(types, t)
			names = append(names, n.Name)
		}
	}
	return types, names
}

func typeString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + typeString(t.X)
	case *ast.SelectorExpr:
		return typeString(t.X) + "." + t.Sel.Name
	case *ast.ArrayType:
		return "[]" + typeString(t.Elt)
	}
	return fmt.Sprintf("%T", e)
}

// glue writes the registration of one function; sigs are the generated
// file's signatures. A signature that does not match the contract is
// reported as a failure instead of an adapter.
type glue struct {
	b    strings.Builder
	bad  []Failure
	name string
}

func (g *glue) printf(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

// typeOf is the Go type the contract gives an input of kind k (a
// scalar's gradient or HVP output is *float64).
func typeOf(k spec.TypeKind) string {
	switch k {
	case spec.Scalar:
		return "float64"
	case spec.Vector:
		return "*mat.VecDense"
	case spec.Matrix:
		return "*mat.Dense"
	}
	return "*mat.SymDense"
}

func argCode(k spec.TypeKind, i int, dir bool) string {
	prefix := ""
	if dir {
		prefix = "Dir"
	}
	switch k {
	case spec.Scalar:
		if dir {
			return fmt.Sprintf("c.DirScalar(%d)", i)
		}
		return fmt.Sprintf("c.Scalar(%d)", i)
	case spec.Vector:
		return fmt.Sprintf("c.%sVec(%d)", prefix, i)
	case spec.Matrix:
		return fmt.Sprintf("c.%sDense(%d)", prefix, i)
	}
	return fmt.Sprintf("c.%sSym(%d)", prefix, i)
}

// outCode allocates a destination shaped like input in.
func outCode(in *derive.Input, size func(derive.Dim) int) string {
	r, c := size(in.Shape.Rows), size(in.Shape.Cols)
	switch in.Kind {
	case spec.Scalar:
		return "c.OutScalar()"
	case spec.Vector:
		return fmt.Sprintf("c.OutVec(%d)", r)
	case spec.Matrix:
		return fmt.Sprintf("c.OutDense(%d, %d)", r, c)
	}
	return fmt.Sprintf("c.OutSym(%d)", r)
}

// writeFunc writes the harness.Register call for fn at p.
func (g *glue) writeFunc(fn *derive.Function, p point, sigs map[string]*ast.FuncType) {
	name := fn.Spec.Name
	g.name = name
	size := func(d derive.Dim) int {
		if d.Name == "" {
			return d.Size
		}
		return p.dims[d.Name]
	}
	index := map[string]int{}
	for i, in := range fn.Inputs {
		index[in.Name] = i
	}
	outR, outC := size(fn.Value.Shape.Rows), size(fn.Value.Shape.Cols)
	scalarF := fn.Value.Shape.IsScalar()
	g.printf("\tharness.Register(&harness.Func{\n\t\tName: %q,\n\t\tInputs: []harness.Arg{\n", name)
	for _, in := range fn.Inputs {
		kind := map[spec.TypeKind]string{spec.Scalar: "Scalar", spec.Vector: "Vector", spec.Matrix: "Matrix", spec.Symmetric: "Symmetric", spec.SPD: "Symmetric"}[in.Kind]
		g.printf("\t\t\t{Name: %q, Kind: harness.%s, Rows: %d, Cols: %d, SPD: %v},\n", in.Name, kind, size(in.Shape.Rows), size(in.Shape.Cols), in.Kind == spec.SPD)
	}
	g.printf("\t\t},\n\t\tWrt: []int{")
	for k, w := range fn.Wrt {
		if k > 0 {
			g.printf(", ")
		}
		g.printf("%d", index[w.Name])
	}
	g.printf("},\n\t\tPoint: [][]float64{\n")
	for _, v := range p.values {
		g.printf("\t\t\t%s,\n", floats(v))
	}
	g.printf("\t\t},\n\t\tWant: %s,\n", floats(p.want))
	g.printf("\t\tOutRows: %d, OutCols: %d, OutCol: %v, ScalarF: %v,\n", outR, outC, fn.Value.Shape.IsCol(), scalarF)
	order := len(fn.Derivs)
	g.printf("\t\tOrder: %d, Hessian: %v, Dense: %v,\n", order, fn.Spec.Hessian, fn.Spec.Hessian && fn.DenseHessian)

	ins := make([]string, len(fn.Inputs))
	inTypes := make([]string, len(fn.Inputs))
	for i, in := range fn.Inputs {
		ins[i] = argCode(in.Kind, i, false)
		inTypes[i] = typeOf(in.Kind)
	}
	var dirs, dirTypes, gradOuts, gradTypes []string
	for k, w := range fn.Wrt {
		dirs = append(dirs, argCode(w.Kind, k, true))
		dirTypes = append(dirTypes, typeOf(w.Kind))
		gradOuts = append(gradOuts, outCode(w, size))
		t := typeOf(w.Kind)
		if w.Kind == spec.Scalar {
			t = "*float64"
		}
		gradTypes = append(gradTypes, t)
	}
	var fDst []string
	var fDstTypes []string
	if !scalarF {
		if fn.Value.Shape.IsCol() {
			fDst, fDstTypes = []string{fmt.Sprintf("c.OutVec(%d)", outR)}, []string{"*mat.VecDense"}
		} else {
			fDst, fDstTypes = []string{fmt.Sprintf("c.OutDense(%d, %d)", outR, outC)}, []string{"*mat.Dense"}
		}
	}
	cat := func(xs ...[]string) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x...)
		}
		return out
	}
	g.adapter(sigs, "F", name, cat(ins, fDst), cat(inTypes, fDstTypes), scalarF)
	if scalarF {
		g.adapter(sigs, "Grad", name+"Grad", cat(ins, gradOuts), cat(inTypes, gradTypes), true)
	} else {
		g.adapter(sigs, "JVP", name+"JVP", cat(ins, dirs, fDst), cat(inTypes, dirTypes, fDstTypes), false)
		var js, jTypes []string
		for _, w := range fn.Wrt {
			p, q := size(w.Shape.Rows), size(w.Shape.Cols)
			if w.Kind == spec.Vector {
				p, q = 1, p
			}
			m, n := outR, outC
			js = append(js, fmt.Sprintf("c.OutDense(%d, %d)", p*m, q*n))
			jTypes = append(jTypes, "*mat.Dense")
		}
		g.adapter(sigs, "Jacobian", name+"Jacobian", cat(ins, js), cat(inTypes, jTypes), false)
	}
	if order > 0 {
		g.printf("\t\tDerivs: []func(c *harness.Call){\n")
		for k := 1; k <= order; k++ {
			fname := name + "Deriv"
			if k > 1 {
				fname = fmt.Sprintf("%sDeriv%d", name, k)
			}
			g.printf("\t\t\t")
			if !g.call(sigs, fname, cat(ins, fDst), cat(inTypes, fDstTypes), scalarF) {
				g.printf("nil")
			}
			g.printf(",\n")
		}
		g.printf("\t\t},\n")
	}
	if fn.Spec.Hessian {
		g.adapter(sigs, "HessVec", name+"HessVec", cat(ins, dirs, gradOuts), cat(inTypes, dirTypes, gradTypes), false)
		if fn.DenseHessian {
			n := 0
			for _, w := range fn.Wrt {
				n += size(w.Shape.Rows) * size(w.Shape.Cols)
			}
			g.adapter(sigs, "HessMat", name+"Hessian", cat(ins, []string{fmt.Sprintf("c.OutDense(%d, %d)", n, n)}), cat(inTypes, []string{"*mat.Dense"}), false)
		}
	}
	if scalarF {
		g.problem(fn, sigs, ins, inTypes, size)
	}
	g.printf("\t})\n")
}

// adapter writes "Field: func(c *harness.Call) { … }," for the function
// fname when it exists with the contract's parameter types.
func (g *glue) adapter(sigs map[string]*ast.FuncType, field, fname string, args, types []string, result bool) {
	if _, ok := sigs[fname]; !ok {
		return // the harness reports the missing role
	}
	g.printf("\t\t%s: ", field)
	if !g.call(sigs, fname, args, types, result) {
		g.printf("nil")
	}
	g.printf(",\n")
}

// call writes an adapter literal for fname; false when its signature
// differs from the contract (recorded as a failure).
func (g *glue) call(sigs map[string]*ast.FuncType, fname string, args, types []string, result bool) bool {
	ft, ok := sigs[fname]
	if !ok {
		return false
	}
	got, _ := params(ft)
	results := 0
	if ft.Results != nil {
		results = ft.Results.NumFields()
	}
	if strings.Join(got, ", ") != strings.Join(types, ", ") || (results == 1) != result {
		g.bad = append(g.bad, Failure{Func: g.name, Role: fname, Check: "signature",
			Msg: fmt.Sprintf("parameters (%s) with %d results, want (%s) with a result: %v", strings.Join(got, ", "), results, strings.Join(types, ", "), result)})
		return false
	}
	call := fname + "(" + strings.Join(args, ", ") + ")"
	if result {
		call = "c.Result = " + call
	}
	g.printf("func(c *harness.Call) { %s }", call)
	return true
}

// problem writes the FProblem adapter: the inputs not in wrt, in spec
// order, then an int for each dimension only wrt inputs have, by name.
func (g *glue) problem(fn *derive.Function, sigs map[string]*ast.FuncType, ins, inTypes []string, size func(derive.Dim) int) {
	fname := fn.Spec.Name + "Problem"
	ft, ok := sigs[fname]
	if !ok {
		return
	}
	inWrt := map[string]bool{}
	for _, w := range fn.Wrt {
		inWrt[w.Name] = true
	}
	var args, types []string
	for i, in := range fn.Inputs {
		if !inWrt[in.Name] {
			args, types = append(args, ins[i]), append(types, inTypes[i])
		}
	}
	got, names := params(ft)
	dims := map[string]int{}
	for _, d := range fn.Dims {
		dims[d.Name] = size(d)
	}
	for i := len(args); i < len(got); i++ {
		if got[i] != "int" {
			break
		}
		v, ok := dims[names[i]]
		if !ok {
			g.bad = append(g.bad, Failure{Func: g.name, Role: fname, Check: "signature", Msg: fmt.Sprintf("int parameter %s names no dimension", names[i])})
			return
		}
		args, types = append(args, fmt.Sprint(v)), append(types, "int")
	}
	if strings.Join(got, ", ") != strings.Join(types, ", ") {
		g.bad = append(g.bad, Failure{Func: g.name, Role: fname, Check: "signature",
			Msg: fmt.Sprintf("parameters (%s), want (%s)", strings.Join(got, ", "), strings.Join(types, ", "))})
		return
	}
	g.printf("\t\tProblem: func(c *harness.Call) optimize.Problem { return %s(%s) },\n", fname, strings.Join(args, ", "))
}

func floats(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%v", x)
	}
	return "[]float64{" + strings.Join(parts, ", ") + "}"
}
