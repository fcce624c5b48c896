#!/usr/bin/python3
"""Random multi-operator specs against PyTorch 1.13 float64.

  /usr/bin/python3 oracle/torchcheck/random.py --specs DIR [--points 3] [--seed 1]
        [--work /tmp/torchcheck/random] [--tol 1e-8] [--json OUT] [--files REGEX]

DIR holds spec files written by gradgen's own generator
(go test ./oracle -run TestDumpSpecs -dump.dir=DIR ...), one spec.yaml per
subdirectory.  Each function's expression (and lets) is translated by a parser
of this file into PyTorch, independently of gradgen's code, following the
README's "Expression language" and "Semantics worth knowing".  Each spec file
is generated with gradgen into a scratch module and called through
driver.go.in (run.py's machinery); every generated role (F, FGrad, FHessVec,
FHessian, FJVP, FJacobian, FDerivk) is compared with PyTorch autograd at
random points that lie well inside every operator's smooth domain (guards
recorded by the translator, plus a finite-difference smoothness check of F).
Every disagreement is checked against a third method: central differences
(Richardson-extrapolated, float64) of the next lower derivative.
"""
import argparse
import copy
import glob
import json
import math
import os
import re
import shutil
import sys
import traceback

import numpy as np
import torch
import yaml

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
import run as R  # (oracle/torchcheck/run.py: driver, comparison, torch roles)

torch.set_default_dtype(torch.float64)
DT = torch.float64

# ------------------------------------------------------------------ parser

TOK = re.compile(r"\s*(?:(\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*)|(\.\*|\./|\.\^|[-+*/^'(),]))")

PREC = {"+": 1, "-": 1, "*": 2, ".*": 2, "./": 2, "/": 2, "^": 5, ".^": 5}
UNARY_PREC = 4
RIGHT = {"^", ".^"}


def lex(s):
    out, i = [], 0
    s = s.rstrip()
    while i < len(s):
        m = TOK.match(s, i)
        if not m or m.end() == i:
            raise SyntaxError(f"bad token at {i}: {s[i:]!r}")
        i = m.end()
        if m.group(1):
            out.append(("num", float(m.group(1))))
        elif m.group(2):
            out.append(("id", m.group(2)))
        else:
            out.append(("op", m.group(3)))
    out.append(("eof", None))
    return out


class Parser:
    def __init__(self, s):
        self.t = lex(s)
        self.i = 0

    def peek(self):
        return self.t[self.i]

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, op):
        tok = self.take()
        if tok != ("op", op):
            raise SyntaxError(f"want {op}, got {tok}")

    def parse(self):
        e = self.binary(1)
        if self.peek()[0] != "eof":
            raise SyntaxError(f"trailing {self.peek()}")
        return e

    def binary(self, minp):
        x = self.unary()
        while True:
            k, v = self.peek()
            if k != "op" or v not in PREC or PREC[v] < minp:
                return x
            self.take()
            y = self.binary(PREC[v]) if v in RIGHT else self.binary(PREC[v] + 1)
            x = ("bin", v, x, y)

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.binary(UNARY_PREC + 1))
        return self.postfix()

    def postfix(self):
        x = self.primary()
        while self.peek() == ("op", "'"):
            self.take()
            x = ("T", x)
        return x

    def primary(self):
        k, v = self.take()
        if k == "num":
            return ("num", v)
        if k == "id":
            if self.peek() == ("op", "("):
                self.take()
                args = [self.binary(1)]
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.binary(1))
                self.expect(")")
                return ("call", v, args)
            return ("id", v)
        if (k, v) == ("op", "("):
            e = self.binary(1)
            self.expect(")")
            return e
        raise SyntaxError(f"unexpected {k} {v}")


# ------------------------------------------------------------------ evaluator
# A value is V(tensor 2-D, static shape (rows, cols)); a static dimension is
# an int literal or a dimension name; "scalar" means both are the literal 1.
# Fills vector(c)/matrix(c) stay Lazy until a neighbour gives their shape.


class Unsupported(Exception):
    pass


def one(d):
    return d == 1


class V:
    __slots__ = ("t", "s", "dep")

    def __init__(self, t, s, dep):
        self.t, self.s, self.dep = t, tuple(s), dep

    @property
    def scalar(self):
        return one(self.s[0]) and one(self.s[1])


class Lazy:
    """A fill whose shape comes from its neighbours: f(static shape) -> V."""

    def __init__(self, f, kind, dep):
        self.f, self.kind, self.dep = f, kind, dep


ELEM = {
    "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "expm1": torch.expm1,
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "arcsin": torch.asin,
    "arccos": torch.acos, "arctan": torch.atan, "sinh": torch.sinh, "cosh": torch.cosh,
    "tanh": torch.tanh, "erf": torch.erf, "sigmoid": torch.sigmoid,
    "softplus": lambda x: torch.where(x > 0, x + torch.log1p(torch.exp(-x.clamp(min=0))),
                                      torch.log1p(torch.exp(x.clamp(max=0)))),
    "sqrt": torch.sqrt, "abs": torch.abs, "sign": torch.sign, "relu": torch.relu,
}

MARGIN = 0.02
SCALES = [1.0, 0.6, 0.3, 1.5]
VMAX, CMAX = 1e4, 1e3  # largest intermediate value, condition number (--wide: 1e6, 1e4)
DIMS = (1, 4)  # sizes of the dimension names, --dims


class Ev:
    def __init__(self, fn, dims, probe=False):
        self.fn = fn  # {'inputs': [(name, type)], 'let': [(name, ast)], 'expr': ast}
        self.dims = dims
        self.probe = probe
        self.viol = []
        self.maxabs = 0.0

    # ---- guards (probe mode only): the point must be well inside every operator's smooth domain
    def guard(self, ok, why):
        if self.probe and not ok:
            self.viol.append(why)

    def track(self, v):
        if self.probe and isinstance(v, V):
            with torch.no_grad():
                a = v.t.detach()
                if not torch.isfinite(a).all():
                    self.viol.append("nonfinite")
                elif a.numel():
                    self.maxabs = max(self.maxabs, float(a.abs().max()))
        return v

    def rt(self, d):  # runtime size of a static dimension
        return d if isinstance(d, int) else self.dims[d]

    def resolve(self, x, s):
        if isinstance(x, Lazy):
            return self.track(x.f(tuple(s)))
        return x

    def full(self, c, s):
        return V(c.t * torch.ones(self.rt(s[0]), self.rt(s[1]), dtype=DT), s, c.dep)

    def run(self, inputs):
        env = {}
        for nm, typ in self.fn["inputs"]:
            kind, ds = R.parse_type(typ)
            x = inputs[nm]
            if kind == "scalar":
                env[nm] = V(x.reshape(1, 1), (1, 1), True)
                continue
            d = [int(z) if z.isdigit() else z for z in ds]
            if kind == "vector":
                s = (d[0], 1)
            elif kind == "matrix":
                s = (d[0], d[1])
            else:
                s = (d[0], d[0])
            env[nm] = V(x.reshape(self.rt(s[0]), self.rt(s[1])), s, True)
        self.env = env
        for nm, e in self.fn["let"]:
            v = self.ev(e)
            if isinstance(v, Lazy):
                raise Unsupported("let of unresolved fill")
            env[nm] = v
        v = self.ev(self.fn["expr"])
        if isinstance(v, Lazy):
            raise Unsupported("expr is an unresolved fill")
        return v

    def ev(self, e):
        return self.track(self.ev1(e))

    def ev1(self, e):
        k = e[0]
        if k == "num":
            return V(torch.tensor([[e[1]]], dtype=DT), (1, 1), False)
        if k == "id":
            if e[1] not in self.env:
                raise Unsupported(f"unknown name {e[1]}")
            return self.env[e[1]]
        if k == "neg":
            x = self.ev(e[1])
            if isinstance(x, Lazy):
                return Lazy(lambda s, x=x: self.neg(x.f(s)), x.kind, x.dep)
            return self.neg(x)
        if k == "T":
            x = self.ev(e[1])
            if isinstance(x, Lazy):
                return Lazy(lambda s, x=x: self.tr_(x.f((s[1], s[0]))), x.kind, x.dep)
            return self.tr_(x)
        if k == "bin":
            return self.binop(e[1], e[2], e[3])
        if k == "call":
            return self.call(e[1], e[2])
        raise Unsupported(k)

    def neg(self, x):
        return V(-x.t, x.s, x.dep)

    def tr_(self, x):
        return V(x.t.T, (x.s[1], x.s[0]), x.dep)

    # ---- binary operators
    def binop(self, op, ea, eb):
        if op in ("^", ".^"):
            return self.power(op, ea, eb)
        a, b = self.ev(ea), self.ev(eb)
        if op == "*":
            return self.product(a, b)
        if op == "/":
            if isinstance(b, Lazy) or not b.scalar:
                raise Unsupported("/ by a non-scalar")
            self.guard(float(b.t.detach().abs().min()) > MARGIN, "/ near 0")
            if isinstance(a, Lazy):
                return Lazy(lambda s, a=a: self.ew("./", a.f(s), b), a.kind, a.dep or b.dep)
            return self.ew("./", a, b)
        return self.elementwise(op, a, b)

    def ew(self, op, a, b):
        if op == "./":
            self.guard(float(b.t.detach().abs().min()) > MARGIN, "./ near 0")
        f = {"+": torch.add, "-": torch.sub, ".*": torch.mul, "./": torch.div}[op]
        s = (b.s[0] if one(a.s[0]) else a.s[0], b.s[1] if one(a.s[1]) else a.s[1])
        t = f(a.t, b.t)
        if tuple(t.shape) != (self.rt(s[0]), self.rt(s[1])):
            raise Unsupported(f"broadcast {a.s} {op} {b.s}")
        return V(t, s, a.dep or b.dep)

    def elementwise(self, op, a, b):
        la, lb = isinstance(a, Lazy), isinstance(b, Lazy)
        if la and lb:
            return Lazy(lambda s: self.ew(op, a.f(s), b.f(s)), a.kind, a.dep or b.dep)
        if la:
            if b.scalar:
                return Lazy(lambda s: self.ew(op, a.f(s), b), a.kind, a.dep or b.dep)
            return self.ew(op, self.resolve(a, b.s), b)
        if lb:
            if a.scalar:
                return Lazy(lambda s: self.ew(op, a, b.f(s)), b.kind, a.dep or b.dep)
            return self.ew(op, a, self.resolve(b, a.s))
        return self.ew(op, a, b)

    def mul(self, a, b):
        if a.scalar or b.scalar:
            s = b.s if a.scalar else a.s
            return V(a.t * b.t, s, a.dep or b.dep)
        if a.s[1] != b.s[0]:
            raise Unsupported(f"product {a.s} * {b.s}")
        return V(a.t @ b.t, (a.s[0], b.s[1]), a.dep or b.dep)

    def product(self, a, b):
        la, lb = isinstance(a, Lazy), isinstance(b, Lazy)
        if la and lb:
            raise Unsupported("product of two fills")
        if la:
            if b.scalar:
                return Lazy(lambda s: self.mul(a.f(s), b), a.kind, True)
            if a.kind == "vector":
                if not one(b.s[0]):
                    raise Unsupported("vector fill times a non-row")
                return Lazy(lambda s: self.mul(self.resolve(a, (s[0], 1)), b), "matrix", True)
            return Lazy(lambda s: self.mul(self.resolve(a, (s[0], b.s[0])), b), "matrix", True)
        if lb:
            if a.scalar:
                return Lazy(lambda s: self.mul(a, b.f(s)), b.kind, True)
            if b.kind == "vector":
                return self.mul(a, self.resolve(b, (a.s[1], 1)))
            return Lazy(lambda s: self.mul(a, self.resolve(b, (a.s[1], s[1]))), "matrix", True)
        return self.mul(a, b)

    def power(self, op, ea, eb):
        a, p = self.ev(ea), self.ev(eb)
        if isinstance(p, Lazy) or not p.scalar:
            raise Unsupported("non-scalar exponent")
        if op == "^" and not isinstance(a, Lazy) and not a.scalar:
            if eb[0] != "num":  # (parenthesised literals are unwrapped by the parser)
                raise Unsupported("matrix power with a non-literal")
            k = int(eb[1])
            return V(torch.linalg.matrix_power(a.t, k), a.s, a.dep)
        pv = float(p.t.detach())
        intp = (not p.dep) and pv == math.floor(pv)

        def pw(x):
            xd = x.t.detach()
            if not intp:
                self.guard(float(xd.min()) > MARGIN, "power base not > 0")
            elif pv < 0:
                self.guard(float(xd.abs().min()) > MARGIN, "negative power near 0")
            return V(torch.pow(x.t, p.t), x.s, x.dep or p.dep)
        if isinstance(a, Lazy):
            return Lazy(lambda s: pw(a.f(s)), a.kind, a.dep or p.dep)
        return pw(a)

    # ---- calls
    def call(self, name, args):
        if name in ("vector", "matrix"):
            c = self.ev(args[0])
            if isinstance(c, Lazy) or not c.scalar:
                raise Unsupported("fill of a non-scalar")
            return Lazy(lambda s, c=c: self.full(c, s), name, c.dep)
        if name == "eye":
            a = args[0]
            if a[0] == "num":
                n = int(a[1])
            elif a[0] == "id":
                n = a[1]
            else:
                raise Unsupported("eye arg")
            return V(torch.eye(self.rt(n), dtype=DT), (n, n), False)
        if name in ELEM:
            if len(args) != 1:
                raise Unsupported("arity")
            x = self.ev(args[0])
            if isinstance(x, Lazy):
                return Lazy(lambda s, x=x: self.elem(name, x.f(s)), x.kind, x.dep)
            return self.elem(name, x)
        if name == "dot":
            a, b = self.ev(args[0]), self.ev(args[1])
            if isinstance(a, Lazy) and isinstance(b, Lazy):
                raise Unsupported("dot of fills")
            if isinstance(a, Lazy):
                a = self.resolve(a, b.s)
            if isinstance(b, Lazy):
                b = self.resolve(b, a.s)
            if a.s != b.s:
                raise Unsupported("dot shapes")
            return V((a.t * b.t).sum().reshape(1, 1), (1, 1), True)
        if len(args) == 2:
            if args[1][0] != "num" or args[1][1] not in (1.0, 2.0):
                raise Unsupported("dimension argument")
            dim = int(args[1][1])
            x = self.ev(args[0])
            if isinstance(x, Lazy):
                raise Unsupported(f"{name} of a fill")
            return self.along(name, x, dim)
        x = self.ev(args[0])
        if isinstance(x, Lazy):
            raise Unsupported(f"{name} of a fill")
        t, s = x.t, x.s
        sc = lambda u: V(u.reshape(1, 1), (1, 1), x.dep)  # noqa: E731
        if name == "sum":
            return sc(t.sum())
        if name == "mean":
            return sc(t.sum() / t.numel())
        if name == "tr":
            self.square(x)
            return sc(torch.diagonal(t).sum())
        if name in ("det", "logdet", "inv"):
            self.square(x)
            if self.probe:
                td = t.detach()
                cond = float(torch.linalg.cond(td)) if td.shape[0] > 1 else (math.inf if float(td.abs()) == 0 else 1.0)
                self.guard(cond < CMAX, f"{name}: cond above {CMAX:g}")
                self.guard(float(td.abs().max()) > 1e-3, f"{name} of ~0")
            if name == "det":
                return sc(torch.linalg.det(t))
            if name == "logdet":
                return sc(torch.linalg.slogdet(t)[1])  # log|det|
            return V(torch.linalg.inv(t), s, x.dep)
        if name == "norm1":
            self.guard(float(t.detach().abs().min()) > 1e-6, "norm1 kink")
            return sc(t.abs().sum())
        if name == "norm2":
            self.guard(float(t.detach().norm()) > MARGIN, "norm2 near 0")
            return sc(torch.sqrt((t * t).sum()))
        if name == "sumsq":
            return sc((t * t).sum())
        if name == "logsumexp":
            return sc(torch.logsumexp(t.reshape(-1), 0))
        if name == "softmax":
            if not (one(s[0]) or one(s[1])):
                raise Unsupported("softmax of a matrix without dim")
            return V(torch.softmax(t.reshape(-1), 0).reshape(t.shape), s, x.dep)
        if name == "diag":
            if one(s[1]) and not one(s[0]):
                return V(torch.diag(t[:, 0]), (s[0], s[0]), x.dep)
            if not one(s[0]) and not one(s[1]) and s[0] == s[1]:
                return V(torch.diagonal(t).reshape(-1, 1), (s[0], 1), x.dep)
            raise Unsupported(f"diag of {s}")
        raise Unsupported(f"function {name}")

    def square(self, x):
        if not (x.scalar or (x.s[0] == x.s[1] and not one(x.s[0]))):
            raise Unsupported(f"not square {x.s}")

    def elem(self, name, x):
        xd = x.t.detach()
        if name in ("log", "sqrt"):
            self.guard(float(xd.min()) > MARGIN, f"{name} near/below 0")
        elif name == "log1p":
            self.guard(float(xd.min()) > -1 + MARGIN, "log1p near -1")
        elif name in ("arcsin", "arccos"):
            self.guard(float(xd.abs().max()) < 1 - MARGIN, f"{name} near ±1")
        elif name == "tan":
            self.guard(float(torch.cos(xd).abs().min()) > 0.05, "tan near a pole")
        elif name in ("abs", "sign", "relu"):
            self.guard(float(xd.abs().min()) > 1e-6, f"{name} kink")
        return V(ELEM[name](x.t), x.s, x.dep)

    def along(self, name, x, dim):
        t, s = x.t, x.s
        ax = 0 if dim == 1 else 1
        rs = (1, s[1]) if dim == 1 else (s[0], 1)
        if name == "sum":
            return V(t.sum(ax, keepdim=True), rs, x.dep)
        if name == "mean":
            return V(t.sum(ax, keepdim=True) / t.shape[ax], rs, x.dep)
        if name == "logsumexp":
            return V(torch.logsumexp(t, ax, keepdim=True), rs, x.dep)
        if name == "softmax":
            return V(torch.softmax(t, ax), s, x.dep)
        raise Unsupported(f"{name}(., dim)")


def compile_fn(f):
    lets = list((f.get("let") or {}).items())
    return {
        "name": f["name"],
        "inputs": [(k, str(v)) for k, v in f["inputs"].items()],
        "let": [(k, Parser(str(e)).parse()) for k, e in lets],
        "let_src": lets,
        "expr": Parser(str(f["expr"])).parse(),
        "expr_src": str(f["expr"]),
        "wrt": list(f.get("wrt") or []),
        "order": f.get("order"),
        "hessian": bool(f.get("hessian")),
    }


class Case:
    """What run.TorchEval wants: name, inputs, wrt, torch(d)."""

    def __init__(self, fn, dims):
        self.fn, self.name, self.inputs, self.wrt = fn, fn["name"], fn["inputs"], fn["wrt"]
        self.dims = dims

    def torch(self, d):
        return Ev(self.fn, self.dims).run(d).t


# ------------------------------------------------------------------ points


def draw_point(fn, rng, attempt):
    dims = {}
    for _, t in fn["inputs"]:
        for dn in R.parse_type(t)[1]:
            if not dn.isdigit() and dn not in dims:
                dims[dn] = int(rng.integers(DIMS[0], DIMS[1] + 1))
    scale = SCALES[attempt % len(SCALES)]
    vals = {}
    for nm, t in fn["inputs"]:
        kind, shape = R.shape_of(t, dims)
        if kind == "spd":
            n = shape[0]
            M = rng.standard_normal((n, n))
            vals[nm] = M @ M.T / n + np.eye(n) / 2
            continue
        n = int(np.prod(shape)) if shape else 1
        mode = rng.integers(0, 3)
        if mode == 0:
            v = rng.standard_normal(n) * scale
        elif mode == 1:
            v = rng.uniform(0.2, 1.5, n) * scale + 0.1
        else:
            v = rng.uniform(0.3, 1.2, n) * scale * rng.choice([-1.0, 1.0], n)
        v = v.reshape(shape) if shape else float(v[0])
        if kind == "symmetric":
            v = (v + v.T) / 2
        vals[nm] = v
    return dims, vals


def tensors(fn, vals):
    return {nm: R.tt(vals[nm], t).reshape(-1) if R.parse_type(t)[0] == "vector" else R.tt(vals[nm], t)
            for nm, t in fn["inputs"]}


def check_point(fn, dims, vals, rng):
    """None if the point is usable, else the reason."""
    ev = Ev(fn, dims, probe=True)
    with torch.no_grad():
        y = ev.run(tensors(fn, vals))
    if ev.viol:
        return ev.viol[0]
    if ev.maxabs > VMAX:
        return f"value above {VMAX:g}"
    # smoothness: central differences of F along a random direction in every
    # input agree with PyTorch's JVP (h and h/2 consistent)
    types = dict(fn["inputs"])
    dirs = {}
    for nm, t in fn["inputs"]:
        kind, shape = R.shape_of(t, dims)
        d = rng.standard_normal(shape) if shape else float(rng.standard_normal())
        if kind in ("symmetric", "spd"):
            d = (d + d.T) / 2
        dirs[nm] = d
    names = [nm for nm, _ in fn["inputs"]]
    base = tensors(fn, vals)
    dt = tensors(fn, dirs)

    def F(s):
        d = {nm: base[nm] + s * dt[nm] for nm in names}
        return Ev(fn, dims).run(d).t

    try:
        _, jv = torch.autograd.functional.jvp(lambda *xs: Ev(fn, dims).run(dict(zip(names, xs))).t,
                                              tuple(base[nm] for nm in names), tuple(dt[nm] for nm in names))
        hs = 1e-4 * max(1.0, max(float(np.max(np.abs(np.asarray(vals[nm])))) for nm in names))
        with torch.no_grad():
            d1 = (F(hs) - F(-hs)) / (2 * hs)
            d2 = (F(hs / 2) - F(-hs / 2)) / hs
    except Exception as e:  # noqa: BLE001
        return f"torch error {type(e).__name__}"
    sc = float(jv.abs().max()) + float(y.t.abs().max()) + 1
    if not torch.isfinite(jv).all():
        return "nonfinite JVP"
    if float((d1 - jv).abs().max()) > 1e-4 * sc or float((d2 - jv).abs().max()) > 1e-4 * sc:
        return "F not smooth at the point (differences disagree with JVP)"
    return None


def find_point(fn, seed, tries=40):
    reasons = {}
    for a in range(tries):
        rng = np.random.default_rng(seed * 1009 + a)
        dims, vals = draw_point(fn, rng, a)
        try:
            why = check_point(fn, dims, vals, rng)
        except Unsupported:
            raise
        except Exception as e:  # noqa: BLE001
            why = f"torch error {type(e).__name__}: {str(e)[:60]}"
        if why is None:
            return dims, vals, None
        reasons[why] = reasons.get(why, 0) + 1
    return None, None, max(reasons, key=reasons.get)


# ------------------------------------------------------------------ spec / Go


def write_spec(fns, path):
    lines = ["package: tc", "functions:"]
    owner = {}
    for f in fns:
        start = len(lines) + 1
        lines.append(f"  - name: {f['name']}")
        lines.append("    inputs:")
        for nm, t in f["inputs"]:
            lines.append(f"      {nm}: {R.yq(t)}")
        if f["let_src"]:
            lines.append("    let:")
            for nm, e in f["let_src"]:
                lines.append(f"      {nm}: {R.yq(str(e))}")
        lines.append(f"    expr: {R.yq(f['expr_src'])}")
        if f["wrt"]:
            lines.append(f"    wrt: [{', '.join(f['wrt'])}]")
        if f["order"]:
            lines.append(f"    order: {f['order']}")
        if f["hessian"]:
            lines.append("    hessian: true")
        for ln in range(start, len(lines) + 1):
            owner[ln] = f["name"]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return owner


def fn_yaml(f):
    out = [f"- name: {f['name']}", "  inputs: {" + ", ".join(f"{n}: {R.yq(t)}" for n, t in f["inputs"]) + "}"]
    if f["let_src"]:
        out.append("  let: {" + ", ".join(f"{n}: {R.yq(str(e))}" for n, e in f["let_src"]) + "}")
    out.append(f"  expr: {R.yq(f['expr_src'])}")
    if f["wrt"]:
        out.append(f"  wrt: [{', '.join(f['wrt'])}]")
    if f["order"]:
        out.append(f"  order: {f['order']}")
    if f["hessian"]:
        out.append("  hessian: true")
    return "\n".join(out)


def generate(fns, work, gg):
    os.makedirs(os.path.join(work, "tc"), exist_ok=True)
    with open(os.path.join(work, "go.mod"), "w") as fh:
        fh.write(R.GOMOD.format(repo=R.REPO))
    if not os.path.exists(os.path.join(work, "go.sum")):
        shutil.copy(os.path.join(R.REPO, "go.sum"), os.path.join(work, "go.sum"))
    refused = {}
    kept = list(fns)
    spec = os.path.join(work, "tc", "tc.yaml")
    out = os.path.join(work, "tc", "tc_grad.go")
    while True:
        owner = write_spec(kept, spec)
        r = R.sh([gg, "-force", "-o", out, spec])
        if r.returncode == 0:
            break
        m = re.search(r"tc\.yaml:(\d+):\d+:", r.stderr)
        if not m or int(m.group(1)) not in owner:
            raise SystemExit("gradgen failed:\n" + r.stderr + r.stdout)
        bad = owner[int(m.group(1))]
        refused[bad] = r.stderr.strip().splitlines()[0]
        kept = [f for f in kept if f["name"] != bad]
    src = open(out).read()
    funcs = re.findall(r"^func ([A-Z]\w*)\(", src, re.M)
    funcs = [f for f in funcs if not f.endswith("Problem") and not f.endswith("Unpack")]
    scal = set(re.findall(r"^func ([A-Z]\w*)\(.*\) float64 \{$", src, re.M))
    with open(os.path.join(work, "funcs.go"), "w") as fh:
        fh.write('package main\n\nimport tc "tcmod/tc"\n\nvar funcs = map[string]any{\n')
        for f in funcs:
            fh.write(f'\t"{f}": tc.{f},\n')
        fh.write("}\n")
    shutil.copy(os.path.join(HERE, "driver.go.in"), os.path.join(work, "main.go"))
    r = R.sh(["go", "build", "-p", "1", "-o", "drv", "."], cwd=work)
    if r.returncode != 0:
        raise SystemExit("driver build failed:\n" + r.stderr[-3000:])
    return kept, refused, set(funcs), scal


# ------------------------------------------------------------------ third method


def richardson(g, h):
    """Derivative at 0 of g (numpy-valued), central differences at h and h/2, extrapolated."""
    d1 = (g(h) - g(-h)) / (2 * h)
    d2 = (g(h / 2) - g(-h / 2)) / h
    return (4 * d2 - d1) / 3


def fd_reference(te, role, dirs, wrt_types):
    """Central differences of the next lower derivative, computed with PyTorch
    float64 (F itself for Grad/JVP/Jacobian, the reverse gradient for
    HessVec/Hessian, d^(k-1)/dt^(k-1) for Derivk); flat numpy."""
    wrt = te.wrt
    base = [te.base[w] for w in wrt]
    h = 1e-3

    def shifted(fun, i=None, E=None, vs=None):
        def g(s):
            xs = [b.clone() for b in base]
            if vs is not None:
                xs = [b + s * v for b, v in zip(base, vs)]
            else:
                xs[i] = xs[i] + s * E
            return R.tonp(fun(xs))
        return g

    def unit_dirs(i):
        b = base[i]
        kind = R.parse_type(wrt_types[wrt[i]])[0]
        out = []
        for idx in range(b.numel()):
            E = torch.zeros(b.numel(), dtype=DT)
            E[idx] = 1
            E = E.reshape(b.shape)
            if kind in ("symmetric", "spd"):
                E = (E + E.T) / 2
            out.append(E)
        return out

    Fv = lambda xs: te.f(*xs).detach()  # noqa: E731

    def grad_of(xs):
        wv = [x.clone().requires_grad_(True) for x in xs]
        _, gs = te.grads(wv)
        return torch.cat([(R.sym(g) if te.issym(w) else g).reshape(-1) for w, g in zip(wrt, gs)]).detach()

    if role == "F":
        return None
    if role == "Grad":
        outs = []
        for i in range(len(wrt)):
            outs.append(np.array([float(richardson(shifted(Fv, i, E), h)[0]) for E in unit_dirs(i)]))
        return outs
    if role == "JVP":
        return [richardson(shifted(Fv, vs=te.dirs), h)]
    if role == "Jacobian":
        outs = []
        y = te.fflat2d(*base)
        m, n = y.shape
        for i in range(len(wrt)):
            cols = [richardson(shifted(Fv, i, E), h).reshape(m, n) for E in unit_dirs(i)]
            b = base[i]
            kind = R.parse_type(wrt_types[wrt[i]])[0]
            p, q = (1, 1) if kind == "scalar" else ((1, b.shape[0]) if kind == "vector" else tuple(b.shape))
            J = np.stack(cols).reshape(p, q, m, n).transpose(0, 2, 1, 3).reshape(p * m, q * n)
            outs.append(J.ravel())
        return outs
    if role == "HessVec":
        full = richardson(shifted(grad_of, vs=te.dirs), h)
        outs, o = [], 0
        for b in base:
            outs.append(full[o:o + b.numel()])
            o += b.numel()
        return outs
    if role == "Hessian":
        cols = []
        for i in range(len(wrt)):
            for E in unit_dirs(i):
                cols.append(richardson(shifted(grad_of, i, E), h))
        H = np.stack(cols, axis=1)
        return [((H + H.T) / 2).ravel()]
    if role.startswith("Deriv"):
        k = int(role[5:] or 1)
        lower = "F" if k == 1 else ("Deriv" if k == 2 else f"Deriv{k - 1}")

        def g(s):
            te2 = copy.copy(te)
            te2.base = dict(te.base)
            te2.base[wrt[0]] = base[0] + s
            ret, outs = te2.role(lower)
            return np.array([ret]) if ret is not None else R.tonp(outs[0])
        return [richardson(g, h)]
    return None


# ------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--specs", required=True, help="directory of */spec.yaml from TestDumpSpecs")
    ap.add_argument("--files", default="", help="regex on spec subdirectory names")
    ap.add_argument("--work", default="/tmp/torchcheck/random")
    ap.add_argument("--gradgen", default="/tmp/torchcheck/random/gradgen")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--points", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--json", default="")
    ap.add_argument("--repo", default="")
    ap.add_argument("--dims", default="1-4", help="sizes of dimension names, LO-HI")
    ap.add_argument("--wide", action="store_true", help="points nearer domain edges, entries up to ~6x larger, values to 1e6, cond to 1e4")
    args = ap.parse_args()
    global DIMS, MARGIN, SCALES, VMAX, CMAX
    DIMS = tuple(int(x) for x in args.dims.split("-"))
    if args.wide:  # nearer the edges of domains, larger entries and values
        MARGIN, SCALES, VMAX, CMAX = 0.005, [1.0, 3.0, 6.0, 0.3], 1e6, 1e4

    if args.repo:
        R.REPO = os.path.abspath(args.repo)
    if not args.no_build:
        os.makedirs(os.path.dirname(args.gradgen), exist_ok=True)
        r = R.sh(["go", "build", "-p", "1", "-o", args.gradgen, "./cmd/gradgen"], cwd=R.REPO)
        if r.returncode != 0:
            raise SystemExit("building gradgen failed:\n" + r.stderr)

    files = sorted(glob.glob(os.path.join(args.specs, "*", "spec.yaml")))
    files = [f for f in files if re.search(args.files, os.path.basename(os.path.dirname(f)))]
    stats = {"functions": 0, "translator_unsupported": 0, "refused": 0, "checked_functions": 0,
             "points": 0, "skipped_points": 0, "checks": 0, "disagreements": 0}
    roles_count, skip_reasons, unsupported = {}, {}, {}
    worst = {}  # role -> (normalised error, function, point)

    def note(role, g, t, name, p):
        g, t = np.asarray(g, dtype=float).ravel(), np.asarray(t, dtype=float).ravel()
        if g.size != t.size or not g.size:
            return
        fin = t[np.isfinite(t)]
        scale = float(np.max(np.abs(fin))) if fin.size else 0.0
        ok = np.isfinite(g) & np.isfinite(t)
        if not ok.any():
            return
        den = np.maximum.reduce([np.abs(g[ok]), np.abs(t[ok]), np.full(ok.sum(), 1e-2 * scale), np.full(ok.sum(), 1e-3)])
        e = float(np.max(np.abs(g[ok] - t[ok]) / den))
        if e > worst.get(role, (-1,))[0]:
            worst[role] = (e, name, p)
    findings = []
    for sf in files:
        tag = os.path.basename(os.path.dirname(sf))
        doc = yaml.safe_load(open(sf))
        fns = []
        for f in doc["functions"]:
            stats["functions"] += 1
            try:
                fns.append(compile_fn(f))
            except SyntaxError as e:
                stats["translator_unsupported"] += 1
                unsupported[f["name"]] = f"parse: {e}"
        work = os.path.join(args.work, tag)
        kept, refused, funcs, scal = generate(fns, work, args.gradgen)
        R.SCALAR_FNS = scal
        stats["refused"] += len(refused)
        for n, e in refused.items():
            unsupported[n] = "REFUSED by gradgen: " + e
        calls, meta = [], []
        for fi, fn in enumerate(kept):
            case0 = Case(fn, {})
            rs = R.roles(case0, funcs)
            wrt = fn["wrt"] or [nm for nm, _ in fn["inputs"]]
            fn["wrt"] = wrt
            types = dict(fn["inputs"])
            pts = 0
            for p in range(args.points):
                seed = args.seed * 7777777 + int(re.sub(r"\D", "", fn["name"]) or 0) * 101 + p
                try:
                    dims, vals, why = find_point(fn, seed)
                except Unsupported as e:
                    stats["translator_unsupported"] += 1
                    unsupported[fn["name"]] = f"translator: {e}"
                    break
                stats["points"] += 1
                if why:
                    stats["skipped_points"] += 1
                    skip_reasons[why] = skip_reasons.get(why, 0) + 1
                    continue
                pts += 1
                case = Case(fn, dims)
                dirs = R.directions(case, dims, seed + 17)
                for r in rs:
                    call = {"id": f"{fn['name']}|{p}|{r}", "fn": fn["name"] + ("" if r == "F" else r),
                            "inputs": [R.go_arr(vals[nm], t) for nm, t in fn["inputs"]], "dirs": []}
                    if r in ("HessVec", "JVP"):
                        call["dirs"] = [R.go_arr(dirs[w], types[w]) for w in wrt]
                    calls.append(call)
                    meta.append((fn, case, p, dims, vals, dirs, r))
            if pts:
                stats["checked_functions"] += 1
        r = R.sh([os.path.join(work, "drv")], inp=json.dumps(calls))
        if r.returncode != 0:
            raise SystemExit("driver failed:\n" + r.stderr[-5000:])
        results = json.loads(r.stdout)
        tcache, fbad = {}, set()
        for (fn, case, p, dims, vals, dirs, role), res in zip(meta, results):
            stats["checks"] += 1
            roles_count[role] = roles_count.get(role, 0) + 1
            key = (fn["name"], p)
            if key not in tcache:
                tcache[key] = R.TorchEval(case, vals, dirs)
            te = tcache[key]
            tret, touts, terr = R.torch_role(te, role)
            gerr, gret, gouts = R.gradgen_result(res)
            problems = []
            if gerr or terr:
                if gerr != terr:
                    problems.append({"what": "error", "gradgen": gerr, "torch": terr})
            else:
                if (gret is None) != (tret is None):
                    problems.append({"what": "return", "gradgen": gret, "torch": tret})
                elif gret is not None:
                    note(role, [gret], [tret], fn["name"], p)
                if gret is not None and tret is not None and not R.close(gret, tret, args.tol, abs(tret) if math.isfinite(tret) else 0):
                    problems.append({"what": "value", "gradgen": gret, "torch": tret, "idx": -1})
                if len(gouts) != len(touts):
                    problems.append({"what": "outputs", "gradgen": len(gouts), "torch": len(touts)})
                else:
                    for oi, (go, to) in enumerate(zip(gouts, touts)):
                        to = R.tonp(to)
                        note(role, go, to, fn["name"], p)
                        bad = R.cmp_arrays(go, to, args.tol)
                        if bad:
                            problems.append({"what": f"out{oi}", "oi": oi, "bad": bad if isinstance(bad, list) else str(bad),
                                             "gradgen": go.tolist(), "torch": to.tolist()})
            if not problems:
                continue
            if role == "F":
                fbad.add(key)
            stats["disagreements"] += 1
            # third method
            verdict = "unconfirmed"
            fdv = None
            try:
                fdr = fd_reference(te, role, dirs, dict(fn["inputs"]))
            except Exception as e:  # noqa: BLE001
                fdr = None
                verdict = f"no FD ({type(e).__name__}: {e})"
            if fdr is not None:
                votes = []
                for pr in problems:
                    if "oi" in pr:
                        fd = np.asarray(fdr[pr["oi"]]).ravel()
                        g, t = np.array(pr["gradgen"]), np.array(pr["torch"])
                    elif pr["what"] == "value" and role in ("Grad",):
                        continue
                    elif pr["what"] == "value" and role.startswith("Deriv"):
                        fd, g, t = np.asarray(fdr[0]).ravel(), np.array([pr["gradgen"]]), np.array([pr["torch"]])
                    else:
                        continue
                    fdv = fd.tolist()
                    eg = float(np.max(np.abs(g - fd))) if fd.size == g.size else math.inf
                    et = float(np.max(np.abs(t - fd))) if fd.size == t.size else math.inf
                    votes.append((eg, et))
                if votes:
                    eg = max(v[0] for v in votes)
                    et = max(v[1] for v in votes)
                    gap = max(abs(np.array(pr["gradgen"]) - np.array(pr["torch"])).max() if "oi" in pr else 0 for pr in problems)
                    if et < 0.1 * eg:
                        verdict = f"FD sides with torch (|gradgen-FD| {eg:.3g}, |torch-FD| {et:.3g}): gradgen suspect"
                    elif eg < 0.1 * et:
                        verdict = f"FD sides with gradgen (|gradgen-FD| {eg:.3g}, |torch-FD| {et:.3g}): torch/translator suspect"
                    else:
                        verdict = f"FD cannot tell (|gradgen-FD| {eg:.3g}, |torch-FD| {et:.3g}, gap {gap:.3g})"
            if role != "F" and key in fbad:
                verdict = "F itself disagrees at this point (the differences are of PyTorch's F): " + verdict
            findings.append({"file": tag, "function": fn["name"], "yaml": fn_yaml(fn), "role": role,
                             "dims": dims, "point": {k: np.asarray(v, dtype=float).tolist() for k, v in vals.items()},
                             "dirs": {k: np.asarray(v, dtype=float).tolist() for k, v in dirs.items()} if role in ("HessVec", "JVP") else None,
                             "problems": problems, "fd": fdv, "verdict": verdict})
        print(f"{tag}: {len(kept)} generated, {len(calls)} checks so far total {stats['checks']}, "
              f"disagreements {stats['disagreements']}", flush=True)

    print(json.dumps(stats))
    print("by role:", json.dumps(roles_count, sort_keys=True))
    print("largest normalised difference by role (tolerance %g):" % args.tol,
          ", ".join(f"{r} {w[0]:.2g} ({w[1]} point {w[2]})" for r, w in sorted(worst.items())))
    print("skipped points by reason:", json.dumps(skip_reasons, sort_keys=True, indent=1))
    for n, e in unsupported.items():
        print(f"NOT CHECKED {n}: {e}")
    print(f"\n==== disagreements: {len(findings)}")
    for f in findings:
        print(f"--- {f['file']} {f['function']} {f['role']} dims={f['dims']}: {f['verdict']}")
        print("  " + f["yaml"].replace("\n", "\n  "))
        print(f"  point: {json.dumps(f['point'])}")
        if f["dirs"]:
            print(f"  dirs: {json.dumps(f['dirs'])}")
        for pr in f["problems"]:
            if "oi" in pr:
                print(f"  {pr['what']} bad entries {pr['bad'][:8]}")
                print(f"    gradgen {R.fmt(pr['gradgen'])}\n    torch   {R.fmt(pr['torch'])}")
            else:
                print(f"  {pr['what']}: gradgen {pr['gradgen']} torch {pr['torch']}")
        if f["fd"] is not None:
            print(f"    FD      {R.fmt(f['fd'])}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"stats": stats, "roles": roles_count, "worst": worst, "skips": skip_reasons,
                       "unsupported": unsupported, "findings": findings}, fh, indent=1)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        sys.exit(3)
