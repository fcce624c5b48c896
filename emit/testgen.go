package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/gradgen/gradgen/derive"
	"github.com/gradgen/gradgen/spec"
)

const (
	fdPath      = "gonum.org/v1/gonum/diff/fd"
	randPath    = "math/rand/v2"
	testingPath = "testing"
)

// TestOptions control the generated test file.
type TestOptions struct {
	Package string // package clause
	Name    string // the test function's name, e.g. TestGradgenLossGrad
	Source  string // the generated file the test checks, for its doc comment
}

// GenerateTest returns a _test.go file that checks every gradient of funcs,
// and every Jacobian of a vector- or matrix-valued function, against
// central finite differences (gonum/diff/fd) at random points and shapes, so the users of vendored generated code can verify it in CI.
// Sizes are drawn from 1 to 4; entries from (0.1, 0.9); square matrices get
// n added to the diagonal and spd inputs are B Bᵀ + n I, so that inverses,
// logarithms and square roots stay well defined and well conditioned.
func GenerateTest(funcs []*derive.Function, opts TestOptions) ([]byte, error) {
	f := jen.NewFile(opts.Package)
	f.HeaderComment(Header)
	aliasImports(f, funcs)
	f.ImportName(fdPath, "fd")
	f.ImportName(randPath, "rand")
	f.ImportName(testingPath, "testing")

	var cases []jen.Code
	for _, fn := range funcs {
		cases = append(cases, jen.Values(jen.Lit(fn.Spec.Name), testCase(fn)))
	}
	comment(f, fmt.Sprintf("%s checks every gradient generated in %s against central finite differences at random points and shapes.", opts.Name, opts.Source))
	t, rng := jen.Id("t"), jen.Id("rng")
	f.Func().Id(opts.Name).Params(t.Clone().Op("*").Qual(testingPath, "T")).Block(append(helpers(neededHelpers(funcs)),
		jen.Id("tests").Op(":=").Index().Struct(
			jen.Id("name").String(),
			jen.Id("check").Func().Params(jen.Op("*").Qual(testingPath, "T"), jen.Op("*").Qual(randPath, "Rand")),
		).Values(cases...),
		jen.For(jen.List(jen.Id("_"), jen.Id("tt")).Op(":=").Range().Id("tests")).Block(
			jen.Id("t").Dot("Run").Call(jen.Id("tt").Dot("name"), jen.Func().Params(jen.Id("t").Op("*").Qual(testingPath, "T")).Block(
				rng.Clone().Op(":=").Qual(randPath, "New").Call(jen.Qual(randPath, "NewPCG").Call(jen.Lit(1), jen.Lit(2))),
				jen.For(jen.Id("trial").Op(":=").Lit(0), jen.Id("trial").Op("<").Lit(5), jen.Id("trial").Op("++")).Block(
					jen.Id("tt").Dot("check").Call(jen.Id("t"), rng),
				),
			)),
		))...,
	)
	return render(f, "the test")
}

// neededHelpers returns the helper closures the checks of funcs call.
func neededHelpers(funcs []*derive.Function) map[string]bool {
	need := map[string]bool{"gradgenUniform": true, "gradgenCheck": true}
	for _, fn := range funcs {
		for _, in := range fn.Inputs {
			switch in.Kind {
			case spec.Vector:
				need["gradgenVector"] = true
			case spec.Matrix:
				need["gradgenMatrix"] = true
			case spec.Symmetric, spec.SPD:
				need["gradgenSymmetric"], need["gradgenMatrix"] = true, true
			}
		}
		if !fn.Value.Shape.IsScalar() {
			need["gradgenInner"], need["gradgenJacobianWant"] = true, true
			if fn.Value.Shape.IsCol() {
				need["gradgenVector"] = true
			} else {
				need["gradgenMatrix"] = true
			}
		}
		for _, w := range fn.Wrt {
			need[map[spec.TypeKind]string{spec.Scalar: "gradgenScalarParams", spec.Vector: "gradgenVectorParams",
				spec.Matrix: "gradgenMatrixParams", spec.Symmetric: "gradgenSymmetricParams", spec.SPD: "gradgenSymmetricParams"}[w.Kind]] = true
		}
	}
	return need
}

// testCase returns the check of one function: draw sizes and inputs, call
// FGrad, and compare each gradient entry with finite differences of F.
func testCase(fn *derive.Function) jen.Code {
	sc := newScope()
	for _, in := range fn.Inputs {
		sc.reserve(in.Name)
	}
	for _, d := range fn.Dims {
		sc.reserve(d.Name)
	}
	for _, name := range []string{"mat", "fd", "rand", "testing", "math"} {
		sc.reserve(name)
	}
	tName, rngName, fName := sc.fresh("t"), sc.fresh("rng"), sc.fresh("f")
	var body []jen.Code
	for _, d := range fn.Dims {
		body = append(body, jen.Id(d.Name).Op(":=").Lit(1).Op("+").Id("rng").Dot("IntN").Call(jen.Lit(4)))
	}
	dim := func(d derive.Dim) jen.Code {
		if d.Name == "" {
			return jen.Lit(d.Size)
		}
		return jen.Id(d.Name)
	}
	// Scalars live in one-element slices so the check can perturb them.
	var args []jen.Code
	for _, in := range fn.Inputs {
		switch in.Kind {
		case spec.Scalar:
			body = append(body, jen.Id(in.Name).Op(":=").Index().Float64().Values(jen.Id("gradgenUniform").Call(jen.Id(rngName))))
			args = append(args, jen.Id(in.Name).Index(jen.Lit(0)))
			continue
		case spec.Vector:
			body = append(body, jen.Id(in.Name).Op(":=").Id("gradgenVector").Call(jen.Id(rngName), dim(in.Shape.Rows)))
		case spec.Matrix:
			square := in.Shape.Rows == in.Shape.Cols
			body = append(body, jen.Id(in.Name).Op(":=").Id("gradgenMatrix").Call(jen.Id(rngName), dim(in.Shape.Rows), dim(in.Shape.Cols), jen.Lit(square)))
		default:
			body = append(body, jen.Id(in.Name).Op(":=").Id("gradgenSymmetric").Call(jen.Id(rngName), dim(in.Shape.Rows), jen.Lit(in.Kind == spec.SPD)))
		}
		args = append(args, jen.Id(in.Name))
	}
	if !fn.Value.Shape.IsScalar() {
		body = append(body, jacobianCheck(fn, sc, dim, args, tName, rngName, fName)...)
		return jen.Func().Params(jen.Id(tName).Op("*").Qual(testingPath, "T"), jen.Id(rngName).Op("*").Qual(randPath, "Rand")).Block(body...)
	}
	grads := make([]string, len(fn.Wrt))
	var gradArgs []jen.Code
	for k, w := range fn.Wrt {
		grads[k] = sc.fresh("d" + w.Name)
		switch w.Kind {
		case spec.Scalar:
			body = append(body, jen.Id(grads[k]).Op(":=").New(jen.Float64()))
		case spec.Vector:
			body = append(body, jen.Id(grads[k]).Op(":=").Qual(matPath, "NewVecDense").Call(dim(w.Shape.Rows), jen.Nil()))
		case spec.Matrix:
			body = append(body, jen.Id(grads[k]).Op(":=").Qual(matPath, "NewDense").Call(dim(w.Shape.Rows), dim(w.Shape.Cols), jen.Nil()))
		default:
			body = append(body, jen.Id(grads[k]).Op(":=").Qual(matPath, "NewSymDense").Call(dim(w.Shape.Rows), jen.Nil()))
		}
		gradArgs = append(gradArgs, jen.Id(grads[k]))
	}
	body = append(body,
		jen.Id(gradName(fn.Spec.Name)).Call(append(append([]jen.Code{}, args...), gradArgs...)...),
		jen.Id(fName).Op(":=").Func().Params().Float64().Block(jen.Return(jen.Id(fn.Spec.Name).Call(args...))),
	)
	for k, w := range fn.Wrt {
		var params jen.Code
		switch w.Kind {
		case spec.Scalar:
			params = jen.Id("gradgenScalarParams").Call(jen.Id(w.Name), jen.Id(grads[k]))
		case spec.Vector:
			params = jen.Id("gradgenVectorParams").Call(jen.Id(w.Name), jen.Id(grads[k]))
		case spec.Matrix:
			params = jen.Id("gradgenMatrixParams").Call(jen.Id(w.Name), jen.Id(grads[k]))
		default:
			params = jen.Id("gradgenSymmetricParams").Call(jen.Id(w.Name), jen.Id(grads[k]))
		}
		body = append(body, jen.Block(
			jen.List(jen.Id("ps"), jen.Id("want")).Op(":=").Add(params),
			jen.Id("gradgenCheck").Call(jen.Id(tName), jen.Lit(w.Name), jen.Id(fName), jen.Id("ps"), jen.Id("want")),
		))
	}
	return jen.Func().Params(jen.Id(tName).Op("*").Qual(testingPath, "T"), jen.Id(rngName).Op("*").Qual(randPath, "Rand")).Block(body...)
}

// jacobianCheck returns the statements that check FJacobian of a vector-
// or matrix-valued F: with random weights R of F's shape, the scalar
// ⟨R, F⟩ has derivative ⟨R, block (k, l) of J⟩ in entry (k, l) of each
// wrt input, compared with central finite differences of ⟨R, F⟩.
func jacobianCheck(fn *derive.Function, sc *scope, dim func(derive.Dim) jen.Code, args []jen.Code, tName, rngName, fName string) []jen.Code {
	shape := fn.Value.Shape
	dst, weights := sc.fresh("dst"), sc.fresh("weights")
	var body []jen.Code
	if shape.IsCol() {
		body = append(body,
			jen.Id(dst).Op(":=").Qual(matPath, "NewVecDense").Call(dim(shape.Rows), jen.Nil()),
			jen.Id(weights).Op(":=").Id("gradgenVector").Call(jen.Id(rngName), dim(shape.Rows)))
	} else {
		body = append(body,
			jen.Id(dst).Op(":=").Qual(matPath, "NewDense").Call(dim(shape.Rows), dim(shape.Cols), jen.Nil()),
			jen.Id(weights).Op(":=").Id("gradgenMatrix").Call(jen.Id(rngName), dim(shape.Rows), dim(shape.Cols), jen.False()))
	}
	js := make([]string, len(fn.Wrt))
	blocks := make([][2]jen.Code, len(fn.Wrt))
	var jArgs []jen.Code
	for k, w := range fn.Wrt {
		js[k] = sc.fresh("J" + w.Name)
		p, q := jen.Code(jen.Lit(1)), jen.Code(jen.Lit(1))
		switch w.Kind {
		case spec.Vector:
			q = dim(w.Shape.Rows)
		case spec.Matrix:
			p, q = dim(w.Shape.Rows), dim(w.Shape.Cols)
		}
		blocks[k] = [2]jen.Code{p, q}
		body = append(body, jen.Id(js[k]).Op(":=").Qual(matPath, "NewDense").Call(
			jen.Add(p).Op("*").Add(dim(shape.Rows)), jen.Add(q).Op("*").Add(dim(shape.Cols)), jen.Nil()))
		jArgs = append(jArgs, jen.Id(js[k]))
	}
	body = append(body,
		jen.Id(roleName(fn.Spec.Name, roleJacobian, 0)).Call(append(append([]jen.Code{}, args...), jArgs...)...),
		jen.Id(fName).Op(":=").Func().Params().Float64().Block(
			jen.Id(fn.Spec.Name).Call(append(append([]jen.Code{}, args...), jen.Id(dst))...),
			jen.Return(jen.Id("gradgenInner").Call(jen.Id(weights), jen.Id(dst))),
		),
	)
	for k, w := range fn.Wrt {
		var params jen.Code
		switch w.Kind {
		case spec.Scalar:
			params = jen.Id("gradgenScalarParams").Call(jen.Id(w.Name), jen.Op("&").Id(w.Name).Index(jen.Lit(0)))
		case spec.Vector:
			params = jen.Id("gradgenVectorParams").Call(jen.Id(w.Name), jen.Id(w.Name))
		default:
			params = jen.Id("gradgenMatrixParams").Call(jen.Id(w.Name), jen.Id(w.Name))
		}
		body = append(body, jen.Block(
			jen.List(jen.Id("ps"), jen.Id("_")).Op(":=").Add(params),
			jen.Id("want").Op(":=").Id("gradgenJacobianWant").Call(jen.Id(js[k]), jen.Id(weights), blocks[k][0], blocks[k][1]),
			jen.Id("gradgenCheck").Call(jen.Id(tName), jen.Lit(w.Name), jen.Id(fName), jen.Id("ps"), jen.Id("want")),
		))
	}
	return body
}

// helpers returns the test's helper functions as closures local to the
// test function, so several generated test files in one package do not
// collide.
func helpers(need map[string]bool) []jen.Code {
	var out []jen.Code
	add := func(name, doc string, c jen.Code) {
		if need[name] {
			out = append(out, jen.Comment(doc), jen.Id(name).Op(":=").Add(c))
		}
	}
	rng := func() jen.Code { return jen.Id("rng").Op("*").Qual(randPath, "Rand") }
	uniform := jen.Id("gradgenUniform").Call(jen.Id("rng"))
	add("gradgenUniform", "gradgenUniform draws an entry from (0.1, 0.9).", jen.Func().Params(rng()).Float64().Block(
		jen.Return(jen.Lit(0.1).Op("+").Lit(0.8).Op("*").Id("rng").Dot("Float64").Call()),
	))
	add("gradgenVector", "gradgenVector draws a vector of length n.", jen.Func().Params(rng(), jen.Id("n").Int()).Op("*").Qual(matPath, "VecDense").Block(
		jen.Id("v").Op(":=").Qual(matPath, "NewVecDense").Call(jen.Id("n"), jen.Nil()),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("n"), jen.Id("i").Op("++")).Block(
			jen.Id("v").Dot("SetVec").Call(jen.Id("i"), uniform),
		),
		jen.Return(jen.Id("v")),
	))
	add("gradgenMatrix", "gradgenMatrix draws an r×c matrix; a square one gets r added to its diagonal.", jen.Func().Params(rng(), jen.List(jen.Id("r"), jen.Id("c")).Int(), jen.Id("square").Bool()).Op("*").Qual(matPath, "Dense").Block(
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
	))
	add("gradgenSymmetric", "gradgenSymmetric draws an n×n symmetric matrix, positive definite (B Bᵀ + n I) when spd is set.", jen.Func().Params(rng(), jen.Id("n").Int(), jen.Id("spd").Bool()).Op("*").Qual(matPath, "SymDense").Block(
		jen.Id("s").Op(":=").Qual(matPath, "NewSymDense").Call(jen.Id("n"), jen.Nil()),
		jen.If(jen.Id("spd")).Block(
			jen.Id("s").Dot("SymOuterK").Call(jen.Lit(1), jen.Id("gradgenMatrix").Call(jen.Id("rng"), jen.Id("n"), jen.Id("n"), jen.False())),
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
	))
	params := func() jen.Code {
		return jen.List(jen.Index().Op("*").Float64(), jen.Index().Float64())
	}
	add("gradgenScalarParams", "gradgenScalarParams returns the scalar held in x[0] and its derivative.", jen.Func().Params(jen.Id("x").Index().Float64(), jen.Id("g").Op("*").Float64()).Parens(params()).Block(
		jen.Return(jen.Index().Op("*").Float64().Values(jen.Op("&").Id("x").Index(jen.Lit(0))), jen.Index().Float64().Values(jen.Op("*").Id("g"))),
	))
	add("gradgenVectorParams", "gradgenVectorParams returns pointers to the entries of x and the derivatives g claims for them.", jen.Func().Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "VecDense")).Parens(params()).Block(
		jen.Var().Id("ps").Index().Op("*").Float64(),
		jen.Var().Id("want").Index().Float64(),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("x").Dot("Len").Call(), jen.Id("i").Op("++")).Block(
			jen.Id("ps").Op("=").Append(jen.Id("ps"), jen.Op("&").Id("x").Dot("RawVector").Call().Dot("Data").Index(jen.Id("i").Op("*").Id("x").Dot("RawVector").Call().Dot("Inc"))),
			jen.Id("want").Op("=").Append(jen.Id("want"), jen.Id("g").Dot("AtVec").Call(jen.Id("i"))),
		),
		jen.Return(jen.Id("ps"), jen.Id("want")),
	))
	add("gradgenMatrixParams", "gradgenMatrixParams returns pointers to the entries of x and the derivatives g claims for them.", jen.Func().Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "Dense")).Parens(params()).Block(
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
	))
	add("gradgenSymmetricParams", "gradgenSymmetricParams returns pointers to the stored upper triangle of x and the derivatives g claims for them: moving an off-diagonal stored entry moves two entries of the matrix, so its derivative is twice the symmetric gradient's entry.", jen.Func().Params(jen.List(jen.Id("x"), jen.Id("g")).Op("*").Qual(matPath, "SymDense")).Parens(params()).Block(
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
	))
	add("gradgenInner", "gradgenInner returns Σᵢⱼ aᵢⱼ bᵢⱼ.", jen.Func().Params(jen.List(jen.Id("a"), jen.Id("b")).Qual(matPath, "Matrix")).Float64().Block(
		jen.List(jen.Id("r"), jen.Id("c")).Op(":=").Id("a").Dot("Dims").Call(),
		jen.Id("s").Op(":=").Lit(0.0),
		jen.For(jen.Id("i").Op(":=").Lit(0), jen.Id("i").Op("<").Id("r"), jen.Id("i").Op("++")).Block(
			jen.For(jen.Id("j").Op(":=").Lit(0), jen.Id("j").Op("<").Id("c"), jen.Id("j").Op("++")).Block(
				jen.Id("s").Op("+=").Id("a").Dot("At").Call(jen.Id("i"), jen.Id("j")).Op("*").Id("b").Dot("At").Call(jen.Id("i"), jen.Id("j")),
			),
		),
		jen.Return(jen.Id("s")),
	))
	add("gradgenJacobianWant", "gradgenJacobianWant returns, for each entry (k, l) of a p×q input in row-major order, ⟨weights, block (k, l) of J⟩: the derivative of ⟨weights, F⟩ the Jacobian J claims.", jen.Func().Params(
		jen.Id("J").Op("*").Qual(matPath, "Dense"), jen.Id("weights").Qual(matPath, "Matrix"), jen.List(jen.Id("p"), jen.Id("q")).Int(),
	).Index().Float64().Block(
		jen.List(jen.Id("m"), jen.Id("n")).Op(":=").Id("weights").Dot("Dims").Call(),
		jen.Var().Id("want").Index().Float64(),
		jen.For(jen.Id("k").Op(":=").Lit(0), jen.Id("k").Op("<").Id("p"), jen.Id("k").Op("++")).Block(
			jen.For(jen.Id("l").Op(":=").Lit(0), jen.Id("l").Op("<").Id("q"), jen.Id("l").Op("++")).Block(
				jen.Id("block").Op(":=").Id("J").Dot("Slice").Call(jen.Id("k").Op("*").Id("m"), jen.Id("k").Op("*").Id("m").Op("+").Id("m"), jen.Id("l").Op("*").Id("n"), jen.Id("l").Op("*").Id("n").Op("+").Id("n")),
				jen.Id("want").Op("=").Append(jen.Id("want"), jen.Id("gradgenInner").Call(jen.Id("weights"), jen.Id("block"))),
			),
		),
		jen.Return(jen.Id("want")),
	))
	add("gradgenCheck", "gradgenCheck compares each claimed derivative with a central finite difference of f in that parameter.", jen.Func().Params(
		jen.Id("t").Op("*").Qual(testingPath, "T"), jen.Id("name").String(), jen.Id("f").Func().Params().Float64(),
		jen.Id("ps").Index().Op("*").Float64(), jen.Id("want").Index().Float64(),
	).Block(
		jen.Id("t").Dot("Helper").Call(),
		jen.For(jen.List(jen.Id("i"), jen.Id("p")).Op(":=").Range().Id("ps")).Block(
			jen.Id("x0").Op(":=").Op("*").Id("p"),
			jen.Id("got").Op(":=").Qual(fdPath, "Derivative").Call(jen.Func().Params(jen.Id("x").Float64()).Float64().Block(
				jen.Op("*").Id("p").Op("=").Id("x"),
				jen.Defer().Func().Params().Block(jen.Op("*").Id("p").Op("=").Id("x0")).Call(),
				jen.Return(jen.Id("f").Call()),
			), jen.Id("x0"), jen.Op("&").Qual(fdPath, "Settings").Values(jen.Dict{jen.Id("Formula"): jen.Qual(fdPath, "Central")})),
			jen.If(jen.Id("diff").Op(":=").Qual(mathPath, "Abs").Call(jen.Id("got").Op("-").Id("want").Index(jen.Id("i"))),
				jen.Id("diff").Op(">").Lit(1e-5).Op("*").Qual(mathPath, "Max").Call(jen.Lit(1), jen.Qual(mathPath, "Abs").Call(jen.Id("got"))).Op("||").Qual(mathPath, "IsNaN").Call(jen.Id("diff"))).Block(
				jen.Id("t").Dot("Errorf").Call(jen.Lit("∂f/∂%s entry %d: gradient %v, finite differences %v"), jen.Id("name"), jen.Id("i"), jen.Id("want").Index(jen.Id("i")), jen.Id("got")),
			),
		),
	))
	return out
}

// TestName returns the name of the test function for a generated file:
// TestGradgen and the file's base name in camel case, so several generated
// files in one package do not collide.
func TestName(path string) string {
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	base = strings.TrimSuffix(base, ".go")
	var b strings.Builder
	b.WriteString("TestGradgen")
	up := true
	for _, r := range base {
		if r == '_' || r == '-' || r == '.' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
