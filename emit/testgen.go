package emit

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

const (
	fdPath      = "gonum.org/v1/gonum/diff/fd"
	randPath    = "math/rand/v2"
	testingPath = "testing"
)

// testImports are the packages a generated test may import, by name:
// those of generated code, and fd, rand and testing.
var testImports = func() map[string]string {
	paths := map[string]string{"fd": fdPath, "rand": randPath, "testing": testingPath}
	for name, path := range generatedImports {
		paths[name] = path
	}
	return paths
}()

// TestOptions control the generated test file.
type TestOptions struct {
	Package string   // package clause
	Name    string   // the test function's name, e.g. TestGradgenLossGrad
	Source  string   // the generated file the test checks, for its doc comment
	Version string   // the generator's version, recorded in the header (see Options.Version)
	Flags   []string // the flags that shape the output, recorded in the header (see Options.Flags)
	Taken   []string // the package-level names the package's other files declare (see Options.Taken)
}

// GenerateTest returns a _test.go file that checks every derivative
// generated for funcs against finite differences of the next-lower order,
// at random points and shapes, so the users of vendored generated code can
// verify it in CI: FGrad against F (gonum/diff/fd), FHessVec against FGrad,
// FHessian against FHessVec in unit directions, FJVP against F, FJacobian
// against F and FJVP, each FDerivk against FDeriv(k-1) (FDeriv against F),
// and FProblem against F, FGrad and FHessian.
// Sizes are drawn from 1 to 4; entries from (0.1, 0.9); square matrices get
// n added to the diagonal and spd inputs are B Bᵀ + n I, so that inverses,
// logarithms and square roots stay well defined and well conditioned; and a
// point is drawn again until F is finite and smooth there (see drawPoint).
func GenerateTest(funcs []*derive.Function, opts TestOptions) ([]byte, error) {
	if err := CheckNames(funcs); err != nil {
		return nil, err
	}
	for _, fn := range funcs {
		for _, g := range generated(fn) {
			if g.name == opts.Name {
				return nil, &spec.Error{Pos: fn.Spec.NamePos, Msg: fmt.Sprintf("generated name %s is also the name of the generated test", g.name)}
			}
		}
	}
	if err := checkHeaderWords(opts.Version, opts.Flags); err != nil {
		return nil, err
	}
	f := jen.NewFile(opts.Package)
	f.HeaderComment(Header(opts.Version, opts.Flags))
	// The checks' locals avoid the generated functions they call and the
	// imports.
	top := newScope()
	for _, fn := range funcs {
		for _, g := range generated(fn) {
			top.reserve(g.name)
		}
	}
	for _, name := range aliasImports(f, funcs, testImports, opts.Taken) {
		top.reserve(name)
	}
	top.reserve(helperVar)

	// The test's *testing.T is in scope in every check, which calls the
	// generated functions: it must not hide one of them. (The checks'
	// locals may hide it: they do not use it.)
	t := jen.Id(newScope(top).fresh("t"))
	used := map[string]bool{}
	var cases []jen.Code
	for _, fn := range funcs {
		cases = append(cases, jen.Values(jen.Lit(fn.Spec.Name), newCheck(fn, used, top).code()))
	}
	comment(f, fmt.Sprintf("%s checks every derivative generated in %s against finite differences of the next-lower order at random points and shapes.", opts.Name, quoteName(opts.Source)))
	rng := jen.Id("rng")
	f.Func().Id(opts.Name).Params(t.Clone().Op("*").Qual(testingPath, "T")).Block(append(helpers(used),
		jen.Id("tests").Op(":=").Index().Struct(
			jen.Id("name").String(),
			jen.Id("check").Func().Params(jen.Op("*").Qual(testingPath, "T"), jen.Op("*").Qual(randPath, "Rand")).Bool(),
		).Values(cases...),
		jen.For(jen.List(jen.Id("_"), jen.Id("tt")).Op(":=").Range().Id("tests")).Block(
			t.Clone().Dot("Run").Call(jen.Id("tt").Dot("name"), jen.Func().Params(t.Clone().Op("*").Qual(testingPath, "T")).Block(
				rng.Clone().Op(":=").Qual(randPath, "New").Call(jen.Qual(randPath, "NewPCG").Call(jen.Lit(1), jen.Lit(2))),
				jen.Id("checked").Op(":=").False(),
				jen.For(jen.Id("trial").Op(":=").Lit(0), jen.Id("trial").Op("<").Lit(5), jen.Id("trial").Op("++")).Block(
					jen.If(jen.Id("tt").Dot("check").Call(t.Clone(), rng)).Block(jen.Id("checked").Op("=").True()),
				),
				jen.If(jen.Op("!").Id("checked")).Block(
					t.Clone().Dot("Skip").Call(jen.Lit("no trial found a point where the function is finite and smooth: nothing checked")),
				),
			)),
		))...,
	)
	return render(f, funcs, "test")
}

// check writes the check of one function: a closure that draws sizes and
// inputs, then checks each generated role in a block of its own, and
// reports whether it found a point to check them at.
type check struct {
	fn     *derive.Function
	used   map[string]bool // the helpers the generated checks call
	sc     *scope          // names taken in the closure's top level
	t, rng string
	args   []jen.Code // F's arguments at the drawn point; a scalar x is x[0]
	body   []jen.Code
}

// newCheck returns the check of fn, whose locals avoid the names of top;
// the helpers it calls go into used.
func newCheck(fn *derive.Function, used map[string]bool, top *scope) *check {
	c := &check{fn: fn, used: used, sc: newScope(top)}
	for _, in := range fn.Inputs {
		c.sc.reserve(in.Name)
	}
	for _, d := range fn.Dims {
		c.sc.reserve(d.Name)
	}
	c.t, c.rng = c.sc.fresh("t"), c.sc.fresh("rng")
	return c
}

// code returns the closure checking every role generated for the function.
func (c *check) code() jen.Code {
	fn := c.fn
	if literalEntries(fn) > maxTestEntries {
		// Finite differences perturb every entry, each perturbation a call
		// of the function: sizes fixed this large cannot be checked (a
		// matrix(1048576, 1048576) would not even fit in memory).
		c.body = append(c.body, jen.Id(c.t).Dot("Skip").Call(jen.Lit(fmt.Sprintf("%s's inputs have more than %d entries of fixed size: too many to check by finite differences", fn.Spec.Name, maxTestEntries))), jen.Return(jen.False()))
		return jen.Func().Params(jen.Id(c.t).Op("*").Qual(testingPath, "T"), jen.Id("_").Op("*").Qual(randPath, "Rand")).Bool().Block(c.body...)
	}
	c.drawPoint()
	if fn.Value.Shape.IsScalar() {
		fName, grads := c.gradCheck()
		c.derivChecks()
		if fn.Spec.Hessian {
			c.hessVecCheck()
			if fn.DenseHessian {
				c.hessianCheck()
			}
		}
		c.problemCheck(fName, grads)
	} else {
		js := c.jacobianCheck()
		c.jvpCheck(js)
		c.derivChecks()
	}
	c.body = append(c.body, jen.Return(jen.True()))
	return jen.Func().Params(jen.Id(c.t).Op("*").Qual(testingPath, "T"), jen.Id(c.rng).Op("*").Qual(randPath, "Rand")).Bool().Block(c.body...)
}

// maxDraws bounds the points a trial draws in search of one where F is
// finite and smooth; when none is, the trial says so and checks nothing,
// and a function no trial checks is skipped.
const maxDraws = 100

// drawPoint appends the search for the point the check runs at: sizes
// from 1 to 4 and inputs drawn again (up to maxDraws times) until F is
// finite and smooth along a random direction of the wrt inputs, as far as
// the checks' finite differences reach (gradgen.smooth). The test knows
// nothing else of F's domain: a logarithm of a negative entry, the
// log-determinant of a singular product (b bᵀ for n > 1), whose value is
// rounding noise, or a pole of tan within reach would fail a right
// derivative. Only F decides, so a wrong derivative at a point drawn still
// fails; if F is finite and smooth at none of maxDraws points, the trial
// says so and returns false. It records F's arguments at the point in
// c.args.
func (c *check) drawPoint() {
	fn := c.fn
	var decls, draws []jen.Code
	for _, d := range fn.Dims {
		decls = append(decls, jen.Id(d.Name).Int())
		draws = append(draws, jen.Id(d.Name).Op("=").Lit(1).Op("+").Id(c.rng).Dot("IntN").Call(jen.Lit(4)))
	}
	// Scalars live in one-element slices so the gradient check can perturb them.
	for _, in := range fn.Inputs {
		decls = append(decls, jen.Id(in.Name).Add(c.inputType(in)))
		draws = append(draws, jen.Id(in.Name).Op("=").Add(c.draw(in, false)))
		if in.Kind == spec.Scalar {
			c.args = append(c.args, jen.Id(in.Name).Index(jen.Lit(0)))
		} else {
			c.args = append(c.args, jen.Id(in.Name))
		}
	}
	c.body = append(c.body, jen.Var().Defs(decls...)) // a spec's inputs are never empty
	sc := cloneScope(c.sc)
	draw := sc.fresh("draw")
	var dirs []jen.Code
	for _, w := range fn.Wrt {
		d := sc.fresh("d" + w.Name)
		draws = append(draws, jen.Id(d).Op(":=").Add(c.draw(w, true)))
		dirs = append(dirs, jen.Id(d))
	}
	sizesNote := ""
	if len(fn.Dims) > 0 {
		sizesNote = " (sizes from 1 to 4)"
	}
	inner := cloneScope(sc)
	h := inner.fresh("h")
	stmts, entries := c.call(inner, fn.Spec.Name, c.moved(h, dirs))
	draws = append(draws,
		jen.If(c.helper("smooth").Call(jen.Func().Params(jen.Id(h).Float64()).Index().Float64().Block(
			append(stmts, jen.Return(entries))...,
		))).Block(jen.Break()),
		jen.If(jen.Id(draw).Op("==").Lit(maxDraws)).Block(
			jen.Id(c.t).Dot("Log").Call(jen.Lit(fmt.Sprintf("%s is not finite and smooth at any of %d points drawn%s: this trial checks nothing", fn.Spec.Name, maxDraws, sizesNote))),
			jen.Return(jen.False()),
		),
	)
	c.body = append(c.body, jen.For(jen.Id(draw).Op(":=").Lit(1), jen.Empty(), jen.Id(draw).Op("++")).Block(draws...))
}

// inputType returns the Go type of in's variable in a check: a scalar
// lives in a one-element slice, anything else has its parameter type.
func (c *check) inputType(in *derive.Input) jen.Code {
	if in.Kind == spec.Scalar {
		return jen.Index().Float64()
	}
	return typeOf(in.Kind)
}

// maxTestEntries bounds the entries of fixed (literal) size that a check
// perturbs; a function whose inputs have more is skipped, with a message.
const maxTestEntries = 1 << 14

// literalEntries returns the number of input entries fn has whatever the
// sizes drawn, counting each named dimension as 1, saturating past
// maxTestEntries.
func literalEntries(fn *derive.Function) int {
	size := func(d derive.Dim) int {
		if d.Name != "" {
			return 1
		}
		return min(d.Size, maxTestEntries+1)
	}
	total := 0
	for _, in := range fn.Inputs {
		total = min(total+size(in.Shape.Rows)*size(in.Shape.Cols), maxTestEntries+1)
	}
	return total
}

// helper returns the helper field name of the test's helper variable and
// records its use.
func (c *check) helper(name string) *jen.Statement {
	c.used[name] = true
	return helperRef(name)
}

// helperVar names the test function's local variable whose fields are the
// helpers the checks call (gradgen.check, gradgen.flat). It starts with
// spec.HelperPrefix, so that no spec name, and no local of a check, hides it.
const helperVar = spec.HelperPrefix

// helperRef returns the helper field name of the helper variable.
func helperRef(name string) *jen.Statement {
	return jen.Id(helperVar).Dot(name)
}

func (c *check) dim(d derive.Dim) jen.Code {
	if d.Name == "" {
		return jen.Lit(d.Size)
	}
	return jen.Id(d.Name)
}

// draw returns a random value for in: as an input (a scalar in a
// one-element slice), or as a direction, which is never square-boosted
// and for a symmetric or spd input is symmetric with entries in (−0.8, 0.8).
func (c *check) draw(in *derive.Input, direction bool) jen.Code {
	rng, rows, cols := jen.Id(c.rng), c.dim(in.Shape.Rows), c.dim(in.Shape.Cols)
	switch in.Kind {
	case spec.Scalar:
		if direction {
			return c.helper("uniform").Call(rng)
		}
		return jen.Index().Float64().Values(c.helper("uniform").Call(rng))
	case spec.Vector:
		return c.helper("vector").Call(rng, rows)
	case spec.Matrix:
		square := !direction && in.Shape.Rows == in.Shape.Cols
		return c.helper("matrix").Call(rng, rows, cols, jen.Lit(square))
	}
	return c.helper("symmetric").Call(rng, rows, jen.Lit(!direction && in.Kind == spec.SPD))
}

// zeroLike returns a zero destination shaped like in: a gradient or a
// Hessian-vector product of in.
func (c *check) zeroLike(in *derive.Input) jen.Code {
	switch in.Kind {
	case spec.Scalar:
		return jen.New(jen.Float64())
	case spec.Vector:
		return jen.Qual(matPath, "NewVecDense").Call(c.dim(in.Shape.Rows), jen.Nil())
	case spec.Matrix:
		return jen.Qual(matPath, "NewDense").Call(c.dim(in.Shape.Rows), c.dim(in.Shape.Cols), jen.Nil())
	}
	return jen.Qual(matPath, "NewSymDense").Call(c.dim(in.Shape.Rows), jen.Nil())
}

// zeroValue returns a zero destination for a vector- or matrix-valued F.
func (c *check) zeroValue() jen.Code {
	shape := c.fn.Value.Shape
	if shape.IsCol() {
		return jen.Qual(matPath, "NewVecDense").Call(c.dim(shape.Rows), jen.Nil())
	}
	return jen.Qual(matPath, "NewDense").Call(c.dim(shape.Rows), c.dim(shape.Cols), jen.Nil())
}

// moved returns F's arguments with each wrt input wₖ moved to wₖ + h·dirs[k];
// a nil direction (of the scalar t of FDeriv) moves it to t + h.
func (c *check) moved(h string, dirs []jen.Code) []jen.Code {
	wrt := map[string]int{}
	for k, w := range c.fn.Wrt {
		wrt[w.Name] = k + 1
	}
	args := append([]jen.Code{}, c.args...)
	for i, in := range c.fn.Inputs {
		k := wrt[in.Name] - 1
		if k < 0 {
			continue
		}
		dir := dirs[k]
		switch in.Kind {
		case spec.Scalar:
			if dir == nil {
				args[i] = jen.Add(c.args[i]).Op("+").Id(h)
			} else {
				args[i] = jen.Add(c.args[i]).Op("+").Id(h).Op("*").Add(dir)
			}
		case spec.Vector:
			args[i] = c.helper("movedVector").Call(c.args[i], dir, jen.Id(h))
		case spec.Matrix:
			args[i] = c.helper("movedMatrix").Call(c.args[i], dir, jen.Id(h))
		default:
			args[i] = c.helper("movedSymmetric").Call(c.args[i], dir, jen.Id(h))
		}
	}
	return args
}

// call returns the statements evaluating the value-like function name
// (F or an FDerivk) at args, and that value's entries as a []float64.
func (c *check) call(sc *scope, name string, args []jen.Code) (stmts []jen.Code, entries jen.Code) {
	if c.fn.Value.Shape.IsScalar() {
		return nil, jen.Index().Float64().Values(jen.Id(name).Call(args...))
	}
	dst := sc.fresh("value")
	return []jen.Code{
		jen.Id(dst).Op(":=").Add(c.zeroValue()),
		jen.Id(name).Call(append(append([]jen.Code{}, args...), jen.Id(dst))...),
	}, c.helper("flat").Call(jen.Id(dst))
}

// compareSlope returns the statement reporting the entries of got that
// differ from the finite-difference derivative at h = 0 of the entries that
// at computes at the point moved by h (gradgen.compareSlope).
func (c *check) compareSlope(what string, got jen.Code, sc *scope, at func(sc *scope, h string) (stmts []jen.Code, entries jen.Code)) jen.Code {
	inner := cloneScope(sc)
	h := inner.fresh("h")
	stmts, entries := at(inner, h)
	return c.helper("compareSlope").Call(jen.Id(c.t), jen.Lit(what), got, jen.Func().Params(jen.Id(h).Float64()).Index().Float64().Block(
		append(stmts, jen.Return(entries))...,
	))
}

// compare returns the statement reporting the entries of got that differ
// from want.
func (c *check) compare(what string, got, want jen.Code) jen.Code {
	return c.helper("compare").Call(jen.Id(c.t), jen.Lit(what), got, want)
}

// block appends a commented block whose statements body writes, with
// names of its own.
func (c *check) block(doc string, body func(sc *scope) []jen.Code) {
	for _, line := range wrap(doc, 70) {
		c.body = append(c.body, commentLine(line))
	}
	c.body = append(c.body, jen.Block(body(cloneScope(c.sc))...))
}

func cloneScope(s *scope) *scope { return newScope(s) }

// gradCheck appends the check of FGrad: its value is F, and each gradient
// entry is a central finite difference of F. It returns the name of the
// closure evaluating F and those of the gradients, which stay in scope.
func (c *check) gradCheck() (fName string, grads []string) {
	fn := c.fn
	grads = make([]string, len(fn.Wrt))
	for k, w := range fn.Wrt {
		grads[k] = c.sc.fresh("d" + w.Name)
		c.body = append(c.body, jen.Id(grads[k]).Op(":=").Add(c.zeroLike(w)))
	}
	value, fName := c.sc.fresh("value"), c.sc.fresh("f")
	gradName := gradName(fn.Spec.Name)
	c.body = append(c.body,
		jen.Id(value).Op(":=").Id(gradName).Call(append(append([]jen.Code{}, c.args...), idList(grads)...)...),
		jen.Id(fName).Op(":=").Func().Params().Float64().Block(jen.Return(jen.Id(fn.Spec.Name).Call(c.args...))),
		c.compare(gradName+"'s value", jen.Index().Float64().Values(jen.Id(value)), jen.Index().Float64().Values(jen.Id(fName).Call())),
	)
	for k, w := range fn.Wrt {
		params := map[spec.TypeKind]string{spec.Scalar: "scalarParams", spec.Vector: "vectorParams",
			spec.Matrix: "matrixParams", spec.Symmetric: "symmetricParams", spec.SPD: "symmetricParams"}[w.Kind]
		c.body = append(c.body, jen.Block(
			jen.List(jen.Id("ps"), jen.Id("want")).Op(":=").Add(c.helper(params).Call(jen.Id(w.Name), jen.Id(grads[k]))),
			c.helper("check").Call(jen.Id(c.t), jen.Lit(w.Name), jen.Id(fName), jen.Id("ps"), jen.Id("want")),
		))
	}
	return fName, grads
}

// derivChecks appends the checks of FDeriv … FDerivk: each is the
// finite-difference derivative in t of the one before, FDeriv of F.
func (c *check) derivChecks() {
	for k := range c.fn.Derivs {
		name := roleName(c.fn.Spec.Name, roleDeriv, k+1)
		lower := c.fn.Spec.Name
		if k > 0 {
			lower = roleName(c.fn.Spec.Name, roleDeriv, k)
		}
		c.block(name+" is the derivative of "+lower+" in "+c.fn.Wrt[0].Name+".", func(sc *scope) []jen.Code {
			stmts, got := c.call(sc, name, c.args)
			return append(stmts, c.compareSlope(name, got, sc, func(sc *scope, h string) ([]jen.Code, jen.Code) {
				return c.call(sc, lower, c.moved(h, []jen.Code{nil}))
			}))
		})
	}
}

// hessVecCheck appends the check of FHessVec: in random directions v (symmetric
// for a symmetric or spd input), the finite-difference derivative of FGrad
// along v.
func (c *check) hessVecCheck() {
	fn := c.fn
	name := roleName(fn.Spec.Name, roleHessVec, 0)
	c.block(name+" is the derivative of "+gradName(fn.Spec.Name)+" in random directions v.", func(sc *scope) []jen.Code {
		var stmts, dirs, outs []jen.Code
		for _, w := range fn.Wrt {
			v, hv := sc.fresh("v"+w.Name), sc.fresh("hv"+w.Name)
			stmts = append(stmts, jen.Id(v).Op(":=").Add(c.draw(w, true)), jen.Id(hv).Op(":=").Add(c.zeroLike(w)))
			dirs, outs = append(dirs, jen.Id(v)), append(outs, jen.Id(hv))
		}
		stmts = append(stmts, jen.Id(name).Call(append(append(append([]jen.Code{}, c.args...), dirs...), outs...)...))
		return append(stmts, c.compareSlope(name, c.helper("flat").Call(outs...), sc, func(sc *scope, h string) ([]jen.Code, jen.Code) {
			var body, grads []jen.Code
			for _, w := range fn.Wrt {
				g := sc.fresh("d" + w.Name)
				body = append(body, jen.Id(g).Op(":=").Add(c.zeroLike(w)))
				grads = append(grads, jen.Id(g))
			}
			body = append(body, jen.Id(gradName(fn.Spec.Name)).Call(append(c.moved(h, dirs), grads...)...))
			return body, c.helper("flat").Call(grads...)
		}))
	})
}

// packedSize returns the number of entries of the wrt inputs packed as
// FProblem packs them (FHessian's order).
func (c *check) packedSize() jen.Code {
	var size offset
	for _, w := range c.fn.Wrt {
		size = size.add(c.entryOffset(w))
	}
	return size.code()
}

// entryOffset is entries as an offset, a constant for a scalar.
func (c *check) entryOffset(w *derive.Input) offset {
	if w.Kind == spec.Scalar {
		return constOffset(1)
	}
	return termOffset(c.entries(w))
}

// entries returns the number of packed entries of w.
func (c *check) entries(w *derive.Input) jen.Code {
	switch w.Kind {
	case spec.Scalar:
		return jen.Lit(1)
	case spec.Vector:
		return c.dim(w.Shape.Rows)
	}
	return jen.Add(c.dim(w.Shape.Rows)).Op("*").Add(c.dim(w.Shape.Cols))
}

// hessianCheck appends the check of FHessian: column j is FHessVec in the
// j-th unit direction of the packed variables, and H is symmetric.
func (c *check) hessianCheck() {
	fn := c.fn
	name, hessVec := roleName(fn.Spec.Name, roleHessian, 0), roleName(fn.Spec.Name, roleHessVec, 0)
	c.block(name+" holds "+hessVec+" in each unit direction, and is symmetric.", func(sc *scope) []jen.Code {
		size, H, want := sc.fresh("size"), sc.fresh("H"), sc.fresh("want")
		j, e := sc.fresh("j"), sc.fresh("e")
		var dirs, outs, column []jen.Code
		var off offset
		for _, w := range fn.Wrt {
			end := off.add(c.entryOffset(w))
			if w.Kind == spec.Scalar {
				dirs = append(dirs, jen.Id(e).Index(off.code()))
			} else {
				dirs = append(dirs, jen.Qual(matPath, "NewVecDense").Call(c.dim(w.Shape.Rows), jen.Id(e).Index(off.code().Op(":").Add(end.code()))))
			}
			off = end
			hv := sc.fresh("hv" + w.Name)
			outs = append(outs, jen.Id(hv))
			column = append(column, jen.Id(hv).Op(":=").Add(c.zeroLike(w)))
		}
		return []jen.Code{
			jen.Id(size).Op(":=").Add(c.packedSize()),
			jen.Id(H).Op(":=").Qual(matPath, "NewDense").Call(jen.Id(size), jen.Id(size), jen.Nil()),
			jen.Id(name).Call(append(append([]jen.Code{}, c.args...), jen.Id(H))...),
			jen.Id(want).Op(":=").Qual(matPath, "NewDense").Call(jen.Id(size), jen.Id(size), jen.Nil()),
			jen.For(jen.Id(j).Op(":=").Lit(0), jen.Id(j).Op("<").Id(size), jen.Id(j).Op("++")).Block(append(append([]jen.Code{
				jen.Id(e).Op(":=").Make(jen.Index().Float64(), jen.Id(size)),
				jen.Id(e).Index(jen.Id(j)).Op("=").Lit(1),
			}, column...),
				jen.Id(hessVec).Call(append(append(append([]jen.Code{}, c.args...), dirs...), outs...)...),
				jen.Id(want).Dot("SetCol").Call(jen.Id(j), c.helper("flat").Call(outs...)),
			)...),
			c.compare(name, c.helper("flat").Call(jen.Id(H)), c.helper("flat").Call(jen.Id(want))),
			c.compare(name+"'s symmetry", c.helper("flat").Call(jen.Id(H)), c.helper("flat").Call(jen.Id(H).Dot("T").Call())),
		}
	})
}

// problemCheck appends the check of FProblem at the wrt inputs packed:
// Func is F, Grad is FGrad's gradients packed (a symmetric input's as
// the derivative with respect to its stored upper triangle), Hess is
// FHessian.
func (c *check) problemCheck(fName string, grads []string) {
	fn := c.fn
	name := roleName(fn.Spec.Name, roleProblem, 0)
	fixed, free := problemParams(fn)
	var params []jen.Code
	for _, in := range fixed {
		params = append(params, c.args[inputIndex(fn, in.Name)])
	}
	for _, d := range free {
		params = append(params, jen.Id(d.Name))
	}
	doc := name + "'s Func and Grad are " + fn.Spec.Name + " and " + gradName(fn.Spec.Name) + " at the packed variables"
	if fn.DenseHessian {
		doc += ", its Hess " + roleName(fn.Spec.Name, roleHessian, 0)
	}
	c.block(doc+".", func(sc *scope) []jen.Code {
		problem, size, x, grad := sc.fresh("problem"), sc.fresh("size"), sc.fresh("x"), sc.fresh("grad")
		var vars, packedGrads []jen.Code
		for k, w := range fn.Wrt {
			vars = append(vars, c.args[inputIndex(fn, w.Name)])
			if w.Kind == spec.Symmetric || w.Kind == spec.SPD {
				packedGrads = append(packedGrads, c.helper("packedSymmetric").Call(jen.Id(grads[k])))
			} else {
				packedGrads = append(packedGrads, jen.Id(grads[k]))
			}
		}
		stmts := []jen.Code{
			jen.Id(problem).Op(":=").Id(name).Call(params...),
			jen.Id(size).Op(":=").Add(c.packedSize()),
			jen.Id(x).Op(":=").Add(c.helper("flat").Call(vars...)),
			c.compare(name+"'s Func", jen.Index().Float64().Values(jen.Id(problem).Dot("Func").Call(jen.Id(x))), jen.Index().Float64().Values(jen.Id(fName).Call())),
			jen.Id(grad).Op(":=").Make(jen.Index().Float64(), jen.Id(size)),
			jen.Id(problem).Dot("Grad").Call(jen.Id(grad), jen.Id(x)),
			c.compare(name+"'s Grad", jen.Id(grad), c.helper("flat").Call(packedGrads...)),
		}
		if fn.DenseHessian {
			hess, H := sc.fresh("hess"), sc.fresh("H")
			stmts = append(stmts,
				jen.Id(hess).Op(":=").Qual(matPath, "NewSymDense").Call(jen.Id(size), jen.Nil()),
				jen.Id(problem).Dot("Hess").Call(jen.Id(hess), jen.Id(x)),
				jen.Id(H).Op(":=").Qual(matPath, "NewDense").Call(jen.Id(size), jen.Id(size), jen.Nil()),
				jen.Id(roleName(fn.Spec.Name, roleHessian, 0)).Call(append(append([]jen.Code{}, c.args...), jen.Id(H))...),
				c.compare(name+"'s Hess", c.helper("flat").Call(jen.Id(hess)), c.helper("flat").Call(jen.Id(H))),
			)
		}
		return stmts
	})
}

// inputIndex returns the position of the input name among fn's inputs.
func inputIndex(fn *derive.Function, name string) int {
	for i, in := range fn.Inputs {
		if in.Name == name {
			return i
		}
	}
	panic("emit: no input " + name)
}

// jacobianCheck appends the check of FJacobian of a vector- or
// matrix-valued F: with random weights R of F's shape, the scalar
// ⟨R, F⟩ has derivative ⟨R, block (k, l) of J⟩ in entry (k, l) of each
// wrt input, compared with central finite differences of ⟨R, F⟩. It
// returns the names of the Jacobians, which stay in scope.
func (c *check) jacobianCheck() []string {
	fn, sc := c.fn, c.sc
	shape := fn.Value.Shape
	dst, weights, fName := sc.fresh("dst"), sc.fresh("weights"), sc.fresh("f")
	c.body = append(c.body, jen.Id(dst).Op(":=").Add(c.zeroValue()))
	if shape.IsCol() {
		c.body = append(c.body, jen.Id(weights).Op(":=").Add(c.helper("vector").Call(jen.Id(c.rng), c.dim(shape.Rows))))
	} else {
		c.body = append(c.body, jen.Id(weights).Op(":=").Add(c.helper("matrix").Call(jen.Id(c.rng), c.dim(shape.Rows), c.dim(shape.Cols), jen.False())))
	}
	js := make([]string, len(fn.Wrt))
	blocks := make([][2]jen.Code, len(fn.Wrt))
	for k, w := range fn.Wrt {
		js[k] = sc.fresh("J" + w.Name)
		p, q := jen.Code(jen.Lit(1)), jen.Code(jen.Lit(1))
		switch w.Kind {
		case spec.Vector:
			q = c.dim(w.Shape.Rows)
		case spec.Matrix:
			p, q = c.dim(w.Shape.Rows), c.dim(w.Shape.Cols)
		}
		blocks[k] = [2]jen.Code{p, q}
		c.body = append(c.body, jen.Id(js[k]).Op(":=").Qual(matPath, "NewDense").Call(
			jen.Add(p).Op("*").Add(c.dim(shape.Rows)), jen.Add(q).Op("*").Add(c.dim(shape.Cols)), jen.Nil()))
	}
	c.body = append(c.body,
		jen.Id(roleName(fn.Spec.Name, roleJacobian, 0)).Call(append(append([]jen.Code{}, c.args...), idList(js)...)...),
		jen.Id(fName).Op(":=").Func().Params().Float64().Block(
			jen.Id(fn.Spec.Name).Call(append(append([]jen.Code{}, c.args...), jen.Id(dst))...),
			jen.Return(c.helper("inner").Call(jen.Id(weights), jen.Id(dst))),
		),
	)
	for k, w := range fn.Wrt {
		var params jen.Code
		switch w.Kind {
		case spec.Scalar:
			params = c.helper("scalarParams").Call(jen.Id(w.Name), jen.Op("&").Id(w.Name).Index(jen.Lit(0)))
		case spec.Vector:
			params = c.helper("vectorParams").Call(jen.Id(w.Name), jen.Id(w.Name))
		default:
			params = c.helper("matrixParams").Call(jen.Id(w.Name), jen.Id(w.Name))
		}
		c.body = append(c.body, jen.Block(
			jen.List(jen.Id("ps"), jen.Id("_")).Op(":=").Add(params),
			jen.Id("want").Op(":=").Add(c.helper("jacobianWant").Call(jen.Id(js[k]), jen.Id(weights), blocks[k][0], blocks[k][1])),
			c.helper("check").Call(jen.Id(c.t), jen.Lit(w.Name), jen.Id(fName), jen.Id("ps"), jen.Id("want")),
		))
	}
	return js
}

// jvpCheck appends the check of FJVP: in random directions d it is the
// finite-difference derivative of F along d, and Σᵢ Jᵢ[dᵢ] of the
// Jacobians js.
func (c *check) jvpCheck(js []string) {
	fn := c.fn
	name := roleName(fn.Spec.Name, roleJVP, 0)
	c.block(name+" is the derivative of "+fn.Spec.Name+" in random directions d, and what "+roleName(fn.Spec.Name, roleJacobian, 0)+" gives for them.", func(sc *scope) []jen.Code {
		var stmts, dirs []jen.Code
		for _, w := range fn.Wrt {
			d := sc.fresh("d" + w.Name)
			stmts = append(stmts, jen.Id(d).Op(":=").Add(c.draw(w, true)))
			dirs = append(dirs, jen.Id(d))
		}
		jvp, want := sc.fresh("jvp"), sc.fresh("want")
		stmts = append(stmts,
			jen.Id(jvp).Op(":=").Add(c.zeroValue()),
			jen.Id(name).Call(append(append(append([]jen.Code{}, c.args...), dirs...), jen.Id(jvp))...),
		)
		shape := fn.Value.Shape
		stmts = append(stmts,
			c.compareSlope(name, c.helper("flat").Call(jen.Id(jvp)), sc, func(sc *scope, h string) ([]jen.Code, jen.Code) {
				return c.call(sc, fn.Spec.Name, c.moved(h, dirs))
			}),
			jen.Id(want).Op(":=").Qual(matPath, "NewDense").Call(c.dim(shape.Rows), c.dim(shape.Cols), jen.Nil()),
		)
		for k, w := range fn.Wrt {
			// The Jacobian's layout counts a vector as a row, a scalar as 1×1.
			var d jen.Code
			switch w.Kind {
			case spec.Scalar:
				d = jen.Qual(matPath, "NewDense").Call(jen.Lit(1), jen.Lit(1), jen.Index().Float64().Values(dirs[k]))
			case spec.Vector:
				d = jen.Add(dirs[k]).Dot("T").Call()
			default:
				d = dirs[k]
			}
			stmts = append(stmts, c.helper("jacobianTimes").Call(jen.Id(want), jen.Id(js[k]), d))
		}
		return append(stmts, c.compare(roleName(fn.Spec.Name, roleJacobian, 0)+" times the directions", c.helper("flat").Call(jen.Id(jvp)), c.helper("flat").Call(jen.Id(want))))
	})
}

// helperDeps lists the helpers each helper calls.
var helperDeps = map[string][]string{
	"vector":       {"uniform"},
	"matrix":       {"uniform"},
	"symmetric":    {"uniform", "matrix"},
	"jacobianWant": {"inner"},
	"check":        {"spread"},
	"compareSlope": {"spread"},
}

// helpers returns the declaration of the helper variable, whose fields
// are the helper functions the checks use and those they call, and the
// statements setting them. They are local to the test function, so several
// generated test files in one package do not collide.
//
// They are fields of one variable rather than local functions of their
// own: for each call of a local function the compiler searches the whole
// function declaring it for another assignment to it (to inline the call),
// and the test function holds every check, so a test of a few hundred
// functions took minutes to compile. A call through a field is not
// searched. TestGeneratedTestDeclaresNoLocalFunctions checks this.
func helpers(used map[string]bool) []jen.Code {
	need := map[string]bool{}
	for name := range used {
		need[name] = true
		for _, dep := range helperDeps[name] {
			need[dep] = true
		}
	}
	var fields, sets []jen.Code
	add := func(name, doc string, signature *jen.Statement, body ...jen.Code) {
		if need[name] {
			fields = append(fields, jen.Id(name).Func().Add(signature))
			sets = append(sets, commentLine(name+" "+doc), helperRef(name).Op("=").Func().Add(signature).Block(body...))
		}
	}
	rng := func() jen.Code { return jen.Id("rng").Op("*").Qual(randPath, "Rand") }
	uniform := helperRef("uniform").Call(jen.Id("rng"))
	add("uniform", "draws an entry from (0.1, 0.9).", jen.Params(rng()).Float64(),
		jen.Return(jen.Lit(0.1).Op("+").Lit(0.8).Op("*").Id("rng").Dot("Float64").Call()),
	)
	add("spread", "returns |a − b|, how far two finite-difference estimates of one derivative disagree, or 0 when that is not finite (a step left the function's domain or overflowed), so that it never widens a tolerance to everything.", jen.Params(jen.List(jen.Id("a"), jen.Id("b")).Float64()).Float64(),
		jen.If(jen.Id("d").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("a").Op("-").Id("b")), jen.Id("d").Op("<=").Qual(mathPath, "MaxFloat64")).Block(jen.Return(jen.Id("d"))),
		jen.Return(jen.Lit(0.0)),
	)
	abs := func(x jen.Code) *jen.Statement { return jen.Qual(mathPath, "Abs").Call(x) }
	add("smooth", "reports whether the entries of f(h) are finite at h = 0, ±s, ±2s and ±4s (s = 1e-4: as far as the checks' finite differences reach) and smooth there: at each step ks, the second difference f(−ks) − 2f(0) + f(ks) and the first difference's departure from k times the one at s, f(ks) − f(−ks) − k (f(s) − f(−s)), within a quarter of the first difference plus 1e-6 k² times the larger of 1 and f(0)'s largest magnitude. Beside a pole or a kink, or where f is rounding noise (the log-determinant of a singular matrix), it is not, or rarely.", jen.Params(jen.Id("f").Func().Params(jen.Id("h").Float64()).Index().Float64()).Bool(),
		jen.Const().Id("s").Op("=").Lit(1e-4),
		jen.Id("at").Op(":=").Index().Index().Float64().Values(
			jen.Id("f").Call(jen.Lit(-4).Op("*").Id("s")), jen.Id("f").Call(jen.Lit(-2).Op("*").Id("s")), jen.Id("f").Call(jen.Op("-").Id("s")), jen.Id("f").Call(jen.Lit(0)),
			jen.Id("f").Call(jen.Id("s")), jen.Id("f").Call(jen.Lit(2).Op("*").Id("s")), jen.Id("f").Call(jen.Lit(4).Op("*").Id("s"))),
		jen.Id("scale").Op(":=").Lit(1.0),
		jen.For(jen.List(jen.Id("_"), jen.Id("values")).Op(":=").Range().Id("at")).Block(
			jen.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Id("values")).Block(
				jen.If(jen.Op("!").Parens(abs(jen.Id("v")).Op("<=").Qual(mathPath, "MaxFloat64"))).Block(jen.Return(jen.False())),
			),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("v")).Op(":=").Range().Id("at").Index(jen.Lit(3))).Block(
			jen.Id("scale").Op("=").Qual(mathPath, "Max").Call(jen.Id("scale"), abs(jen.Id("v"))),
		),
		jen.For(jen.List(jen.Id("i"), jen.Id("v")).Op(":=").Range().Id("at").Index(jen.Lit(3))).Block(
			jen.Id("first").Op(":=").Id("at").Index(jen.Lit(4)).Index(jen.Id("i")).Op("-").Id("at").Index(jen.Lit(2)).Index(jen.Id("i")),
			jen.For(jen.List(jen.Id("j"), jen.Id("k")).Op(":=").Range().Index().Float64().Values(jen.Lit(1.0), jen.Lit(2.0), jen.Lit(4.0))).Block(
				jen.List(jen.Id("m"), jen.Id("p")).Op(":=").List(jen.Id("at").Index(jen.Lit(2).Op("-").Id("j")).Index(jen.Id("i")), jen.Id("at").Index(jen.Lit(4).Op("+").Id("j")).Index(jen.Id("i"))),
				jen.Id("allow").Op(":=").Lit(0.25).Op("*").Add(abs(jen.Id("p").Op("-").Id("m"))).Op("+").Lit(1e-6).Op("*").Id("k").Op("*").Id("k").Op("*").Id("scale"),
				jen.If(abs(jen.Id("m").Op("-").Lit(2).Op("*").Id("v").Op("+").Id("p")).Op(">").Id("allow").Op("||").Add(abs(jen.Id("p").Op("-").Id("m").Op("-").Id("k").Op("*").Id("first"))).Op(">").Id("allow")).Block(
					jen.Return(jen.False()),
				),
			),
		),
		jen.Return(jen.True()),
	)
	add("vector", "draws a vector of length n.", jen.Params(rng(), jen.Id("n").Int()).Op("*").Qual(matPath, "VecDense"),
		jen.Id("v").Op(":=").Qual(matPath, "NewVecDense").Call(jen.Id("n"), jen.Nil()),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("n"), jen.Id("i").Op("++")).Block(
			jen.Id("v").Dot("SetVec").Call(jen.Id("i"), uniform),
		),
		jen.Return(jen.Id("v")),
	)
	add("matrix", "draws an r×c matrix; a square one gets r added to its diagonal.", jen.Params(rng(), jen.List(jen.Id("r"), jen.Id("c")).Int(), jen.Id("square").Bool()).Op("*").Qual(matPath, "Dense"),
		jen.Id("m").Op(":=").Qual(matPath, "NewDense").Call(jen.Id("r"), jen.Id("c"), jen.Nil()),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("r"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Lit(0), jen.Id("j").Op("<").Id("c"), jen.Id("j").Op("++")).Block(
				jen.Id("m").Dot("Set").Call(jen.Id("i"), jen.Id("j"), uniform),
			),
			jen.If(jen.Id("square")).Block(
				jen.Id("m").Dot("Set").Call(jen.Id("i"), jen.Id("i"), jen.Id("m").Dot("At").Call(jen.Id("i"), jen.Id("i")).Op("+").Float64().Call(jen.Id("r"))),
			),
		),
		jen.Return(jen.Id("m")),
	)
	add("symmetric", "draws an n×n symmetric matrix, positive definite (B Bᵀ + n I) when spd is set.", jen.Params(rng(), jen.Id("n").Int(), jen.Id("spd").Bool()).Op("*").Qual(matPath, "SymDense"),
		jen.Id("s").Op(":=").Qual(matPath, "NewSymDense").Call(jen.Id("n"), jen.Nil()),
		jen.If(jen.Id("spd")).Block(
			jen.Id("s").Dot("SymOuterK").Call(jen.Lit(1), helperRef("matrix").Call(jen.Id("rng"), jen.Id("n"), jen.Id("n"), jen.False())),
		),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("n"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Id("i"), jen.Id("j").Op("<").Id("n"), jen.Id("j").Op("++")).Block(
				jen.If(jen.Op("!").Id("spd")).Block(
					jen.Id("s").Dot("SetSym").Call(jen.Id("i"), jen.Id("j"), jen.Lit(2).Op("*").Add(uniform).Op("-").Lit(1)),
				),
			),
			jen.If(jen.Id("spd")).Block(
				jen.Id("s").Dot("SetSym").Call(jen.Id("i"), jen.Id("i"), jen.Id("s").Dot("At").Call(jen.Id("i"), jen.Id("i")).Op("+").Float64().Call(jen.Id("n"))),
			),
		),
		jen.Return(jen.Id("s")),
	)
	params := func() jen.Code {
		return jen.List(jen.Index().Op("*").Float64(), jen.Index().Float64())
	}
	add("scalarParams", "returns the scalar held in x[0] and its derivative.", jen.Params(jen.Id("x").Index().Float64(), jen.Id("g").Op("*").Float64()).Parens(params()),
		jen.Return(jen.Index().Op("*").Float64().Values(jen.Op("&").Id("x").Index(jen.Lit(0))), jen.Index().Float64().Values(jen.Op("*").Id("g"))),
	)
	add("vectorParams", "returns pointers to the entries of x and the derivatives g claims for them.", jen.Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "VecDense")).Parens(params()),
		jen.Var().Id("ps").Index().Op("*").Float64(),
		jen.Var().Id("want").Index().Float64(),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("x").Dot("Len").Call(), jen.Id("i").Op("++")).Block(
			jen.Id("ps").Op("=").Append(jen.Id("ps"), jen.Op("&").Id("x").Dot("RawVector").Call().Dot("Data").Index(jen.Id("i").Op("*").Id("x").Dot("RawVector").Call().Dot("Inc"))),
			jen.Id("want").Op("=").Append(jen.Id("want"), jen.Id("g").Dot("AtVec").Call(jen.Id("i"))),
		),
		jen.Return(jen.Id("ps"), jen.Id("want")),
	)
	add("matrixParams", "returns pointers to the entries of x and the derivatives g claims for them.", jen.Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "Dense")).Parens(params()),
		jen.Var().Id("ps").Index().Op("*").Float64(),
		jen.Var().Id("want").Index().Float64(),
		jen.Id("raw").Op(":=").Id("x").Dot("RawMatrix").Call(),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("raw").Dot("Rows"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Lit(0), jen.Id("j").Op("<").Id("raw").Dot("Cols"), jen.Id("j").Op("++")).Block(
				jen.Id("ps").Op("=").Append(jen.Id("ps"), jen.Op("&").Id("raw").Dot("Data").Index(jen.Id("i").Op("*").Id("raw").Dot("Stride").Op("+").Id("j"))),
				jen.Id("want").Op("=").Append(jen.Id("want"), jen.Id("g").Dot("At").Call(jen.Id("i"), jen.Id("j"))),
			),
		),
		jen.Return(jen.Id("ps"), jen.Id("want")),
	)
	add("symmetricParams", "returns pointers to the stored upper triangle of x and the derivatives g claims for them: moving an off-diagonal stored entry moves two entries of the matrix, so its derivative is twice the symmetric gradient's entry.", jen.Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "SymDense")).Parens(params()),
		jen.Var().Id("ps").Index().Op("*").Float64(),
		jen.Var().Id("want").Index().Float64(),
		jen.Id("raw").Op(":=").Id("x").Dot("RawSymmetric").Call(),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("raw").Dot("N"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Id("i"), jen.Id("j").Op("<").Id("raw").Dot("N"), jen.Id("j").Op("++")).Block(
				jen.Id("d").Op(":=").Id("g").Dot("At").Call(jen.Id("i"), jen.Id("j")),
				jen.If(jen.Id("i").Op("!=").Id("j")).Block(jen.Id("d").Op("*=").Lit(2)),
				jen.Id("ps").Op("=").Append(jen.Id("ps"), jen.Op("&").Id("raw").Dot("Data").Index(jen.Id("i").Op("*").Id("raw").Dot("Stride").Op("+").Id("j"))),
				jen.Id("want").Op("=").Append(jen.Id("want"), jen.Id("d")),
			),
		),
		jen.Return(jen.Id("ps"), jen.Id("want")),
	)
	add("inner", "returns Σᵢⱼ aᵢⱼ bᵢⱼ.", jen.Params(jen.List(jen.Id("a"), jen.Id("b")).Qual(matPath, "Matrix")).Float64(),
		jen.List(jen.Id("r"), jen.Id("c")).Op(":=").Id("a").Dot("Dims").Call(),
		jen.Id("s").Op(":=").Lit(0.0),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("r"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Lit(0), jen.Id("j").Op("<").Id("c"), jen.Id("j").Op("++")).Block(
				jen.Id("s").Op("+=").Id("a").Dot("At").Call(jen.Id("i"), jen.Id("j")).Op("*").Id("b").Dot("At").Call(jen.Id("i"), jen.Id("j")),
			),
		),
		jen.Return(jen.Id("s")),
	)
	add("jacobianWant", "returns, for each entry (k, l) of a p×q input in row-major order, ⟨weights, block (k, l) of J⟩: the derivative of ⟨weights, F⟩ the Jacobian J claims.", jen.Params(
		jen.Id("J").Op("*").Qual(matPath, "Dense"), jen.Id("weights").Qual(matPath, "Matrix"), jen.List(jen.Id("p"), jen.Id("q")).Int(),
	).Index().Float64(),
		jen.List(jen.Id("m"), jen.Id("n")).Op(":=").Id("weights").Dot("Dims").Call(),
		jen.Var().Id("want").Index().Float64(),
		jen.For(jen.Id("k").Op(":=").Lit(0), jen.Id("k").Op("<").Id("p"), jen.Id("k").Op("++")).Block(
			jen.For(jen.Id("l").Op(":=").Lit(0), jen.Id("l").Op("<").Id("q"), jen.Id("l").Op("++")).Block(
				jen.Id("block").Op(":=").Id("J").Dot("Slice").Call(jen.Id("k").Op("*").Id("m"), jen.Id("k").Op("*").Id("m").Op("+").Id("m"), jen.Id("l").Op("*").Id("n"), jen.Id("l").Op("*").Id("n").Op("+").Id("n")),
				jen.Id("want").Op("=").Append(jen.Id("want"), helperRef("inner").Call(jen.Id("weights"), jen.Id("block"))),
			),
		),
		jen.Return(jen.Id("want")),
	)
	add("check", "compares each claimed derivative with a central finite difference of f in that parameter, allowing 1e-5 times the larger of 1 and the difference plus the difference's own error: its change when the step doubles (truncation: 3 times the error at the step) and 8ε|f| over the step (rounding: beside a large value the difference resolves no smaller derivative). An entry whose difference takes an infinite value (an overflow) has nothing to be compared with and is skipped; a NaN fails.", jen.Params(
		jen.Id("t").Op("*").Qual(testingPath, "T"), jen.Id("name").String(), jen.Id("f").Func().Params().Float64(),
		jen.Id("ps").Index().Op("*").Float64(), jen.Id("want").Index().Float64(),
	),
		jen.Id("t").Dot("Helper").Call(),
		jen.Id("step").Op(":=").Qual(fdPath, "Central").Dot("Step"),
		jen.Id("rounding").Op(":=").Lit(8).Op("*").Lit(0x1p-52).Op("/").Id("step").Op("*").Qual(mathPath, "Abs").Call(jen.Id("f").Call()),
		jen.If(jen.Op("!").Parens(jen.Id("rounding").Op("<=").Qual(mathPath, "MaxFloat64"))).Block(
			jen.Id("rounding").Op("=").Lit(0.0).Comment("f is not finite at the point: no allowance"),
		),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("x0").Op(":=").Op("*").Id("p"),
			jen.Id("overflow").Op(":=").False(),
			jen.Id("at").Op(":=").Func().Params(jen.Id("x").Float64()).Float64().Block(
				jen.Op("*").Id("p").Op("=").Id("x"),
				jen.Defer().Func().Params().Block(jen.Op("*").Id("p").Op("=").Id("x0")).Call(),
				jen.Id("v").Op(":=").Id("f").Call(),
				jen.Id("overflow").Op("=").Id("overflow").Op("||").Qual(mathPath, "IsInf").Call(jen.Id("v"), jen.Lit(0)),
				jen.Return(jen.Id("v")),
			),
			jen.Id("got").Op(":=").Qual(fdPath, "Derivative").Call(jen.Id("at"), jen.Id("x0"), jen.Op("&").Qual(fdPath, "Settings").Values(jen.Dict{jen.Id("Formula"): jen.Qual(fdPath, "Central")})),
			jen.If(jen.Id("overflow")).Block(
				jen.Continue().Comment("a value overflowed: no difference to compare with"),
			),
			jen.Id("coarse").Op(":=").Qual(fdPath, "Derivative").Call(jen.Id("at"), jen.Id("x0"), jen.Op("&").Qual(fdPath, "Settings").Values(jen.Dict{jen.Id("Formula"): jen.Qual(fdPath, "Central"), jen.Id("Step"): jen.Lit(2).Op("*").Id("step")})),
			jen.If(jen.Id("diff").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("got").Op("-").Id("want").Index(jen.Id("i"))),
				jen.Op("!").Parens(jen.Id("diff").Op("<=").Lit(1e-5).Op("*").Qual(mathPath, "Max").Call(jen.Lit(1), jen.Qual(mathPath, "Abs").Call(jen.Id("got"))).Op("+").Add(helperRef("spread")).Call(jen.Id("got"), jen.Id("coarse")).Op("+").Id("rounding"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("∂f/∂%s entry %d: gradient %v, finite differences %v"), jen.Id("name"), jen.Id("i"), jen.Id("want").Index(jen.Id("i")), jen.Id("got")),
			),
		),
	)
	add("movedVector", "returns x + h d.", jen.Params(jen.List(jen.Id("x"), jen.Id("d")).Op("*").Qual(matPath, "VecDense"), jen.Id("h").Float64()).Op("*").Qual(matPath, "VecDense"),
		jen.Id("y").Op(":=").Qual(matPath, "NewVecDense").Call(jen.Id("x").Dot("Len").Call(), jen.Nil()),
		jen.Id("y").Dot("AddScaledVec").Call(jen.Id("x"), jen.Id("h"), jen.Id("d")),
		jen.Return(jen.Id("y")),
	)
	add("movedMatrix", "returns x + h d.", jen.Params(jen.List(jen.Id("x"), jen.Id("d")).Op("*").Qual(matPath, "Dense"), jen.Id("h").Float64()).Op("*").Qual(matPath, "Dense"),
		jen.Id("y").Op(":=").Qual(matPath, "DenseCopyOf").Call(jen.Id("d")),
		jen.Id("y").Dot("Scale").Call(jen.Id("h"), jen.Id("y")),
		jen.Id("y").Dot("Add").Call(jen.Id("x"), jen.Id("y")),
		jen.Return(jen.Id("y")),
	)
	add("movedSymmetric", "returns x + h d; it stays positive definite for an spd x when |h| ‖d‖ is below x's smallest eigenvalue (at least n here).", jen.Params(jen.List(jen.Id("x"), jen.Id("d")).Op("*").Qual(matPath, "SymDense"), jen.Id("h").Float64()).Op("*").Qual(matPath, "SymDense"),
		jen.Id("n").Op(":=").Id("x").Dot("SymmetricDim").Call(),
		jen.Id("y").Op(":=").Qual(matPath, "NewSymDense").Call(jen.Id("n"), jen.Nil()),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("n"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Id("i"), jen.Id("j").Op("<").Id("n"), jen.Id("j").Op("++")).Block(
				jen.Id("y").Dot("SetSym").Call(jen.Id("i"), jen.Id("j"), jen.Id("x").Dot("At").Call(jen.Id("i"), jen.Id("j")).Op("+").Id("h").Op("*").Id("d").Dot("At").Call(jen.Id("i"), jen.Id("j"))),
			),
		),
		jen.Return(jen.Id("y")),
	)
	add("flat", "lists the entries of its arguments (float64, *float64 or mat.Matrix) in order, matrices row-major: how FProblem packs variables and FHessian orders them.", jen.Params(jen.Id("parts").Op("...").Any()).Index().Float64(),
		jen.Var().Id("entries").Index().Float64(),
		jen.For(jen.List(jen.Id("_"), jen.Id("part")).Op(":=").Range().Id("parts")).Block(
			jen.Switch(jen.Id("part").Op(":=").Id("part").Assert(jen.Type())).Block(
				jen.Case(jen.Float64()).Block(jen.Id("entries").Op("=").Append(jen.Id("entries"), jen.Id("part"))),
				jen.Case(jen.Op("*").Float64()).Block(jen.Id("entries").Op("=").Append(jen.Id("entries"), jen.Op("*").Id("part"))),
				jen.Case(jen.Qual(matPath, "Matrix")).Block(
					jen.List(jen.Id("r"), jen.Id("c")).Op(":=").Id("part").Dot("Dims").Call(),
					jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("r"), jen.Id("i").Op("++")).Block(
						jen.For(jen.Id("j").Op(":=").Lit(0), jen.Id("j").Op("<").Id("c"), jen.Id("j").Op("++")).Block(
							jen.Id("entries").Op("=").Append(jen.Id("entries"), jen.Id("part").Dot("At").Call(jen.Id("i"), jen.Id("j"))),
						),
					),
				),
				jen.Default().Block(jen.Panic(jen.Lit("gradgen.flat: not a float64, *float64 or mat.Matrix"))),
			),
		),
		jen.Return(jen.Id("entries")),
	)
	add("packedSymmetric", "returns the derivative with respect to the stored entries of a symmetric variable whose symmetric gradient is g, as FProblem's Grad reports it: 2 gᵢⱼ above the diagonal, gᵢᵢ on it, 0 below.", jen.Params(jen.Id("g").Op("*").Qual(matPath, "SymDense")).Op("*").Qual(matPath, "Dense"),
		jen.Id("n").Op(":=").Id("g").Dot("SymmetricDim").Call(),
		jen.Id("p").Op(":=").Qual(matPath, "NewDense").Call(jen.Id("n"), jen.Id("n"), jen.Nil()),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("n"), jen.Id("i").Op("++")).Block(
			jen.Id("p").Dot("Set").Call(jen.Id("i"), jen.Id("i"), jen.Id("g").Dot("At").Call(jen.Id("i"), jen.Id("i"))),
			jen.For(jen.Id("j").Op(":=").Id("i").Op("+").Lit(1), jen.Id("j").Op("<").Id("n"), jen.Id("j").Op("++")).Block(
				jen.Id("p").Dot("Set").Call(jen.Id("i"), jen.Id("j"), jen.Lit(2).Op("*").Id("g").Dot("At").Call(jen.Id("i"), jen.Id("j"))),
			),
		),
		jen.Return(jen.Id("p")),
	)
	add("jacobianTimes", "adds to sum (F's shape, m×n) Σₖₗ dₖₗ · block (k, l) of J: the change of F in the direction d (a p×q matrix in the Jacobian's layout) that J claims.", jen.Params(jen.List(jen.Id("sum"), jen.Id("J")).Op("*").Qual(matPath, "Dense"), jen.Id("d").Qual(matPath, "Matrix")),
		jen.List(jen.Id("m"), jen.Id("n")).Op(":=").Id("sum").Dot("Dims").Call(),
		jen.List(jen.Id("p"), jen.Id("q")).Op(":=").Id("d").Dot("Dims").Call(),
		jen.For(jen.Id("k").Op(":=").Lit(0), jen.Id("k").Op("<").Id("p"), jen.Id("k").Op("++")).Block(
			jen.For(jen.Id("l").Op(":=").Lit(0), jen.Id("l").Op("<").Id("q"), jen.Id("l").Op("++")).Block(
				jen.Var().Id("term").Qual(matPath, "Dense"),
				jen.Id("term").Dot("Scale").Call(jen.Id("d").Dot("At").Call(jen.Id("k"), jen.Id("l")), jen.Id("J").Dot("Slice").Call(jen.Id("k").Op("*").Id("m"), jen.Id("k").Op("*").Id("m").Op("+").Id("m"), jen.Id("l").Op("*").Id("n"), jen.Id("l").Op("*").Id("n").Op("+").Id("n"))),
				jen.Id("sum").Dot("Add").Call(jen.Id("sum"), jen.Op("&").Id("term")),
			),
		),
	)
	add("compareSlope", "reports each entry of got that differs from the derivative at 0 of the same entry of f(h), by the fourth-order central difference (f(−2s) − 8 f(−s) + 8 f(s) − f(2s)) / 12s with s = 1e-4, by more than 1e-6 times the larger of 1 and the finite derivatives' largest magnitude plus the difference's own error: its change when s doubles (truncation: 15 times the error at s; a kink of abs or relu within reach) and 8ε Σ|f|/12s (rounding: beside large values the difference resolves no smaller derivative). Where finite differences cannot resolve an entry, as beside a pole or at values whose rounding exceeds it, the entry passes instead of failing; a wrong derivative, which both steps disagree with alike, still fails. An entry whose difference takes an infinite value (an overflow) has nothing to be compared with and is skipped; a NaN fails.", jen.Params(
		jen.Id("t").Op("*").Qual(testingPath, "T"), jen.Id("what").String(), jen.Id("got").Index().Float64(), jen.Id("f").Func().Params(jen.Id("h").Float64()).Index().Float64(),
	),
		jen.Id("t").Dot("Helper").Call(),
		jen.Const().Id("s").Op("=").Lit(1e-4),
		jen.Const().Id("roundoff").Op("=").Lit(8).Op("*").Lit(0x1p-52).Op("/").Parens(jen.Lit(12).Op("*").Id("s")),
		jen.List(jen.Id("m4"), jen.Id("m2"), jen.Id("m1"), jen.Id("p1"), jen.Id("p2"), jen.Id("p4")).Op(":=").List(
			jen.Id("f").Call(jen.Lit(-4).Op("*").Id("s")), jen.Id("f").Call(jen.Lit(-2).Op("*").Id("s")), jen.Id("f").Call(jen.Op("-").Id("s")),
			jen.Id("f").Call(jen.Id("s")), jen.Id("f").Call(jen.Lit(2).Op("*").Id("s")), jen.Id("f").Call(jen.Lit(4).Op("*").Id("s"))),
		jen.If(jen.Len(jen.Id("got")).Op("!=").Len(jen.Id("m1"))).Block(
			jen.Id("t").Dot("Errorf").Call(jen.Lit("%s: %d entries, want %d"), jen.Id("what"), jen.Len(jen.Id("got")), jen.Len(jen.Id("m1"))),
			jen.Return(),
		),
		jen.Id("want").Op(":=").Make(jen.Index().Float64(), jen.Len(jen.Id("m1"))),
		jen.Id("scale").Op(":=").Lit(1.0),
		jen.For(jen.Id("i").Op(":=").Range().Id("want")).Block(
			jen.Id("want").Index(jen.Id("i")).Op("=").Parens(jen.Id("m2").Index(jen.Id("i")).Op("-").Lit(8).Op("*").Id("m1").Index(jen.Id("i")).Op("+").Lit(8).Op("*").Id("p1").Index(jen.Id("i")).Op("-").Id("p2").Index(jen.Id("i"))).Op("/").Parens(jen.Lit(12).Op("*").Id("s")),
			jen.If(jen.Id("w").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("want").Index(jen.Id("i"))), jen.Id("w").Op("<=").Qual(mathPath, "MaxFloat64")).Block(
				jen.Id("scale").Op("=").Qual(mathPath, "Max").Call(jen.Id("scale"), jen.Id("w")),
			),
		),
		jen.For(jen.Id("i").Op(":=").Range().Id("got")).Block(
			jen.If(jen.Qual(mathPath, "IsInf").Call(jen.Id("m2").Index(jen.Id("i")), jen.Lit(0)).Op("||").Qual(mathPath, "IsInf").Call(jen.Id("m1").Index(jen.Id("i")), jen.Lit(0)).
				Op("||").Qual(mathPath, "IsInf").Call(jen.Id("p1").Index(jen.Id("i")), jen.Lit(0)).Op("||").Qual(mathPath, "IsInf").Call(jen.Id("p2").Index(jen.Id("i")), jen.Lit(0))).Block(
				jen.Continue().Comment("a value overflowed: no difference to compare with"),
			),
			jen.Id("coarse").Op(":=").Parens(jen.Id("m4").Index(jen.Id("i")).Op("-").Lit(8).Op("*").Id("m2").Index(jen.Id("i")).Op("+").Lit(8).Op("*").Id("p2").Index(jen.Id("i")).Op("-").Id("p4").Index(jen.Id("i"))).Op("/").Parens(jen.Lit(24).Op("*").Id("s")),
			jen.Id("rounding").Op(":=").Id("roundoff").Op("*").Qual(mathPath, "Abs").Call(jen.Id("m2").Index(jen.Id("i"))).
				Op("+").Lit(8).Op("*").Id("roundoff").Op("*").Qual(mathPath, "Abs").Call(jen.Id("m1").Index(jen.Id("i"))).
				Op("+").Lit(8).Op("*").Id("roundoff").Op("*").Qual(mathPath, "Abs").Call(jen.Id("p1").Index(jen.Id("i"))).
				Op("+").Id("roundoff").Op("*").Qual(mathPath, "Abs").Call(jen.Id("p2").Index(jen.Id("i"))),
			jen.If(jen.Id("diff").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("got").Index(jen.Id("i")).Op("-").Id("want").Index(jen.Id("i"))),
				jen.Op("!").Parens(jen.Id("diff").Op("<=").Lit(1e-6).Op("*").Id("scale").Op("+").Add(helperRef("spread")).Call(jen.Id("want").Index(jen.Id("i")), jen.Id("coarse")).Op("+").Id("rounding"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s entry %d: %v, want %v"), jen.Id("what"), jen.Id("i"), jen.Id("got").Index(jen.Id("i")), jen.Id("want").Index(jen.Id("i"))),
			),
		),
	)
	add("compare", "reports each entry of got that differs from want by more than 1e-6 times the larger of 1 and want's largest finite magnitude, or is not finite.", jen.Params(
		jen.Id("t").Op("*").Qual(testingPath, "T"), jen.Id("what").String(), jen.List(jen.Id("got"), jen.Id("want")).Index().Float64(),
	),
		jen.Id("t").Dot("Helper").Call(),
		jen.If(jen.Len(jen.Id("got")).Op("!=").Len(jen.Id("want"))).Block(
			jen.Id("t").Dot("Errorf").Call(jen.Lit("%s: %d entries, want %d"), jen.Id("what"), jen.Len(jen.Id("got")), jen.Len(jen.Id("want"))),
			jen.Return(),
		),
		jen.Id("scale").Op(":=").Lit(1.0),
		jen.For(jen.List(jen.Id("_"), jen.Id("w")).Op(":=").Range().Id("want")).Block(
			jen.If(jen.Id("w").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("w")), jen.Id("w").Op("<=").Qual(mathPath, "MaxFloat64")).Block(
				jen.Id("scale").Op("=").Qual(mathPath, "Max").Call(jen.Id("scale"), jen.Id("w")),
			),
		),
		jen.For(jen.Id("i").Op(":=").Range().Id("got")).Block(
			jen.List(jen.Id("g"), jen.Id("w")).Op(":=").List(jen.Id("got").Index(jen.Id("i")), jen.Id("want").Index(jen.Id("i"))),
			jen.If(jen.Id("diff").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("g").Op("-").Id("w")),
				jen.Op("!").Parens(jen.Id("diff").Op("<=").Lit(1e-6).Op("*").Id("scale"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("%s entry %d: %v, want %v"), jen.Id("what"), jen.Id("i"), jen.Id("g"), jen.Id("w")),
			),
		),
	)
	if len(fields) == 0 {
		return nil
	}
	return append([]jen.Code{
		commentLine(helperVar + " holds the helpers the checks call."),
		jen.Var().Id(helperVar).Struct(fields...),
	}, sets...)
}

// TestName returns the name of the test function for a generated file,
// made from the file's base name without .go, which no two files of one
// package share, so that the tests of several generated files in one
// package never collide. A base name of lowercase words joined by single
// underscores, each word a lowercase ASCII letter then lowercase letters
// and digits (Go's usual file naming), gives TestGradgen and the words in
// camel case: TestGradgenLossGrad for loss_grad.go. Any other base name
// gives TestGradgen, an underscore, then the name with each underscore
// doubled and each character that is neither a letter nor a digit spelled
// as its code point in hexadecimal between underscores (a byte that is not
// UTF-8 as x and its two hexadecimal digits between underscores):
// TestGradgen_my_20_grad for "my grad.go", TestGradgen_s_2d_grad for
// s-grad.go. The first form starts with a capital after TestGradgen, the
// second with an underscore, and each reads back to one base name only.
func TestName(path string) string {
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	base = strings.TrimSuffix(base, ".go")
	if canonicalFileName.MatchString(base) {
		var b strings.Builder
		b.WriteString("TestGradgen")
		for _, word := range strings.Split(base, "_") {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString("TestGradgen_")
	for off := 0; off < len(base); {
		r, size := utf8.DecodeRuneInString(base[off:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "_x%02x_", base[off])
		case r == '_':
			b.WriteString("__")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "_%x_", r)
		}
		off += size
	}
	return b.String()
}

// canonicalFileName matches the base names TestName spells in camel case.
var canonicalFileName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z][a-z0-9]*)*$`)
