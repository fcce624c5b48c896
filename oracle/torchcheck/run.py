#!/usr/bin/python3
"""PyTorch float64 cross-check of gradgen's generated code, operator by operator.

  /usr/bin/python3 oracle/torchcheck/run.py [--work DIR] [--points N] [--seed S]
                                            [--only REGEX] [--tol 1e-9] [--json OUT]

Writes the spec of cases.py into a scratch module (default /tmp/torchcheck/mod,
which replaces github.com/gradgen/gradgen by this tree), generates it with
gradgen, builds driver.go.in against it, evaluates every generated function
(F, FGrad, FHessVec, FHessian, FJVP, FJacobian, FDerivk) at random points and
at the edge points of cases.py, evaluates the same with PyTorch autograd and
prints every disagreement.  Exit status 1 when any generic-point check
disagrees.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import traceback

import numpy as np
import torch

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as casemod  # noqa: E402

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DT = torch.float64

# ------------------------------------------------------------------ types


def parse_type(t):
    m = re.fullmatch(r"\s*(scalar|vector|matrix|symmetric|spd)\s*(?:\((.*)\))?\s*", t)
    kind, args = m.group(1), m.group(2)
    dims = [a.strip() for a in args.split(",")] if args else []
    return kind, dims


def dimval(d, dims):
    return int(d) if d.isdigit() else dims[d]


def shape_of(t, dims):
    kind, ds = parse_type(t)
    if kind == "scalar":
        return kind, ()
    if kind == "vector":
        return kind, (dimval(ds[0], dims),)
    if kind == "matrix":
        return kind, (dimval(ds[0], dims), dimval(ds[1], dims))
    n = dimval(ds[0], dims)
    return kind, (n, n)


# ------------------------------------------------------------------ points


def draw(rng, dom, shape):
    n = int(np.prod(shape)) if shape else 1
    if dom == "gen":
        v = rng.standard_normal(n)
    elif dom == "pos":
        v = rng.uniform(0.3, 2.5, n)
    elif dom == "unit":
        v = rng.uniform(-0.85, 0.85, n)
    elif dom == "tan":
        v = rng.uniform(-1.2, 1.2, n)
    elif dom == "gtm1":
        v = rng.uniform(-0.6, 2.0, n)
    elif dom == "gtm1b":
        v = rng.uniform(-0.45, 2.0, n)
    elif dom == "nz":
        v = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
    elif dom == "small":
        v = rng.uniform(-0.6, 0.6, n)
    elif dom == "tpos":
        v = rng.uniform(0.6, 1.4, n)
    else:
        raise ValueError(dom)
    return v.reshape(shape) if shape else float(v[0])


def draw_input(rng, typ, dom, dims):
    kind, shape = shape_of(typ, dims)
    if kind == "spd":
        n = shape[0]
        Mx = rng.standard_normal((n, n))
        return Mx @ Mx.T / n + np.eye(n) / 2
    if dom == "sq" and shape[0] > 6:  # large: a well-conditioned shift of a random matrix
        n = shape[0]
        A = rng.standard_normal((n, n)) / math.sqrt(n)
        if kind == "symmetric":
            A = (A + A.T) / 2
        return A + 2.5 * np.eye(n) * rng.choice([-1.0, 1.0])
    if dom == "sq":
        n = shape[0]
        while True:
            A = rng.standard_normal((n, n))
            if kind == "symmetric":
                A = (A + A.T) / 2
            if np.linalg.cond(A) < 20 and abs(np.linalg.det(A)) > 0.05:
                return A
    v = draw(rng, dom, shape)
    if kind == "symmetric":
        v = (v + v.T) / 2
    return v


DIMS = (1, 4)


def all_dims(case):
    names = []
    for _, t in case.inputs:
        for d in parse_type(t)[1]:
            if not d.isdigit() and d not in names:
                names.append(d)
    return names


def points_for(case, npoints, seed):
    """[(label, is_edge, dims, {input: ndarray|float})]"""
    out = []
    base = seed * 1000003 + sum(ord(c) * (i + 1) for i, c in enumerate(case.name))
    dnames = all_dims(case)
    if not case.only_edges:
        for p in range(npoints):
            rng = np.random.default_rng(base + p)
            if p == 0:
                dims = {d: 1 for d in dnames}
            elif p == 1:
                dims = {d: int(rng.integers(max(2, DIMS[0]), DIMS[1] + 1)) for d in dnames}
            else:
                dims = {d: int(rng.integers(DIMS[0], DIMS[1] + 1)) for d in dnames}
            vals = {nm: draw_input(rng, t, case.dom.get(nm, "gen"), dims) for nm, t in case.inputs}
            out.append((f"rand{p} dims={dims}", False, dims, vals))
    for k, (label, given) in enumerate(case.edges):
        rng = np.random.default_rng(base + 7777 + k)
        dims = {}
        for nm, t in case.inputs:
            if nm in given:
                kind, ds = parse_type(t)
                v = np.array(given[nm], dtype=float)
                if kind == "vector":
                    shp = [len(given[nm])]
                elif kind == "scalar":
                    shp = []
                else:
                    shp = list(v.shape)
                for dn, sz in zip(ds, shp):
                    if not dn.isdigit():
                        dims[dn] = sz
        for dn in dnames:
            dims.setdefault(dn, 2)
        vals = {}
        for nm, t in case.inputs:
            if nm in given:
                g = given[nm]
                vals[nm] = float(g) if not isinstance(g, list) else np.array(g, dtype=float)
            else:
                vals[nm] = draw_input(rng, t, case.dom.get(nm, "gen"), dims)
        out.append((f"edge {label}", True, dims, vals))
    return out


def wrt_of(case):
    return case.wrt if case.wrt else [nm for nm, _ in case.inputs]


def directions(case, dims, seed):
    rng = np.random.default_rng(seed)
    types = dict(case.inputs)
    dirs = {}
    for w in wrt_of(case):
        kind, shape = shape_of(types[w], dims)
        v = rng.standard_normal(shape) if shape else float(rng.standard_normal())
        if kind in ("symmetric", "spd"):
            v = (v + v.T) / 2
        dirs[w] = v
    return dirs


# ------------------------------------------------------------------ spec


def yq(s):
    return json.dumps(s)  # a JSON string is a YAML double-quoted scalar


def write_spec(cases, path):
    lines = ["# generated by oracle/torchcheck/run.py from cases.py", "package: tc", "functions:"]
    owner = {}
    for c in cases:
        start = len(lines) + 1
        lines.append(f"  - name: {c.name}")
        lines.append("    inputs:")
        for nm, t in c.inputs:
            lines.append(f"      {nm}: {yq(t)}")
        lets = casemod.LETS.get(c.name)
        if lets:
            lines.append("    let:")
            for nm, e in lets.items():
                lines.append(f"      {nm}: {yq(e)}")
        lines.append(f"    expr: {yq(c.expr)}")
        if c.wrt:
            lines.append(f"    wrt: [{', '.join(c.wrt)}]")
        if c.order:
            lines.append(f"    order: {c.order}")
        if c.hessian:
            lines.append("    hessian: true")
        for ln in range(start, len(lines) + 1):
            owner[ln] = c.name
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return owner


GOMOD = """module tcmod

go 1.26.0

require (
	github.com/gradgen/gradgen v0.0.0
	gonum.org/v1/gonum v0.17.0
)

replace github.com/gradgen/gradgen => {repo}
"""


def sh(cmd, cwd=None, env=None, inp=None):
    e = dict(os.environ)
    e.update({"GOMAXPROCS": "1", "GOFLAGS": "-mod=mod"})
    if env:
        e.update(env)
    return subprocess.run(cmd, cwd=cwd, env=e, input=inp, capture_output=True, text=True)


def generate(cases, work, gg):
    """Generates and builds; returns (kept cases, refused {name: error}, funcs)."""
    os.makedirs(os.path.join(work, "tc"), exist_ok=True)
    with open(os.path.join(work, "go.mod"), "w") as f:
        f.write(GOMOD.format(repo=REPO))
    if not os.path.exists(os.path.join(work, "go.sum")):
        shutil.copy(os.path.join(REPO, "go.sum"), os.path.join(work, "go.sum"))
    refused = {}
    kept = list(cases)
    spec = os.path.join(work, "tc", "tc.yaml")
    out = os.path.join(work, "tc", "tc_grad.go")
    while True:
        owner = write_spec(kept, spec)
        r = sh([gg, "-force", "-o", out, spec])
        if r.returncode == 0:
            break
        m = re.search(r"tc\.yaml:(\d+):\d+:", r.stderr)
        if not m or int(m.group(1)) not in owner:
            raise SystemExit("gradgen failed:\n" + r.stderr + r.stdout)
        bad = owner[int(m.group(1))]
        refused[bad] = r.stderr.strip().splitlines()[0]
        kept = [c for c in kept if c.name != bad]
    src = open(out).read()
    funcs = re.findall(r"^func ([A-Z]\w*)\(", src, re.M)
    funcs = [f for f in funcs if not f.endswith("Problem") and not f.endswith("Unpack")]
    global SCALAR_FNS
    SCALAR_FNS = set(re.findall(r"^func ([A-Z]\w*)\(.*\) float64 \{$", src, re.M))
    with open(os.path.join(work, "funcs.go"), "w") as f:
        f.write('package main\n\nimport tc "tcmod/tc"\n\nvar funcs = map[string]any{\n')
        for fn in funcs:
            f.write(f'\t"{fn}": tc.{fn},\n')
        f.write("}\n")
    shutil.copy(os.path.join(HERE, "driver.go.in"), os.path.join(work, "main.go"))
    r = sh(["go", "build", "-p", "1", "-o", "drv", "."], cwd=work)
    if r.returncode != 0:
        raise SystemExit("driver build failed:\n" + r.stderr)
    return kept, refused, set(funcs)


# ------------------------------------------------------------------ Go calls


def enc(v):
    return repr(float(v))


def go_arr(val, typ):
    kind = parse_type(typ)[0]
    if kind == "scalar":
        return {"k": "s", "r": 1, "c": 1, "v": [enc(val)]}
    a = np.asarray(val, dtype=float)
    if kind == "vector":
        return {"k": "v", "r": a.size, "c": 1, "v": [enc(x) for x in a.ravel()]}
    k = "m" if kind == "matrix" else "y"
    return {"k": k, "r": a.shape[0], "c": a.shape[1], "v": [enc(x) for x in a.ravel()]}


def roles(case, funcs):
    rs = []
    n = case.name
    for suf in ["", "Grad", "HessVec", "Hessian", "JVP", "Jacobian"]:
        if n + suf in funcs:
            rs.append(suf or "F")
    k = 1
    while f"{n}Deriv{'' if k == 1 else k}" in funcs:
        rs.append(f"Deriv{'' if k == 1 else k}")
        k += 1
    return rs


# ------------------------------------------------------------------ torch side


SCALAR_FNS = set()


def tt(val, typ):
    kind = parse_type(typ)[0]
    if kind == "scalar":
        return torch.tensor(float(val), dtype=DT)
    a = torch.tensor(np.asarray(val, dtype=float), dtype=DT)
    if kind == "vector":
        return a.reshape(-1, 1)
    return a


def sym(g):
    return (g + g.T) / 2


class TorchEval:
    def __init__(self, case, vals, dirs):
        self.case = case
        self.scalar = case.name in SCALAR_FNS
        self.types = dict(case.inputs)
        self.base = {nm: tt(vals[nm], t) for nm, t in case.inputs}
        self.wrt = wrt_of(case)
        self.dirs = [tt(dirs[w], self.types[w]) for w in self.wrt] if dirs else None

    def issym(self, w):
        return parse_type(self.types[w])[0] in ("symmetric", "spd")

    def f(self, *wv):
        d = dict(self.base)
        for w, v in zip(self.wrt, wv):
            d[w] = v
        return self.case.torch(d)

    def fs(self, *wv):  # scalar value
        return self.f(*wv).reshape(())

    def fflat2d(self, *wv):
        y = self.f(*wv)
        if y.dim() == 0:
            y = y.reshape(1, 1)
        return y

    def wvals(self, grad=False):
        return [self.base[w].clone().requires_grad_(grad) for w in self.wrt]

    def grads(self, wv, create_graph=False):
        y = self.fs(*wv)
        if not y.requires_grad:
            return y, [torch.zeros_like(w) for w in wv]
        gs = torch.autograd.grad(y, wv, allow_unused=True, create_graph=create_graph)
        return y, [torch.zeros_like(w) if g is None else g for w, g in zip(wv, gs)]

    def role(self, r):
        """Returns (ret or None, [arrays]) as flat numpy, in Go's order."""
        if r == "F":
            y = self.f(*self.wvals())
            if self.scalar:
                return float(y.reshape(())), []
            return None, [y.detach()]
        if r == "Grad":
            wv = self.wvals(True)
            y, gs = self.grads(wv)
            gs = [sym(g) if self.issym(w) else g for w, g in zip(self.wrt, gs)]
            return float(y), [g.detach() for g in gs]
        if r == "HessVec":
            wv = self.wvals(True)
            _, gs = self.grads(wv, create_graph=True)
            inner = sum((g * v).sum() for g, v in zip(gs, self.dirs))
            if not inner.requires_grad:
                hs = [torch.zeros_like(w) for w in wv]
            else:
                hs = torch.autograd.grad(inner, wv, allow_unused=True)
                hs = [torch.zeros_like(w) if h is None else h for w, h in zip(wv, hs)]
            hs = [sym(h) if self.issym(w) else h for w, h in zip(self.wrt, hs)]
            return None, [h.detach() for h in hs]
        if r == "Hessian":
            sizes = [self.base[w].numel() for w in self.wrt]
            shapes = [self.base[w].shape for w in self.wrt]
            z0 = torch.cat([self.base[w].reshape(-1) for w in self.wrt])

            def fp(z):
                parts, o = [], 0
                for s, shp in zip(sizes, shapes):
                    parts.append(z[o:o + s].reshape(shp))
                    o += s
                return self.fs(*parts)
            H = torch.autograd.functional.hessian(fp, z0)
            return None, [H]
        if r == "JVP":
            _, jv = torch.autograd.functional.jvp(self.fflat2d, tuple(self.wvals()), tuple(self.dirs))
            return None, [jv]
        if r == "Jacobian":
            y = self.fflat2d(*self.wvals())
            m, n = y.shape
            J = torch.autograd.functional.jacobian(self.fflat2d, tuple(self.wvals()))
            out = []
            for w, Jw in zip(self.wrt, J):
                b = self.base[w]
                kind = parse_type(self.types[w])[0]
                p, q = (1, 1) if kind == "scalar" else ((1, b.shape[0]) if kind == "vector" else b.shape)
                out.append(Jw.reshape(m, n, p, q).permute(2, 0, 3, 1).reshape(p * m, q * n))
            return None, out
        if r.startswith("Deriv"):
            k = int(r[5:] or 1)
            assert len(self.wrt) == 1

            def dk(t, k):  # nested forward-mode products in the direction 1
                if k == 0:
                    return self.f(t)
                one = torch.ones_like(t)
                return torch.autograd.functional.jvp(lambda s: dk(s, k - 1), t, one, create_graph=True)[1]
            y = dk(self.wvals()[0], k)
            if self.scalar:
                return float(y.reshape(())), []
            return None, [y.detach()]
        raise ValueError(r)


# ------------------------------------------------------------------ compare


def tonp(t):
    # np.asarray on a torch tensor can read garbage from zero-stride views
    # (efficient zero tensors of double backward); materialise, then a list.
    if hasattr(t, "detach"):
        return np.array((t.detach() + 0).reshape(-1).tolist(), dtype=float)
    return np.asarray(t, dtype=float).ravel()


def close(a, b, tol, scale):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    # relative to the entry, to 1% of the array's largest entry, and to 1e-3
    # (an absolute floor of 1e-12 at tol 1e-9: a derivative that is exactly
    # 0, such as d^4/dt^4 det(A + tB) for n <= 3, comes out as rounding noise)
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-2 * scale, 1e-3)


def cmp_arrays(ga, ta, tol):
    ga = np.asarray(ga, dtype=float).ravel()
    ta = np.asarray(ta, dtype=float).ravel()
    if ga.size != ta.size:
        return f"size {ga.size} vs {ta.size}"
    fin = ta[np.isfinite(ta)]
    scale = float(np.max(np.abs(fin))) if fin.size else 0.0
    bad = [i for i in range(ga.size) if not close(float(ga[i]), float(ta[i]), tol, scale)]
    return bad


def fmt(a):
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return f"{float(a.ravel()[0]):.17g}"
    return "[" + ", ".join(f"{x:.10g}" for x in a.ravel()) + "]"


def fmt_in(v):
    if isinstance(v, float):
        return f"{v:.10g}"
    a = np.asarray(v)
    return np.array2string(a, precision=6, separator=",", max_line_width=1000).replace("\n", "")


# ------------------------------------------------------------------ main



def torch_role(te, role):
    """PyTorch's return value and outputs for a role of the evaluation te,
    and the first line of its exception instead when it raises."""
    try:
        tret, touts = te.role(role)
        return tret, touts, None
    except Exception as e:  # noqa: BLE001
        return None, [], f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"


def gradgen_result(res):
    """The driver's error, return value and outputs for one call."""
    gret = float(res["ret"]) if res.get("ret") is not None else None
    gouts = [np.array([float(x) for x in o["v"]]) for o in (res.get("outs") or [])]
    return res.get("err"), gret, gouts

def main():
    global DIMS, REPO
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/torchcheck/mod")
    ap.add_argument("--gradgen", default="/tmp/torchcheck/gradgen")
    ap.add_argument("--points", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--tol", type=float, default=1e-9)
    ap.add_argument("--json", default="")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--repo", default="", help="gradgen tree to build and replace into the scratch module (default: this one)")
    ap.add_argument("--dims", default="1-4", help="range of random dimension sizes, LO-HI")
    ap.add_argument("--roles", default="", help="regex: check only these roles (F, Grad, HessVec, Hessian, JVP, Jacobian, Deriv, Deriv2, ...)")
    args = ap.parse_args()

    REPO = os.path.abspath(args.repo or REPO)
    DIMS = tuple(int(x) for x in args.dims.split("-"))
    if not args.no_build:
        os.makedirs(os.path.dirname(args.gradgen), exist_ok=True)
        r = sh(["go", "build", "-p", "1", "-o", args.gradgen, "./cmd/gradgen"], cwd=REPO)
        if r.returncode != 0:
            raise SystemExit("building gradgen failed:\n" + r.stderr)
    cases = [c for c in casemod.CASES if re.search(args.only, c.name)]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    kept, refused, funcs = generate(cases, args.work, args.gradgen)

    calls, meta = [], []
    for ci, c in enumerate(kept):
        rs = [r for r in roles(c, funcs) if re.fullmatch(args.roles or ".*", r)]
        types = dict(c.inputs)
        for pi, (label, edge, dims, vals) in enumerate(points_for(c, args.points, args.seed)):
            dirs = directions(c, dims, args.seed * 7919 + ci * 101 + pi)
            for r in rs:
                cid = f"{c.name}|{pi}|{r}"
                call = {"id": cid, "fn": c.name + ("" if r == "F" else r),
                        "inputs": [go_arr(vals[nm], t) for nm, t in c.inputs], "dirs": []}
                if r in ("HessVec", "JVP"):
                    call["dirs"] = [go_arr(dirs[w], types[w]) for w in wrt_of(c)]
                calls.append(call)
                meta.append((c, label, edge, vals, dirs, r))
    r = sh([os.path.join(args.work, "drv")], inp=json.dumps(calls))
    if r.returncode != 0:
        raise SystemExit("driver failed:\n" + r.stderr[-5000:])
    results = json.loads(r.stdout)
    assert len(results) == len(calls)

    findings = []
    stats = {"generic": 0, "edge": 0}
    roles_count = {}
    tcache = {}
    for (c, label, edge, vals, dirs, role), res in zip(meta, results):
        stats["edge" if edge else "generic"] += 1
        roles_count[role] = roles_count.get(role, 0) + 1
        key = (c.name, label)
        if key not in tcache:
            tcache[key] = TorchEval(c, vals, dirs)
        te = tcache[key]
        tret, touts, terr = torch_role(te, role)
        gerr, gret, gouts = gradgen_result(res)
        problems = []
        if gerr or terr:
            if gerr != terr:
                problems.append(("error", gerr, terr))
        else:
            if (gret is None) != (tret is None):
                problems.append(("return", gret, tret))
            elif gret is not None:
                if not close(gret, tret, args.tol, abs(tret) if math.isfinite(tret) else 0):
                    problems.append(("value", gret, tret))
            if len(gouts) != len(touts):
                problems.append(("outputs", len(gouts), len(touts)))
            else:
                for oi, (go, to) in enumerate(zip(gouts, touts)):
                    to = tonp(to)
                    bad = cmp_arrays(go, to, args.tol)
                    if bad:
                        what = "out"
                        if role in ("Grad", "HessVec", "Jacobian"):
                            what = ("d" if role == "Grad" else "h" if role == "HessVec" else "J") + wrt_of(c)[oi]
                        problems.append((what, fmt(go), fmt(to.ravel())))
        if problems:
            findings.append({"case": c.name, "expr": c.expr, "wrt": wrt_of(c), "role": role,
                             "point": label, "edge": edge,
                             "inputs": {k: fmt_in(v) for k, v in vals.items()},
                             "dirs": {k: fmt_in(v) for k, v in dirs.items()} if role in ("HessVec", "JVP") else None,
                             "raw_inputs": {k: np.asarray(v, dtype=float).tolist() for k, v in vals.items()},
                             "raw_dirs": {k: np.asarray(v, dtype=float).tolist() for k, v in dirs.items()},
                             "problems": [[str(x) for x in p] for p in problems]})

    ncases = len(kept)
    print(f"cases: {ncases} generated ({len(refused)} refused by gradgen); "
          f"checks: {stats['generic']} at generic points, {stats['edge']} at edge points; "
          f"by role: {json.dumps(roles_count, sort_keys=True)}")
    for n, e in refused.items():
        print(f"REFUSED {n}: {e}")
    for edge in (False, True):
        fs = [f for f in findings if f["edge"] == edge]
        print(f"\n==== {'EDGE' if edge else 'GENERIC'}-point disagreements: {len(fs)}")
        for f in fs:
            print(f"- {f['case']} `{f['expr']}` wrt {f['wrt']} {f['role']} at {f['point']}")
            print(f"    inputs {f['inputs']}" + (f" dirs {f['dirs']}" if f['dirs'] else ""))
            for p in f["problems"]:
                print(f"    {p[0]}: gradgen {p[1]}  torch {p[2]}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"refused": refused, "findings": findings, "stats": stats,
                       "roles": roles_count}, fh, indent=1)
    sys.exit(1 if any(not f["edge"] for f in findings) else 0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        sys.exit(3)
