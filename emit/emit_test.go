package emit

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func generate(t testing.TB, src string) string {
	t.Helper()
	out, err := Generate(buildSpec(t, src), Options{Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// body returns the source of the function named name, followed by the
// methods RunPart of its parallel loops.
func body(t *testing.T, code, name string) string {
	t.Helper()
	decl := func(head string) string {
		start := strings.Index(code, head)
		if start < 0 {
			return ""
		}
		end := strings.Index(code[start+1:], "\n}\n")
		return code[start : start+1+end]
	}
	fn := decl("\nfunc " + name + "(")
	if fn == "" {
		t.Fatalf("no function %s in\n%s", name, code)
	}
	// and the parts of its loops run at once, which the function's body
	// hands to runtime.Parts
	methods := regexp.MustCompile(`\nfunc \(\w+ \*` + lowerFirst(name) + `(Parts|Loop)[0-9]*\) RunPart\(`)
	for _, m := range methods.FindAllString(code, -1) {
		fn += decl(m)
	}
	return fn
}

// TestKernels checks the lowering picks the kernel a careful person would:
// each row is a spec, the function to look at, patterns that must appear
// and patterns that must not.
func TestKernels(t *testing.T) {
	tests := []struct {
		name, inputs, expr, fn string
		want, not              []string
	}{
		{"log-sum-exp and softmax along rows of one argument are one call", "{X: \"matrix(n, d)\", W: \"matrix(d, k)\", b: vector(k), Y: \"matrix(n, k)\"}, wrt: [W, b]", "sum(logsumexp(X * W + b', 2)) - sum(Y .* (X * W + b'))", "FGrad",
			[]string{`runtime\.LogSumExpSoftmaxRowsTo\(logsumexp, softmax, `, `// softmax = softmax\(X W \+ vector\(1\) b', 2\), by the same call`}, []string{`runtime\.SoftmaxRowsTo\(`, `runtime\.LogSumExpRowsTo\(`}},
		{"log-sum-exp along rows alone is its own kernel", "{X: \"matrix(n, d)\", W: \"matrix(d, k)\", b: vector(k), Y: \"matrix(n, k)\"}, wrt: [W, b]", "sum(logsumexp(X * W + b', 2)) - sum(Y .* (X * W + b'))", "F",
			[]string{`runtime\.LogSumExpRowsTo\(`, `// tmp \+= vector\(1\) b'\n.*\n\s*parts := runtime\.LoopParts\(n, k\)\s*ws\.loop = fLoop\{n, parts, k, tmp, bRaw\}`}, []string{`Softmax`, `Ger`, `= 1\.0`}},
		{"a matrix power is formed by repeated squaring", "{X: \"matrix(n, n)\", C: \"matrix(n, n)\"}", "sum((X ^ 8) .* C) + sum((X ^ 5) .* C)", "F",
			[]string{`// XX = X X\n`, `gemm\.Mul\(blas\.NoTrans, blas\.NoTrans, 1, XX, XX, 0, `}, []string{`chain\.MulTo`, `(?s)XRaw, XRaw.*XRaw, XRaw`}},
		{"an expansion or outer product in a loop is read entry by entry, never formed", "{X: \"matrix(n, k)\", a: vector(n), c: vector(k)}", "sum(sin(X - a) .* (X ./ c')) + sum(X .* (a * c'))", "F",
			[]string{`math\.Sin\(XRawRow\[j\]-aRaw\.Data\[i\*aRaw\.Inc\]\)`, `/ cRaw\.Data\[j\*cRaw\.Inc\]`, `aRaw\.Data\[i\*aRaw\.Inc\] \* cRaw\.Data\[j\*cRaw\.Inc\]`}, []string{`Ger`, `= 1\.0`, `runtime\.Mat`}},
		{"outer product written once", "{a: vector(m), X: \"matrix(m, n)\", b: vector(n)}", "a' * X * b", "FGrad",
			[]string{`runtime\.OuterTo\(dXRaw, 1, aRaw, bRaw\)`, `runtime\.Gemv\(blas\.NoTrans`, `blas64\.Dot\(`}, []string{`Gemm`, `Ger`, `ZeroMatrix`}},
		{"transpose flag, never a transposed copy", "{A: \"matrix(m, n)\", B: \"matrix(m, k)\"}", "sum(A' * B)", "F",
			[]string{`ws\.gemm\.Mul\(blas\.Trans, blas\.NoTrans`}, []string{`blas64\.Gemm`}},
		{"tr of a product is a sum of entries", "{A: \"matrix(m, n)\", B: \"matrix(n, m)\"}", "tr(A * B)", "F",
			[]string{`\+= ARaw\.Data\[i\*ARaw\.Stride\+j\] \* BRaw\.Data\[j\*BRaw\.Stride\+i\]`}, []string{`Gemm`}},
		{"row vector times matrix is Gemv transposed", "{a: vector(m), X: \"matrix(m, n)\"}", "sum(a' * X)", "F",
			[]string{`runtime\.Gemv\(blas\.Trans`}, []string{`Gemm`}},
		{"elementwise chain fused in one loop", "{x: vector(n)}", "sum(cos(sin(x) .* x + 1))", "F",
			[]string{`math\.Cos\(.*math\.Sin\(`}, []string{`runtime\.Vec`}},
		{"a block kernel's compound argument is filled in a loop of its own, the kernel runs in its storage", "{x: vector(n)}", "sum(exp(sin(x) .* x + 1))", "F",
			[]string{`(?s)expArg := runtime\.Vec\(&ws\.expArg, n\).*expArg\.Data\[i\] = xRaw\.Data\[i\*xRaw\.Inc\]\*math\.Sin\(xRaw\.Data\[i\*xRaw\.Inc\]\) \+ 1\.0\n`,
				`exp := expArg\n\s*runtime\.ExpTo\(exp\.Data, expArg\.Data\)`, `f \+= exp\.Data\[i\]`}, []string{`math\.Exp`}},
		{"spd uses Cholesky", "{S: spd(n)}", "logdet(S)", "F",
			[]string{`cholS\.Factorize\(S\.RawSymmetric\(\)\)`, `LogDet\(\)`}, []string{`\.lu`}},
		{"general logdet uses LU", "{A: \"matrix(n, n)\"}", "logdet(A)", "F",
			[]string{`luA\.Factorize\(`, `LogAbsDet\(\)`}, nil},
		{"inverse used once is a solve", "{S: spd(n), x: vector(n)}", "x' * inv(S) * x", "F",
			[]string{`SolveVecTo\(`}, []string{`InverseTo`}},
		{"scalar factor becomes alpha", "{A: \"matrix(m, n)\", x: vector(n), b: vector(m)}", "(A * x - b)' * (A * x - b)", "FGrad",
			[]string{`runtime\.Gemv\(blas\.Trans, 2,`}, nil},
		{"product terms of a sum accumulate with beta = 1", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d), lambda: scalar}", "sum(softplus(-y .* (X * w))) + lambda / 2 * w' * w", "FGrad",
			[]string{`runtime\.Gemv\(blas\.Trans, -1, XRaw, \w+, 1, dwRaw\)`}, nil},
		{"symmetric inputs multiply with Symm and Symv", "{S: symmetric(n), B: \"matrix(n, k)\", x: vector(n)}", "sum(S * B) + x' * S * x", "F",
			[]string{`blas64\.Symm\(blas\.Left`, `blas64\.Symv\(`}, []string{`SymmetricToGeneral`}},
		{"an inverse already formed is copied, not formed again", "{S: spd(n), C: spd(n)}", "logdet(S) + tr(inv(S) * C)", "FGrad",
			[]string{`InverseTo`}, []string{`(?s)InverseTo.*InverseTo`}},
		{"a palindromic chain forms its half once", "{B: \"matrix(n, p)\", X: \"matrix(m, n)\", C: \"matrix(m, m)\"}", "tr(B' * X' * C * X * B)", "F",
			[]string{`// XB = X B`, `// CXB = C X B`, `gemm\.Mul\(blas\.NoTrans, blas\.NoTrans, 1, CRaw, XB,`}, []string{`(?s)XRaw, BRaw.*XRaw, BRaw`}},
		{"FGrad of a homogeneous f reads f off the gradient (Euler)", "{A: \"matrix(n, n)\", W: \"matrix(n, k)\"}, wrt: [W]", "tr(W' * A * W)", "FGrad",
			[]string{`f := runtime\.MatrixDot\(dW\.RawMatrix\(\), W\.RawMatrix\(\)\) / 2\.0`}, []string{`(?s)ws\.gemm\.Mul.*ws\.gemm\.Mul`}},
		{"chain order chosen at run time when sizes decide it", "{A: \"matrix(m, n)\", B: \"matrix(n, p)\", C: \"matrix(p, q)\"}", "sum(A * B * C)", "F",
			[]string{`ws\.chain\.MulTo\(ABC, 1, 0, \[\]blas64\.General\{ARaw, BRaw, CRaw\}, \[\]bool\{false, false, false\}\)`}, nil},
		{"general products go through runtime.Gemm, which reorients slow cases", "{A: \"matrix(n, m)\", B: \"matrix(k, n)\", C: \"matrix(m, k)\"}", "sum((A' * B') .* C)", "F",
			[]string{`ws\.gemm\.Mul\(blas\.Trans, blas\.Trans, 1, ARaw, BRaw`}, []string{`blas64\.Gemm`}},
		{"Rᵀ C R with C spd goes through C's Cholesky factor", "{S: spd(n), C: spd(n)}", "logdet(S) + tr(inv(S) * C)", "FGrad",
			[]string{`ws\.cholC\.SandwichSymTo\(`}, []string{`Gemm`}},
		{"a symmetric gradient is written on the destination's triangle, term by term", "{S: spd(n), C: spd(n)}", "logdet(S) + tr(inv(S) * C)", "FGrad",
			[]string{`runtime\.AddSymmetricTo\(dS\.RawSymmetric\(\), 1, runtime\.Upper\(invS\), 0\)\n\s*ws\.cholC\.SandwichSymTo\(dS\.RawSymmetric\(\), -1, invS, 1\)`,
				`runtime\.AddSymmetricTo\(dC\.RawSymmetric\(\), 1, runtime\.Upper\(invS\), 0\)`},
			[]string{`SymmetrizeTo`, `tmp`}},
		{"a reduction of two symmetric factors reads one triangle of each", "{S: spd(n), C: symmetric(n)}", "logdet(S) + tr(inv(S) * C) + sum(C .* S)", "F",
			[]string{`runtime\.SymmetricDot\(runtime\.Upper\(invS\), CRaw\)`, `runtime\.SymmetricDot\(CRaw, SRaw\)|runtime\.SymmetricDot\(SRaw, CRaw\)`}, []string{`SymAt`}},
		{"a chain with C + C' is one MulPlusTransposeTo call, the sum its scratch, never formed in the function", "{B: \"matrix(n, p)\", X: \"matrix(m, n)\", C: \"matrix(m, m)\"}, wrt: [X]", "tr(B' * X' * C * X * B)", "FGrad",
			[]string{`ws\.chain\.MulPlusTransposeTo\(dXRaw, 1, 0, \[\]blas64\.General\{CRaw, XRaw, BRaw, BRaw\}, \[\]bool\{false, false, false, true\}, 0, CPlusCT\)`, `// Multiply in the cheapest order for these sizes; C \+ C' in CPlusCT, unless`}, []string{`AddTransposeTo`, `CRaw\.Data\[j\*CRaw\.Stride\+i\]`}},
		{"(A + A') W whose sum nothing else reads is one MulPlusTranspose call, the sum its scratch", "{A: \"matrix(n, n)\", W: \"matrix(n, k)\"}, wrt: [W]", "tr(W' * A * W)", "FGrad",
			[]string{`ws\.gemm\.MulPlusTranspose\(blas\.NoTrans, 1, ARaw, WRaw, 0, dWRaw, APlusAT\)`, `// A \+ A' in APlusAT, unless the product runs on gradgen's FMA kernels, which sum it as they read A`}, []string{`AddTransposeTo`}},
		{"a loop reading a matrix transposed runs in tiles", "{A: \"matrix(n, n)\"}", "sum(exp(A) .* A')", "F",
			[]string{`for ii := 0; ii < n; ii \+= 64 \{`}, nil},
		{"a loop in storage order is not tiled", "{A: \"matrix(m, n)\"}", "sum(exp(A))", "F",
			nil, []string{`ii`}},
		{"loops over the same entries fuse", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d)}", "sum(sin(-y .* (X * w))) + sum(cos(-y .* (X * w)))", "F",
			[]string{`(?s)for i := 0; i < n; i\+\+ \{\s*tmp\.Data\[i\] = [^\n]*\n\s*sum \+= [^\n]*\n\s*sum2 \+= `}, []string{`(?s)for i := 0; i < n.*for i := 0; i < n`}},
		{"a loop of block-kernel functions stays apart from the loop that fills their argument; one kernel writes a buffer of its own, the other in place", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d)}", "sum(softplus(-y .* (X * w))) + sum(exp(-y .* (X * w)))", "F",
			[]string{`(?s)tmp\.Data\[i\] = -\(yRaw\.Data\[i\*yRaw\.Inc\] \* Xw\.Data\[i\]\)\n\s*\}.*runtime\.SoftplusTo\(softplusTmp\.Data, tmp\.Data\).*expTmp := tmp\n\s*runtime\.ExpTo\(expTmp\.Data, tmp\.Data\).*for i := 0; i < n; i\+\+ \{\s*sum \+= softplusTmp\.Data\[i\]\n\s*sum2 \+= expTmp\.Data\[i\]`},
			[]string{`runtime\.Softplus\(`, `math\.Exp\(`}},
		{"overflowing constants are IEEE infinities", "{x: vector(n)}", "sum(x) / 0 - 1e308 * 1e308 * sum(x .* x)", "F",
			[]string{`math\.Inf\(1\)`}, []string{`Inf\.0`}},
		{"D(AXB)/DX is filled from its Kronecker structure, no JVP per entry", "{A: \"matrix(m, p)\", X: \"matrix(p, q)\", B: \"matrix(q, n)\"}, wrt: [X]", "A * X * B", "FJacobian",
			[]string{`jX\.AddProduct\(1, ARaw, BRaw, false\)`}, []string{`FJVP\(`, `for r := `}},
		{"a Jacobian without structure comes from one JVP per entry", "{X: \"matrix(n, n)\", A: \"matrix(m, p)\"}, wrt: [X]", "tr(X) * A", "FJacobian",
			[]string{`FJVP\(X, A, &ws\.dirX, &ws\.block\)`}, nil},
		{"an elementwise Jacobian is one Hadamard fill", "{X: \"matrix(m, n)\"}", "exp(X) .* X", "FJacobian",
			[]string{`jX\.AddHadamard\(`}, []string{`FJVP\(`, `(?s)AddHadamard.*AddHadamard`}},
		{"the logistic Hessian is Xᵀ diag(d) X by one rank-k update, not n HVPs", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d)}, wrt: [w], hessian: true", "sum(softplus(-y .* (X * w)))", "FHessian",
			[]string{`ws\.diag\.SandwichAdd\(blkWW, 1, XRaw, `}, []string{`HessVec\(`, `Gemm`}},
		{"a Hessian-vector product never forms the Hessian", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d)}, wrt: [w], hessian: true", "sum(softplus(-y .* (X * w)))", "FHessVec",
			[]string{`runtime\.Gemv\(blas\.Trans`}, []string{`Gemm`, `Syrk`, `SandwichAdd`}},
		{"d³/dt³ of t² A is zero and disappears from the code", "{t: scalar, A: \"matrix(n, n)\", B: \"matrix(n, n)\"}, wrt: [t], order: 3", "t^2 * A + sin(t) * B * B", "FDeriv3",
			[]string{`math\.Cos\(t\)`}, []string{`ARaw`, `math\.Pow`}},
		{"softplus and its derivative σ share one exp (the operator's joint kernel)", "{A: \"matrix(n, n)\"}, wrt: [A]", "sum(softplus(A))", "FGrad",
			[]string{`softplus, sigmoid := runtime\.SoftplusSigmoid\(ARawRow\[j\]\)`}, []string{`runtime\.Sigmoid\(`, `runtime\.Softplus\(`}},
		{"in row panels the joint kernel runs as its block kernel over the panel's rows, between two loops over them", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d)}, wrt: [w]", "sum(softplus(-y .* (X * w)))", "FGrad",
			[]string{`(?s)for i := r0; i < r1; i\+\+ \{\s*negYXw\.Data\[i\] = -\(yRaw\.Data\[i\*yRaw\.Inc\] \* Xw\.Data\[i\]\)\s*\}\s*// [^\n]*\n\s*runtime\.SoftplusSigmoidTo\(softplusRows\.Data\[r0:r1\], sigmoidNegYXw\.Data\[r0:r1\], negYXw\.Data\[r0:r1\]\)\s*for i := r0; i < r1; i\+\+ \{\s*softplus := softplusRows\.Data\[i\]\s*sigmoid := sigmoidNegYXw\.Data\[i\]`},
			[]string{`runtime\.Sigmoid\(`, `runtime\.Softplus\(`, `runtime\.SoftplusSigmoid\(`}},
		{"σ from the joint kernel read in the same iteration: the block kernel writes it into the partner's buffer, read at the entry, never copied", "{X: \"matrix(n, d)\", w: vector(d), y: vector(n)}, wrt: [w]", "sum(softplus(X * w) - y .* (X * w))", "FGrad",
			[]string{`runtime\.SoftplusSigmoidTo\(softplusRows\.Data\[r0:r1\], sigmoidXw\.Data\[r0:r1\], Xw\.Data\[r0:r1\]\)`, `sigmoid := sigmoidXw\.Data\[i\]`, `= sigmoid - yRaw\.Data`}, []string{`sigmoidXw\.Data\[i\] = sigmoid`, `sigmoidRows`, `runtime\.SoftplusSigmoid\(`}},
		{"a data-heavy loss runs forward and backward over row panels of X, reading X once", "{X: \"matrix(n, d)\", y: vector(n), w: vector(d), lambda: scalar}, wrt: [w]", "sum(softplus(-y .* (X * w))) + lambda / 2 * w' * w", "FGrad",
			[]string{`(?s)runtime\.Parts\(parts, &ws\.shared\).*for r0 := lo; r0 < hi; r0 \+= panel \{.*Xp := runtime\.RowPanel\(XRaw, r0, r1\).*runtime\.PanelGemv\(XRaw, r0, r1, wRaw, runtime\.SubVector\(Xw, r0, r1\)\).*for i := r0; i < r1; i\+\+ \{.*runtime\.Gemv\(blas\.Trans, -1, Xp, `},
			[]string{`(?s)Gemv.*Gemv.*Gemv`, `Gemv\([^\n]*XRaw, wRaw`}},
		{"nested scalar coefficients of Xᵀ r multiply into the panels' Gemv", "{X: \"matrix(n, d)\", w: vector(d), c: scalar, e: scalar}, wrt: [w]", "sum(erf(c * (e * (X * w))))", "FGrad",
			[]string{`(?s)runtime\.Parts\(parts, &ws\.shared\).*for r0 := lo; r0 < hi; r0 \+= panel \{.*runtime\.Gemv\(blas\.Trans, 1\.1283791670955126\*e\*c, Xp, `},
			[]string{`(?s)Gemv.*Gemv.*Gemv`, `Gemv\([^\n]*XRaw, wRaw`}},
		{"a scaled mean of a row loss runs over row panels, its divisor outside the sum", "{X: \"matrix(n, d)\", w: vector(d), c: scalar}, wrt: [w]", "c * mean(softplus(X * w))", "FGrad",
			[]string{`(?s)runtime\.Parts\(parts, &ws\.shared\).*f := c \* \(sumSoftplusXw / float64\(n\)\).*runtime\.Gemv\(blas\.Trans, c/float64\(n\), Xp, `},
			[]string{`(?s)Gemv.*Gemv.*Gemv`, `Gemv\([^\n]*XRaw, wRaw`}},
		{"a dot product whose elementwise product the gradient needs is summed in the loop that forms it", "{a: vector(m), X: \"matrix(m, n)\", b: vector(n)}, wrt: [X]", "a' * exp(X * b)", "FGrad",
			[]string{`(?s)runtime\.ExpTo\(expXb\.Data, Xb\.Data\).*tmp\.Data\[i\] = aRaw\.Data\[i\*aRaw\.Inc\] \* expXb\.Data\[i\]\s*f \+= tmp\.Data\[i\]`}, []string{`blas64\.Dot`, `ws\.expXb`, `math\.Exp`}},
		{"a function of a buffer's entries applied by its block kernel, in place", "{X: \"matrix(n, d)\", W: \"matrix(d, h)\"}", "sum(tanh(X * W))", "F",
			[]string{`runtime\.TanhTo\(tanhXW\.Data, XW\.Data\)`, `fPart \+= tanhXWRow\[j\]`}, []string{`math\.Tanh`}},
		{"a function of a compound argument runs its block kernel on an argument buffer, here in the product's storage", "{X: \"matrix(n, d)\", W: \"matrix(d, h)\", b: vector(h)}", "sum(tanh(X * W + b'))", "F",
			[]string{`tanhArg := XW\n`, `tanhArgRow\[j\] = XWRow\[j\] \+ bRaw\.Data\[j\*bRaw\.Inc\]`, `runtime\.TanhTo\(tanh\.Data, tanhArg\.Data\)`, `fPart \+= tanhRow\[j\]`},
			[]string{`math\.Tanh`, `runtime\.Mat\(&ws\.tanhArg`}},
		{"a divisor that simplifies to zero divides at run time, as IEEE does: x · Inf is x / +0 (Go refuses a constant zero divisor)", "{d: vector(n)}, wrt: [d]", "sum(d ./ (d - d))", "FGrad",
			[]string{`f \+= dRaw\.Data\[i\*dRaw\.Inc\] \* math\.Inf\(1\)`, `= 1\.0 \* math\.Inf\(1\)`}, []string{`/ 0\.0`}},
		{"a compound divisor keeps its parentheses", "{s: scalar, c: scalar}, wrt: [s]", "s / c ^ 2", "F",
			[]string{`f := s / \(c \* c\)`}, nil},
		{"operands Go groups as written print bare", "{x: vector(n), y: vector(n), s: scalar}", "sum(x .* y + x ./ y - s * x)", "F",
			[]string{`f \+= xRaw\.Data\[i\*xRaw\.Inc\]\*yRaw\.Data\[i\*yRaw\.Inc\] \+ xRaw\.Data\[i\*xRaw\.Inc\]/yRaw\.Data\[i\*yRaw\.Inc\] - s\*xRaw\.Data\[i\*xRaw\.Inc\]\n`}, nil},
		{"an elementwise loop over a matrix runs in parts of its rows", "{X: \"matrix(n, d)\", W: \"matrix(d, h)\", V: \"matrix(h, o)\", Y: \"matrix(n, o)\"}, wrt: [W]", "0.5 * sum((tanh(X * W) * V - Y) .^ 2)", "FGrad",
			[]string{`parts3 := runtime\.LoopParts\(n, h\)\s*ws\.loop3 = fGradLoop3\{[^}]*\}\s*runtime\.Parts\(parts3, &ws\.loop3\)\s*ws\.loop3 = fGradLoop3\{\}`,
				`(?s)func \(loop3 \*fGradLoop3\) RunPart\(part3 int\) \{.*lo3, hi3 := runtime\.PartRows\(n, parts3, part3\)\s*for i := lo3; i < hi3; i\+\+ \{\s*tmp2Row := runtime\.RowSlice\(tmp2, i, h\)\n(\s*\w+ := runtime\.RowSlice\(\w+, i, len\(tmp2Row\)\)\n)*\s*for j := range tmp2Row \{\s*tmp2Row\[j\] = `},
			nil},
		{"a sum over a matrix is formed in parts, each part's sum stored, then added in part order", "{X: \"matrix(n, d)\", W: \"matrix(d, h)\"}, wrt: [W]", "sum(tanh(X * W))", "FGrad",
			[]string{`parts := runtime\.LoopParts\(n, h\)\s*fParts := runtime\.Vec\(&ws\.fParts, parts\)`,
				`runtime\.Parts\(parts, &ws\.loop\)\s*ws\.loop = fGradLoop\{\}\s*// f \+= the parts' sums, in part order\s*f \+= runtime\.SumParts\(fParts\)`,
				`(?s)\) RunPart\(part int\) \{.*fPart := 0\.0\s*for i := lo; i < hi; i\+\+ \{.*fPart \+= \w+Row\[j\].*\}\s*fParts\.Data\[part\] = fPart`},
			[]string{`(?s)\) RunPart\(.*\bf \+=`}},
		{"a bias added to a product is a loop over its entries, joined with the sum of squares after it, not Ger with a vector of ones", "{X: \"matrix(n, d)\", W: \"matrix(d, o)\", b: vector(o), Y: \"matrix(n, o)\"}, wrt: [W, b]", "0.5 * sum((X * W + b' - Y) .^ 2)", "FGrad",
			[]string{`// tmp \+= vector\(1\) b'\n\s*// sum = sum\(\(X W \+ vector\(1\) b' - Y\) \.\^ 2\)`, `ws\.loop2 = fGradLoop2\{n, parts2, o, tmp, bRaw, sumParts\}`},
			[]string{`Ger`, `(?s)= 1\.0.*tmp \+=`}},
		{"loops ReuseStorage leaves side by side are joined: the bias and the sum of Y .* Z, once the in-place softmax moves below the sum", "{X: \"matrix(n, d)\", W: \"matrix(d, k)\", b: vector(k), Y: \"matrix(n, k)\"}, wrt: [W, b]", "sum(logsumexp(X * W + b', 2)) - sum(Y .* (X * W + b'))", "FGrad",
			[]string{`ws\.loop = fGradLoop\{n, parts, k, tmp, bRaw, YRaw, sum2Parts\}`, `(?s)runtime\.Parts\(parts, &ws\.loop\).*runtime\.LogSumExpSoftmaxRowsTo\(`},
			[]string{`ws\.loop3`}},
		{"shared subexpression computed once", "{X: \"matrix(n, d)\", w: vector(d)}", "sum(exp(X * w)) + sum(sin(X * w))", "F",
			[]string{`runtime\.Gemv\(`}, []string{`(?s)Gemv.*Gemv`}},
	}
	dir := compileDir(t)
	for k, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "functions:\n  - {name: F, inputs: " + tt.inputs + ", expr: \"" + tt.expr + "\"}\n"
			code := generate(t, src)
			writePackage(t, dir, k, code)
			if _, err := parser.ParseFile(token.NewFileSet(), "gen.go", code, 0); err != nil {
				t.Fatalf("generated code does not parse: %v", err)
			}
			fn := body(t, code, tt.fn)
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(fn) {
					t.Errorf("%s lacks %s:\n%s", tt.fn, w, fn)
				}
			}
			for _, n := range tt.not {
				if regexp.MustCompile(n).MatchString(fn) {
					t.Errorf("%s has %s:\n%s", tt.fn, n, fn)
				}
			}
		})
	}
}

// compileDir returns a scratch directory inside the module, removed after
// the test, where generated packages are built.
func compileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("..", "emitcheck")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() && !testing.Short() {
			build(t, dir)
		}
		os.RemoveAll(dir)
	})
	return dir
}

func writePackage(t *testing.T, dir string, k int, code string) {
	pkg := filepath.Join(dir, fmt.Sprintf("p%d", k))
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "gen.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
}

// build type-checks and compiles every package under dir.
func build(t *testing.T, dir string) {
	cmd := exec.Command("go", "vet", "./"+filepath.Base(dir)+"/...")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("generated code does not compile:\n%s", out)
	}
}

// TestDeterministic checks the same spec gives the same bytes.
func TestDeterministic(t *testing.T) {
	src := "functions:\n  - {name: F, inputs: {A: \"matrix(n, n)\", W: \"matrix(n, k)\"}, expr: \"tr(W' * A * W) + logdet(A)\"}\n"
	first := generate(t, src)
	for i := 0; i < 5; i++ {
		if generate(t, src) != first {
			t.Fatal("output differs between runs")
		}
	}
	if !strings.HasPrefix(first, Header("", nil)+"\n") {
		t.Errorf("output does not start with %q", Header("", nil))
	}
}

// TestStandalone generates two -standalone outputs of one package and
// their shared helpers file (StandaloneRuntime), and checks that no file
// imports the runtime or anything outside the standard library and gonum,
// that the outputs declare no helper (two outputs of one package would
// collide), that the helpers file declares every helper once, and that
// the three files compile and vet together.
func TestStandalone(t *testing.T) {
	specs := map[string]string{
		"f_grad.go": "functions:\n  - {name: F, inputs: {S: spd(n), x: vector(n), A: \"matrix(n, n)\"}, expr: \"x' * inv(S) * x + logdet(A) + sum(sigmoid(x))\"}\n",
		"g_grad.go": "functions:\n  - {name: G, inputs: {S: spd(n), X: \"matrix(m, n)\", w: vector(n)}, expr: \"logdet(S) + sum(softplus(X * w))\"}\n",
	}
	files := map[string][]byte{}
	for name, src := range specs {
		code, err := Standalone([]byte(generate(t, src)))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = code
	}
	helpers, err := StandaloneRuntime("p", "")
	if err != nil {
		t.Fatal(err)
	}
	files[StandaloneRuntimeFile] = helpers
	declaredBy := map[string]string{}
	for name, code := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, code, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if !ast.IsGenerated(f) {
			t.Errorf("%s has no generated-code header", name)
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(p, "gradgen") || (strings.Contains(p, ".") && !strings.HasPrefix(p, "gonum.org/")) {
				t.Errorf("%s imports %s", name, p)
			}
		}
		for _, d := range declared(f) {
			if prev, ok := declaredBy[d]; ok {
				t.Errorf("%s and %s both declare %s", prev, name, d)
			}
			declaredBy[d] = name
			if strings.HasPrefix(d, standalonePrefix) != (name == StandaloneRuntimeFile) {
				t.Errorf("%s declares %s", name, d)
			}
		}
	}
	for _, want := range []string{"gradgenSigmoid", "gradgenSoftplus", "gradgenCholesky", "gradgenLU", "gradgenCheckVector"} {
		if declaredBy[want] != StandaloneRuntimeFile {
			t.Errorf("%s does not declare %s", StandaloneRuntimeFile, want)
		}
	}
	pkg := filepath.Join(compileDir(t), "p0")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, code := range files {
		if err := os.WriteFile(filepath.Join(pkg, name), code, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
