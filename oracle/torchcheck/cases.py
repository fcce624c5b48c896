"""Cases for the PyTorch cross-check: one spec function each, with an
independent PyTorch float64 definition written by hand (never translated from
the gradgen expression).

Conventions of the PyTorch side: a scalar input is a 0-d tensor, a vector a
column (n, 1), a matrix (r, c), symmetric/spd (n, n).  A function returns a
tensor: 0-d or 1x1 for a scalar, (m, 1) for a vector value, (r, c) else.

Case fields:
  name, inputs (ordered list of (name, type)), expr, torch (callable on a
  dict of tensors), wrt, hessian, order, dom (input -> domain), edges (list
  of (label, {input: value})).
Domains: gen N(0,1); pos U(0.3, 2.5); unit U(-0.85, 0.85); tan U(-1.2, 1.2);
  gtm1 U(-0.6, 2); nz +-U(0.5, 2); sq well-conditioned square; small U(-0.6,
  0.6); tpos U(0.6, 1.4).
"""
import math

import torch
import torch.nn.functional as Fn

T = torch
inf = math.inf
nan = math.nan


def ld(A):  # gradgen's logdet: log |det A|
    return T.linalg.slogdet(A)[1]


class Case:
    def __init__(self, name, inputs, expr, torch, wrt=None, hessian=False,
                 order=0, dom=None, edges=None, only_edges=False):
        self.name = name
        self.inputs = inputs
        self.expr = expr
        self.torch = torch
        self.wrt = wrt
        self.hessian = hessian
        self.order = order
        self.dom = dom or {}
        self.edges = edges or []
        self.only_edges = only_edges


CASES = []


def C(*a, **k):
    CASES.append(Case(*a, **k))


M = "matrix(m, n)"
SQ = "matrix(n, n)"

# ---------------------------------------------------------------- elementwise
ELEM = [
    # name, torch fn, domain, domain for t*X (t in (0.6, 1.4)), edges for x
    ("exp", T.exp, "gen", "gen", [[0.0, 800.0], [-800.0, 710.0]]),
    ("log", T.log, "pos", "pos", [[0.0, 1.0], [-1.0, 2.0]]),
    ("log1p", T.log1p, "gtm1", "gtm1b", [[-1.0, 0.5], [-2.0, 0.0]]),
    ("expm1", T.expm1, "gen", "gen", [[0.0, 800.0], [-800.0, 1e-20]]),
    ("sin", T.sin, "gen", "gen", [[0.0, 1e20]]),
    ("cos", T.cos, "gen", "gen", [[0.0, 1e20]]),
    ("tan", T.tan, "tan", "small", [[0.0, math.pi / 2]]),
    ("arcsin", T.asin, "unit", "small", [[1.0, -1.0], [1.5, 0.0]]),
    ("arccos", T.acos, "unit", "small", [[1.0, -1.0], [1.5, 0.0]]),
    ("arctan", T.atan, "gen", "gen", [[0.0, 1e300]]),
    ("sinh", T.sinh, "gen", "gen", [[0.0, 800.0]]),
    ("cosh", T.cosh, "gen", "gen", [[0.0, -800.0]]),
    ("tanh", T.tanh, "gen", "gen", [[0.0, 800.0], [-30.0, 20.0]]),
    ("erf", T.erf, "gen", "gen", [[0.0, 30.0]]),
    ("sigmoid", T.sigmoid, "gen", "gen", [[0.0, 800.0], [-800.0, 40.0]]),
    ("softplus", Fn.softplus, "gen", "gen", [[0.0, 800.0], [-800.0, 20.5], [30.0, 19.5]]),
    ("sqrt", T.sqrt, "pos", "pos", [[0.0, 1.0], [-1.0, 4.0]]),
    ("abs", T.abs, "gen", "gen", [[0.0, -0.0], [0.0, 1.0]]),
    ("sign", T.sign, "gen", "gen", [[0.0, -2.0]]),
    ("relu", T.relu, "gen", "gen", [[0.0, -0.0], [0.0, 1.0]]),
]

for fname, tf, dom, tdom, xedges in ELEM:
    cap = fname.capitalize()
    C(f"E{cap}M", [("X", M), ("W", M)], f"sum({fname}(X) .* W)",
      lambda d, tf=tf: (tf(d["X"]) * d["W"]).sum(), hessian=True,
      dom={"X": dom})
    C(f"E{cap}V", [("x", "vector(n)"), ("y", "vector(n)")],
      f"sum({fname}(x) .* y)",
      lambda d, tf=tf: (tf(d["x"]) * d["y"]).sum(), hessian=True,
      dom={"x": dom},
      edges=[(f"x={e}", {"x": e, "y": [1.0] * len(e)}) for e in xedges] +
            [(f"x={e},y=0", {"x": e, "y": [0.0] * len(e)}) for e in xedges[:1]])
    C(f"E{cap}J", [("X", M)], f"{fname}(X)", lambda d, tf=tf: tf(d["X"]),
      dom={"X": dom}, edges=[(f"X={e}", {"X": [e]}) for e in xedges])
    C(f"E{cap}T", [("t", "scalar"), ("X", M)], f"{fname}(t * X)",
      lambda d, tf=tf: tf(d["t"] * d["X"]), wrt=["t"], order=3,
      dom={"t": "tpos", "X": tdom})
    C(f"E{cap}S", [("s", "scalar")], f"{fname}(s)",
      lambda d, tf=tf: tf(d["s"]), hessian=True, order=3,
      dom={"s": dom}, edges=[(f"s={e[0]}", {"s": e[0]}) for e in xedges])

# ---------------------------------------------------------------- powers
for p, dom in [("2", "gen"), ("3", "gen"), ("0.5", "pos"), ("-1", "nz"),
               ("1.5", "pos"), ("0", "gen"), ("1", "gen"), ("-0.5", "pos"),
               ("2.5", "pos"), ("-2", "nz"), ("4", "gen")]:
    pv = float(p)
    tag = p.replace("-", "m").replace(".", "p")
    C(f"PowC{tag}", [("x", "vector(n)"), ("y", "vector(n)")],
      f"sum(x .^ {p} .* y)",
      lambda d, pv=pv: (d["x"] ** pv * d["y"]).sum(), hessian=True,
      dom={"x": dom},
      edges=[("x=[0,1]", {"x": [0.0, 1.0], "y": [1.0, 1.0]}),
             ("x=[-1,-0.5]", {"x": [-1.0, -0.5], "y": [1.0, 1.0]}),
             ("x=[0,-0],y=0", {"x": [0.0, -0.0], "y": [0.0, 0.0]})])
    C(f"PowCM{tag}", [("X", M)], f"X .^ {p}", lambda d, pv=pv: d["X"] ** pv,
      dom={"X": dom}, edges=[("X=[[0,2]]", {"X": [[0.0, 2.0]]})])
    C(f"PowCS{tag}", [("s", "scalar")], f"s ^ {p}",
      lambda d, pv=pv: d["s"] ** pv, hessian=True, order=3, dom={"s": dom},
      edges=[("s=0", {"s": 0.0}), ("s=-1.5", {"s": -1.5})])

C("PowVarV", [("x", "vector(n)"), ("p", "scalar")], "sum(x .^ p)",
  lambda d: (d["x"] ** d["p"]).sum(), hessian=True, dom={"x": "pos"},
  edges=[("x=[0,0.5],p=0.7", {"x": [0.0, 0.5], "p": 0.7}),
         ("x=[0,0.5],p=0", {"x": [0.0, 0.5], "p": 0.0}),
         ("x=[0,0.5],p=2", {"x": [0.0, 0.5], "p": 2.0}),
         ("x=[0,0.5],p=-1", {"x": [0.0, 0.5], "p": -1.0}),
         ("x=[0,0.5],p=1", {"x": [0.0, 0.5], "p": 1.0}),
         ("x=[-2,0.5],p=2", {"x": [-2.0, 0.5], "p": 2.0}),
         ("x=[-2,0.5],p=0.5", {"x": [-2.0, 0.5], "p": 0.5})])
C("PowVarM", [("X", M), ("p", "scalar")], "sum(X .^ p)",
  lambda d: (d["X"] ** d["p"]).sum(), hessian=True, dom={"X": "pos"})
C("PowVarJ", [("X", M), ("p", "scalar")], "X .^ p",
  lambda d: d["X"] ** d["p"], dom={"X": "pos"},
  edges=[("X=[[0,0.5]],p=0.7", {"X": [[0.0, 0.5]], "p": 0.7})])
C("PowVarT", [("X", M), ("p", "scalar")], "X .^ p",
  lambda d: d["X"] ** d["p"], wrt=["p"], order=3, dom={"X": "pos"},
  edges=[("X=[[0,0.5]],p=0.7", {"X": [[0.0, 0.5]], "p": 0.7})])
C("PowExprExp", [("x", "vector(n)"), ("s", "scalar")], "sum(x .^ (s + 1))",
  lambda d: (d["x"] ** (d["s"] + 1)).sum(), hessian=True, dom={"x": "pos"})
C("PowScal", [("s", "scalar"), ("p", "scalar")], "s ^ p",
  lambda d: d["s"] ** d["p"], hessian=True, dom={"s": "pos"},
  edges=[("s=0,p=0.7", {"s": 0.0, "p": 0.7}), ("s=0,p=2", {"s": 0.0, "p": 2.0}),
         ("s=0,p=0", {"s": 0.0, "p": 0.0}), ("s=-2,p=2", {"s": -2.0, "p": 2.0}),
         ("s=-2,p=3", {"s": -2.0, "p": 3.0})])
C("PowScalT", [("s", "scalar"), ("p", "scalar")], "s ^ p",
  lambda d: d["s"] ** d["p"], wrt=["p"], order=4, dom={"s": "pos"})
C("PowNegLit", [("x", "vector(n)")], "sum(x .^ -1) + sum(1 ./ x)",
  lambda d: (d["x"] ** -1).sum() + (1 / d["x"]).sum(), hessian=True,
  dom={"x": "nz"}, edges=[("x=[0,1]", {"x": [0.0, 1.0]})])
C("PowMinusPrec", [("x", "vector(n)")], "sum(-x .^ 2)",
  lambda d: (-(d["x"] ** 2)).sum(), hessian=True)
C("PowRightAssoc", [("s", "scalar")], "s ^ 2 ^ 3",
  lambda d: d["s"] ** 8, hessian=True, order=3)

for k in [1, 2, 3, 4, 5, 8]:
    C(f"MatPow{k}", [("A", SQ), ("W", SQ)], f"sum((A ^ {k}) .* W)",
      lambda d, k=k: (T.linalg.matrix_power(d["A"], k) * d["W"]).sum(),
      hessian=True, dom={"A": "small"})
C("MatPowJ", [("A", SQ)], "A ^ 3",
  lambda d: T.linalg.matrix_power(d["A"], 3))
C("MatPowT", [("t", "scalar"), ("A", SQ), ("B", SQ)], "(t * A + B) ^ 3",
  lambda d: T.linalg.matrix_power(d["t"] * d["A"] + d["B"], 3),
  wrt=["t"], order=4)

# ---------------------------------------------------------------- arithmetic
C("MatMul", [("A", "matrix(m, k)"), ("B", "matrix(k, n)")], "A * B",
  lambda d: d["A"] @ d["B"])
C("MatVec", [("A", M), ("x", "vector(n)")], "A * x",
  lambda d: d["A"] @ d["x"])
C("Bilinear", [("a", "vector(m)"), ("X", M), ("b", "vector(n)")],
  "a' * X * b", lambda d: d["a"].T @ d["X"] @ d["b"], hessian=True)
C("BilinearV", [("a", "vector(m)"), ("X", M), ("b", "vector(n)")],
  "a' * X * b", lambda d: d["a"].T @ d["X"] @ d["b"], wrt=["a", "b"],
  hessian=True)
C("Chain3", [("A", "matrix(m, k)"), ("X", "matrix(k, p)"), ("B", "matrix(p, n)")],
  "A * X * B", lambda d: d["A"] @ d["X"] @ d["B"])
C("Outer", [("x", "vector(m)"), ("y", "vector(n)")], "x * y'",
  lambda d: d["x"] @ d["y"].T)
C("OuterSelf", [("x", "vector(n)")], "x * x'", lambda d: d["x"] @ d["x"].T)
C("Inner", [("a", "vector(n)"), ("b", "vector(n)")], "a' * b",
  lambda d: d["a"].T @ d["b"], hessian=True)
C("InnerRowMat", [("a", "vector(m)"), ("X", M)], "a' * X",
  lambda d: d["a"].T @ d["X"])
C("ScalMat", [("s", "scalar"), ("X", M)], "s * X", lambda d: d["s"] * d["X"])
C("MatScal", [("s", "scalar"), ("X", M)], "X * s", lambda d: d["X"] * d["s"])
C("DivScal", [("s", "scalar"), ("X", M)], "X / s", lambda d: d["X"] / d["s"],
  dom={"s": "nz"}, edges=[("s=0", {"s": 0.0, "X": [[1.0, 0.0]]})])
C("Had", [("X", M), ("Y", M)], "X .* Y", lambda d: d["X"] * d["Y"])
C("Quot", [("X", M), ("Y", M)], "X ./ Y", lambda d: d["X"] / d["Y"],
  dom={"Y": "nz"}, edges=[("Y has 0", {"X": [[1.0, 0.0]], "Y": [[0.0, 0.0]]})])
C("QuotS", [("X", M), ("Y", M)], "sum(X ./ Y)", lambda d: (d["X"] / d["Y"]).sum(),
  dom={"Y": "nz"}, hessian=True)
C("AddSub", [("X", M), ("Y", M), ("Z", M)], "X + Y - Z - -X",
  lambda d: d["X"] + d["Y"] - d["Z"] + d["X"])
C("Neg", [("X", M)], "-X", lambda d: -d["X"])
C("ScalBroad", [("s", "scalar"), ("X", M)], "(X + s) .* (s - X) + 2 ./ (X - s + 10)",
  lambda d: (d["X"] + d["s"]) * (d["s"] - d["X"]) + 2 / (d["X"] - d["s"] + 10))
C("Trans", [("X", M)], "X'", lambda d: d["X"].T)
C("TransMul", [("A", M), ("B", M)], "A' * B", lambda d: d["A"].T @ d["B"])
C("TrTrans", [("A", M), ("B", M)], "tr(A' * B)",
  lambda d: T.trace(d["A"].T @ d["B"]), hessian=True)
C("ExpandCol", [("X", M), ("a", "vector(m)")], "X + a .* X - a ./ (X .* X + 1)",
  lambda d: d["X"] + d["a"] * d["X"] - d["a"] / (d["X"] * d["X"] + 1))
C("ExpandRow", [("X", M), ("b", "vector(n)")], "X - b' + b' .* X + X ./ (b' .* b' + 1)",
  lambda d: d["X"] - d["b"].T + d["b"].T * d["X"] + d["X"] / (d["b"].T * d["b"].T + 1))
C("ExpandFirst", [("X", M), ("a", "vector(m)"), ("b", "vector(n)")], "a - X + b' ./ (X .* X + 1)",
  lambda d: d["a"] - d["X"] + d["b"].T / (d["X"] * d["X"] + 1))
C("Layer", [("X", "matrix(n, d)"), ("W", "matrix(d, k)"), ("b", "vector(k)")],
  "sum(tanh(X * W + b'))", lambda d: T.tanh(d["X"] @ d["W"] + d["b"].T).sum(),
  hessian=True)
C("ScalarArith", [("s", "scalar"), ("t", "scalar")], "s * t + s / t - t + 3 - s ^ 2 / 4",
  lambda d: d["s"] * d["t"] + d["s"] / d["t"] - d["t"] + 3 - d["s"] ** 2 / 4,
  hessian=True, dom={"t": "nz"})
C("ScalarArithT", [("s", "scalar"), ("t", "scalar")], "s * t + s / t - t ^ 3",
  lambda d: d["s"] * d["t"] + d["s"] / d["t"] - d["t"] ** 3, wrt=["t"], order=4,
  dom={"t": "nz"})

# ---------------------------------------------------------------- reductions
C("Sum", [("X", M)], "sum(X)", lambda d: d["X"].sum(), hessian=True)
C("SumCols", [("X", M)], "sum(X, 1)", lambda d: d["X"].sum(0, keepdim=True))
C("SumRows", [("X", M)], "sum(X, 2)", lambda d: d["X"].sum(1, keepdim=True))
C("SumVec1", [("x", "vector(n)")], "sum(x, 1) * sum(x' .* x', 2)",
  lambda d: d["x"].sum() * (d["x"] ** 2).sum(), hessian=True)
C("SumVec2", [("x", "vector(n)")], "sum(x, 2)", lambda d: d["x"])
C("SumAlongS", [("X", M), ("a", "vector(m)"), ("b", "vector(n)")],
  "sum(X, 1) * b + a' * sum(X .* X, 2)",
  lambda d: d["X"].sum(0, keepdim=True) @ d["b"] + d["a"].T @ (d["X"] ** 2).sum(1, keepdim=True),
  hessian=True)
C("Mean", [("X", M)], "mean(X) * mean(X .* X)", lambda d: d["X"].mean() * (d["X"] ** 2).mean(),
  hessian=True)
C("MeanCols", [("X", M)], "mean(X, 1)", lambda d: d["X"].mean(0, keepdim=True))
C("MeanRows", [("X", M)], "mean(X, 2)", lambda d: d["X"].mean(1, keepdim=True))
C("MeanVec", [("x", "vector(n)")], "mean(x) + mean(x .* x, 1) + sum(mean(x, 2))",
  lambda d: d["x"].mean() + (d["x"] ** 2).mean() + d["x"].sum(), hessian=True)
C("Tr", [("A", SQ)], "tr(A)", lambda d: T.trace(d["A"]), hessian=True)
C("TrProd", [("A", SQ), ("B", SQ)], "tr(A * B * A)", lambda d: T.trace(d["A"] @ d["B"] @ d["A"]),
  hessian=True)
C("TrT", [("t", "scalar"), ("A", SQ)], "tr(exp(t * A))",
  lambda d: T.trace(T.exp(d["t"] * d["A"])), wrt=["t"], order=3)

sing2 = [[1.0, 2.0], [2.0, 4.0]]
sing3 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
rank1_3 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]
zero2 = [[0.0, 0.0], [0.0, 0.0]]
illc = [[1.0, 1.0], [1.0, 1.0 + 1e-8]]
negdet = [[0.0, 1.0], [1.0, 0.0]]
lin_edges = [("singular2", {"A": sing2}), ("singular3", {"A": sing3}),
             ("rank1_3", {"A": rank1_3}), ("zero2", {"A": zero2}),
             ("illcond1e8", {"A": illc}), ("negdet", {"A": negdet}),
             ("1x1 zero", {"A": [[0.0]]}), ("1x1 neg", {"A": [[-2.0]]})]

C("Det", [("A", SQ)], "det(A)", lambda d: T.linalg.det(d["A"]), hessian=True,
  dom={"A": "sq"}, edges=lin_edges)
C("DetT", [("t", "scalar"), ("A", SQ), ("B", SQ)], "det(A + t * B)",
  lambda d: T.linalg.det(d["A"] + d["t"] * d["B"]), wrt=["t"], order=4,
  dom={"A": "sq"})
C("Logdet", [("A", SQ)], "logdet(A)", lambda d: ld(d["A"]), hessian=True,
  dom={"A": "sq"}, edges=lin_edges)
C("LogdetT", [("t", "scalar"), ("A", SQ), ("B", SQ)], "logdet(A + t * B)",
  lambda d: ld(d["A"] + d["t"] * d["B"]), wrt=["t"], order=3, dom={"A": "sq"})
C("Inv", [("A", SQ)], "inv(A)", lambda d: T.linalg.inv(d["A"]), dom={"A": "sq"},
  edges=lin_edges)
C("InvTr", [("A", SQ), ("B", SQ)], "tr(inv(A) * B)",
  lambda d: T.trace(T.linalg.inv(d["A"]) @ d["B"]), hessian=True, dom={"A": "sq"},
  edges=[(l, dict(v, B=[[1.0 if i == j else 0.5 for j in range(len(v["A"]))] for i in range(len(v["A"]))]))
         for l, v in lin_edges])
C("InvQuad", [("A", SQ), ("x", "vector(n)")], "x' * inv(A) * x",
  lambda d: d["x"].T @ T.linalg.inv(d["A"]) @ d["x"], wrt=["x"], hessian=True,
  dom={"A": "sq"})
C("InvT", [("t", "scalar"), ("A", SQ), ("B", SQ)], "inv(A + t * B)",
  lambda d: T.linalg.inv(d["A"] + d["t"] * d["B"]), wrt=["t"], order=3,
  dom={"A": "sq"})
C("InvTransDet", [("A", SQ), ("B", SQ)], "det(A') + logdet(A') + tr(inv(A') * B)",
  lambda d: T.linalg.det(d["A"].T) + ld(d["A"].T) + T.trace(T.linalg.inv(d["A"].T) @ d["B"]),
  dom={"A": "sq"})

C("Norm1M", [("X", M)], "norm1(X)", lambda d: d["X"].abs().sum(),
  edges=[("X=0", {"X": [[0.0, 0.0]]}), ("X=[[0,-1]]", {"X": [[0.0, -1.0]]})])
C("Norm1V", [("x", "vector(n)")], "norm1(x)", lambda d: d["x"].abs().sum(),
  hessian=True)
C("Norm2V", [("x", "vector(n)")], "norm2(x)", lambda d: T.linalg.norm(d["x"]),
  hessian=True, edges=[("x=0", {"x": [0.0, 0.0]}), ("x=[0,1e-200]", {"x": [0.0, 1e-200]}),
                       ("x=[1e300,1e300]", {"x": [1e300, 1e300]})])
C("Norm2M", [("X", M)], "norm2(X)", lambda d: T.linalg.norm(d["X"]),
  hessian=True, edges=[("X=0", {"X": [[0.0, 0.0], [0.0, 0.0]]})])
C("Norm2Sq", [("X", M)], "norm2(X)^2", lambda d: T.linalg.norm(d["X"]) ** 2,
  hessian=True, edges=[("X=0", {"X": [[0.0, 0.0], [0.0, 0.0]]})])
C("Norm2J", [("x", "vector(n)")], "x / norm2(x)", lambda d: d["x"] / T.linalg.norm(d["x"]),
  edges=[("x=0", {"x": [0.0, 0.0]})])
C("SumsqM", [("X", M)], "sumsq(X)", lambda d: (d["X"] ** 2).sum(), hessian=True)
C("SumsqV", [("x", "vector(n)"), ("A", M)], "sumsq(A * x)",
  lambda d: ((d["A"] @ d["x"]) ** 2).sum(), hessian=True)
C("Dot", [("a", "vector(n)"), ("b", "vector(n)")], "dot(a, b) * dot(a, a)",
  lambda d: (d["a"] * d["b"]).sum() * (d["a"] * d["a"]).sum(), hessian=True)
C("DotM", [("A", M), ("B", M)], "dot(A, B)", lambda d: (d["A"] * d["B"]).sum(),
  hessian=True)

big_edges = [("x=[1e3,1e3+1]", {"x": [1e3, 1e3 + 1]}),
             ("x=[1e17,1e17]", {"x": [1e17, 1e17]}),
             ("x=[1e300,-1e300]", {"x": [1e300, -1e300]}),
             ("x=[1e300,1e300]", {"x": [1e300, 1e300]}),
             ("x=[-inf,0]", {"x": [-inf, 0.0]}),
             ("x=[-inf,-inf]", {"x": [-inf, -inf]}),
             ("x=[inf,0]", {"x": [inf, 0.0]}),
             ("x=[inf,inf]", {"x": [inf, inf]}),
             ("x=[-800,-800]", {"x": [-800.0, -800.0]}),
             ("x=[5] (one entry)", {"x": [5.0]})]
C("LseV", [("x", "vector(n)")], "logsumexp(x)",
  lambda d: T.logsumexp(d["x"].flatten(), 0), hessian=True, edges=big_edges)
C("LseM", [("X", M)], "logsumexp(X)", lambda d: T.logsumexp(d["X"].flatten(), 0),
  hessian=True, edges=[("X=[[1e300,1e300]]", {"X": [[1e300, 1e300]]})])
C("LseCols", [("X", M)], "logsumexp(X, 1)", lambda d: T.logsumexp(d["X"], 0, keepdim=True),
  edges=[("X col of 1e300", {"X": [[1e300, 0.0], [1e300, -inf]]}),
         ("X 1 row", {"X": [[3.0, -2.0]]})])
C("LseRows", [("X", M)], "logsumexp(X, 2)", lambda d: T.logsumexp(d["X"], 1, keepdim=True),
  edges=[("X row -inf", {"X": [[-inf, -inf], [1.0, 2.0]]}),
         ("X 1 col", {"X": [[3.0], [-2.0]]})])
C("LseRowsS", [("X", M), ("Y", M)], "sum(logsumexp(X, 2)) + sum(logsumexp(X .* Y, 1) .^ 2)",
  lambda d: T.logsumexp(d["X"], 1).sum() + (T.logsumexp(d["X"] * d["Y"], 0) ** 2).sum(),
  hessian=True)
C("LseVecAxes", [("x", "vector(n)")], "logsumexp(x, 1) + sum(logsumexp(x, 2)) + sum(logsumexp(x', 1))",
  lambda d: T.logsumexp(d["x"].flatten(), 0) + d["x"].sum() + d["x"].sum(), hessian=True)
C("LseT", [("t", "scalar"), ("x", "vector(n)")], "logsumexp(t * x)",
  lambda d: T.logsumexp(d["t"] * d["x"].flatten(), 0), wrt=["t"], order=4)

C("SmV", [("x", "vector(n)")], "softmax(x)", lambda d: T.softmax(d["x"], 0),
  edges=big_edges)
C("SmVS", [("x", "vector(n)"), ("y", "vector(n)")], "softmax(x)' * y",
  lambda d: (T.softmax(d["x"], 0) * d["y"]).sum(), hessian=True)
C("SmCols", [("X", M)], "softmax(X, 1)", lambda d: T.softmax(d["X"], 0),
  edges=[("X 1 row", {"X": [[3.0, -2.0]]}), ("X col big", {"X": [[1e300, 0.0], [1e300, 1.0]]})])
C("SmRows", [("X", M)], "softmax(X, 2)", lambda d: T.softmax(d["X"], 1),
  edges=[("X 1 col", {"X": [[3.0], [-2.0]]}), ("X row inf", {"X": [[inf, 0.0], [1.0, 2.0]]})])
C("SmRowsS", [("X", M), ("Y", M)], "sum(softmax(X, 2) .* Y) + sum(softmax(X, 1) .* Y .* Y)",
  lambda d: (T.softmax(d["X"], 1) * d["Y"]).sum() + (T.softmax(d["X"], 0) * d["Y"] ** 2).sum(),
  hessian=True)
C("SmRowVec", [("x", "vector(n)")], "softmax(x', 2)", lambda d: T.softmax(d["x"].T, 1))
C("SmT", [("t", "scalar"), ("x", "vector(n)")], "softmax(t * x)",
  lambda d: T.softmax(d["t"] * d["x"], 0), wrt=["t"], order=3)
C("SmArcsin1", [("x", "vector(1)")], "sum(arcsin(softmax(x)))",
  lambda d: T.asin(T.softmax(d["x"], 0)).sum(), only_edges=True,
  edges=[("x=[0.3]", {"x": [0.3]})])

C("DiagV", [("v", "vector(n)")], "diag(v)", lambda d: T.diag(d["v"].flatten()))
C("DiagM", [("A", SQ)], "diag(A)", lambda d: T.diagonal(d["A"]).reshape(-1, 1))
C("DiagS", [("v", "vector(n)"), ("A", SQ)], "tr(diag(v) * A) + diag(A)' * v + sum(diag(v .* v))",
  lambda d: T.trace(T.diag(d["v"].flatten()) @ d["A"]) + (T.diagonal(d["A"]) * d["v"].flatten()).sum()
  + (d["v"] ** 2).sum(), hessian=True)
C("Eye", [("A", SQ)], "A + 2 * eye(n)", lambda d: d["A"] + 2 * T.eye(d["A"].shape[0], dtype=T.float64))
C("EyeS", [("A", SQ)], "sum((A + 2 * eye(n)) .* A)",
  lambda d: ((d["A"] + 2 * T.eye(d["A"].shape[0], dtype=T.float64)) * d["A"]).sum(), hessian=True)
C("FillV", [("x", "vector(n)")], "log(exp(x) + vector(1)) .* vector(2)",
  lambda d: T.log(T.exp(d["x"]) + 1) * 2)
C("FillM", [("X", M)], "X .* (matrix(3) - X)", lambda d: d["X"] * (3 - d["X"]))
C("FillOuter", [("x", "vector(n)"), ("b", "vector(k)")], "x * b' + vector(1) * b'",
  lambda d: d["x"] @ d["b"].T + d["b"].T.expand(d["x"].shape[0], -1))
C("LitDims", [("A", "matrix(3, n)"), ("v", "vector(3)")], "v' * A * A' * v",
  lambda d: d["v"].T @ d["A"] @ d["A"].T @ d["v"], hessian=True)

# ---------------------------------------------------------------- symmetric / spd
C("SymTr", [("S", "symmetric(n)"), ("A", SQ)], "tr(S * A)", lambda d: T.trace(d["S"] @ d["A"]),
  hessian=True)
C("SymQuad", [("S", "symmetric(n)"), ("x", "vector(n)")], "x' * S * x + sum(S .* S)",
  lambda d: d["x"].T @ d["S"] @ d["x"] + (d["S"] * d["S"]).sum(), hessian=True)
C("SymLogdet", [("S", "symmetric(n)")], "logdet(S)", lambda d: ld(d["S"]), hessian=True,
  dom={"S": "sq"})
C("SymDet", [("S", "symmetric(n)")], "det(S)", lambda d: T.linalg.det(d["S"]), hessian=True,
  dom={"S": "sq"})
C("SymInv", [("S", "symmetric(n)"), ("B", SQ)], "tr(inv(S) * B)",
  lambda d: T.trace(T.linalg.inv(d["S"]) @ d["B"]), hessian=True, dom={"S": "sq"})
spd_edges = [("not PD [[1,2],[2,1]]", {"S": [[1.0, 2.0], [2.0, 1.0]]}),
             ("singular PSD [[1,1],[1,1]]", {"S": [[1.0, 1.0], [1.0, 1.0]]}),
             ("1x1 negative", {"S": [[-1.0]]})]
C("SpdLogdet", [("S", "spd(n)")], "logdet(S)", lambda d: ld(d["S"]), hessian=True,
  edges=spd_edges)
C("SpdDet", [("S", "spd(n)")], "det(S)", lambda d: T.linalg.det(d["S"]), hessian=True,
  edges=spd_edges)
C("SpdInv", [("S", "spd(n)"), ("x", "vector(n)")], "x' * inv(S) * x",
  lambda d: d["x"].T @ T.linalg.inv(d["S"]) @ d["x"], hessian=True,
  edges=[(l, dict(v, x=[1.0] * len(v["S"]))) for l, v in spd_edges])
C("SpdGauss", [("S", "spd(n)"), ("C", "spd(n)")], "logdet(S) + tr(inv(S) * C)",
  lambda d: ld(d["S"]) + T.trace(T.linalg.inv(d["S"]) @ d["C"]), wrt=["S"], hessian=True)
C("SpdInvJ", [("S", "spd(n)"), ("A", SQ)], "inv(S) * A", lambda d: T.linalg.inv(d["S"]) @ d["A"],
  wrt=["A"])
C("SpdT", [("t", "scalar"), ("S", "spd(n)"), ("B", SQ)], "logdet(S) * t + tr(inv(S) * B) * t ^ 2",
  lambda d: ld(d["S"]) * d["t"] + T.trace(T.linalg.inv(d["S"]) @ d["B"]) * d["t"] ** 2,
  wrt=["t"], order=3)

# ---------------------------------------------------------------- lets and models
C("LetLogReg", [("X", "matrix(n, d)"), ("y", "vector(n)"), ("w", "vector(d)"), ("lambda", "scalar")],
  "sum(softplus(-y .* z)) + lambda / 2 * w' * w",
  lambda d: Fn.softplus(-d["y"] * (d["X"] @ d["w"])).sum() + d["lambda"] / 2 * (d["w"].T @ d["w"]),
  wrt=["w", "lambda"], hessian=True)
C("SoftmaxReg", [("X", "matrix(n, d)"), ("W", "matrix(d, k)"), ("b", "vector(k)"), ("Y", "matrix(n, k)")],
  "sum(logsumexp(X * W + b', 2)) - sum(Y .* (X * W + b'))",
  lambda d: T.logsumexp(d["X"] @ d["W"] + d["b"].T, 1).sum() - (d["Y"] * (d["X"] @ d["W"] + d["b"].T)).sum(),
  wrt=["W", "b"], hessian=True)
C("Mlp", [("X", "matrix(n, d)"), ("W1", "matrix(d, h)"), ("b1", "vector(h)"), ("w2", "vector(h)"), ("y", "vector(n)")],
  "sumsq(tanh(X * W1 + b1') * w2 - y) / 2",
  lambda d: ((T.tanh(d["X"] @ d["W1"] + d["b1"].T) @ d["w2"] - d["y"]) ** 2).sum() / 2,
  wrt=["W1", "b1", "w2"], hessian=True)

LETS = {"LetLogReg": {"z": "X * w"}}

# README "Edges of a domain": arcsin of a softmax over one entry, sqrt of
# entries tr never reads.
C("SmArcsinN", [("x", "vector(n)")], "sum(arcsin(softmax(x)))",
  lambda d: T.asin(T.softmax(d["x"], 0)).sum(), only_edges=True,
  edges=[("x=[0.3] (n=1)", {"x": [0.3]})])
C("TrSqrtNeg", [("A", SQ)], "tr(sqrt(A))", lambda d: T.trace(T.sqrt(d["A"])),
  only_edges=True, edges=[("A=[[1,-1],[-1,4]]", {"A": [[1.0, -1.0], [-1.0, 4.0]]})])
C("TrPow15Neg", [("A", SQ)], "tr(A .^ 1.5)", lambda d: T.trace(d["A"] ** 1.5),
  only_edges=True, edges=[("A=[[1,-1],[-1,4]]", {"A": [[1.0, -1.0], [-1.0, 4.0]]})])
