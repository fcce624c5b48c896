#!/usr/bin/python3
"""One batch of the independent random tester for gradgen.

  nice -n 10 /usr/bin/python3 tester.py SEED [NFUNCS] [--simd] [--big] [--motifs | --allmotifs]
                                          [--views] [--ones] [--standalone] [--test]
                                          [--work DIR] [--worktree]

Generates NFUNCS random functions (specgen.py) into one spec, runs the gradgen built from this
repository on it (dropping functions it rejects), builds a Go program that calls every generated
role at two input sets of different dimension sizes, re-runs set 1 after set 2 and runs both sets
concurrently (compared bitwise), and compares every derivative with torch.autograd in float64.
Writes WORK/runs/b<SEED>/ (gen/spec.yaml, gen/spec_grad.go, main.go, out.json, log.json) and
appends one summary line to WORK/results.jsonl (see workspace.py for WORK).
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import specgen  # noqa: E402
import workspace  # noqa: E402
from specgen import make_function, make_motif, dims  # noqa: E402

torch.set_default_dtype(torch.float64)


def yq(s):
    """a double-quoted YAML scalar"""
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def spec_yaml(funcs):
    """the spec text of funcs; records each function's first and last line (line0, line1)"""
    lines = ['package: gen', 'functions:']
    for f in funcs:
        f['line0'] = len(lines) + 1
        g = f['gen']
        lines.append('  - name: %s' % f['name'])
        lines.append('    inputs:')
        for d in f['inputs']:
            lines.append('      %s: %s' % (d['name'], yq(d['type'])))
        if g.lets:
            lines.append('    let:')
            for nm, node in g.lets:
                lines.append('      %s: %s' % (nm, yq(node.s)))
        lines.append('    expr: %s' % yq(f['expr'].s))
        if not f.get('wrt_omitted'):
            lines.append('    wrt: [%s]' % ', '.join(f['wrt']))
        if f.get('order'):
            lines.append('    order: %d' % f['order'])
        if f.get('hessian'):
            lines.append('    hessian: true')
        f['line1'] = len(lines)
    return '\n'.join(lines) + '\n'


def rdims(g, d):
    """(rows, cols) of input d at g's current dimension sizes"""
    sh = d['shape']
    r, c = dims(sh)
    return g.dimval[r], g.dimval[c]


def draw(rng, g, d):
    """a random value of input d (positive where its use needs it, spd well conditioned)"""
    r, c = rdims(g, d)
    if g.big:
        return draw_big(rng, g, d, r, c)
    k = d['kind']
    pos = d['pos']
    if k == 'scalar':
        return torch.tensor(rng.uniform(0.5, 1.5) if pos else rng.uniform(-1, 1))
    if k in ('vector', 'matrix'):
        if pos:
            v = [[rng.uniform(0.3, 1.5) for _ in range(c)] for _ in range(r)]
        else:
            v = [[rng.gauss(0, 0.8) for _ in range(c)] for _ in range(r)]
        return torch.tensor(v)
    B = torch.tensor([[rng.gauss(0, 1) for _ in range(r)] for _ in range(r)])
    if pos:
        B = B.abs()
    if k == 'symmetric':
        return (B + B.t()) / 2
    P = B @ B.t() / r + 0.5 * torch.eye(r)
    return (P + P.t()) / 2


def draw_big(rng, g, d, r, c):
    """draw for --big sizes: torch generators, entries scaled by 1/sqrt(size)"""
    k = d['kind']
    pos = d['pos']
    gen = torch.Generator().manual_seed(rng.randrange(1 << 30))
    sc = 1.0 / max(1.0, max(r, c) ** 0.5)
    if k == 'scalar':
        return torch.tensor(rng.uniform(0.5, 1.5) if pos else rng.uniform(-1, 1))
    if k in ('vector', 'matrix'):
        if pos:
            return (torch.rand(r, c, generator=gen) * 1.2 + 0.3) * (sc if k == 'matrix' else 1)
        return torch.randn(r, c, generator=gen) * 0.8 * sc
    B = torch.randn(r, r, generator=gen)
    if pos:
        B = B.abs()
    if k == 'symmetric':
        return (B + B.t()) / 2 * sc
    P = B @ B.t() / r + 0.5 * torch.eye(r)
    return (P + P.t()) / 2


def direction(rng, g, d):
    """a random direction for input d (symmetric for symmetric and spd inputs)"""
    if g.big and d['kind'] != 'scalar':
        r, c = rdims(g, d)
        gen = torch.Generator().manual_seed(rng.randrange(1 << 30))
        B = torch.randn(r, c, generator=gen)
        return (B + B.t()) / 2 if d['kind'] in ('symmetric', 'spd') else B
    r, c = rdims(g, d)
    k = d['kind']
    if k == 'scalar':
        return torch.tensor(rng.uniform(-1, 1))
    B = torch.tensor([[rng.gauss(0, 1) for _ in range(c)] for _ in range(r)])
    if k in ('symmetric', 'spd'):
        return (B + B.t()) / 2
    return B


BIGDATA = []  # values of inputs too large for a Go literal, written to data.bin
USE_VIEWS = False  # --views: strided inputs, directions and sized destinations


def golit(x, d):
    """Go expression for value x of input d (a view with --views; large values read from data.bin)"""
    k = d['kind']
    if k == 'scalar':
        return repr(float(x))
    if x.numel() > 64:
        BIGDATA.append(x.reshape(-1))
        vals = 'rd(%d)' % x.numel()
    else:
        vals = '[]float64{%s}' % ', '.join(repr(float(v)) for v in x.reshape(-1).tolist())
    r, c = x.shape
    if USE_VIEWS:
        if k == 'vector':
            return 'viewV(%d, %s)' % (r, vals)
        if k == 'matrix':
            return 'viewD(%d, %d, %s)' % (r, c, vals)
        return 'viewS(%d, %s)' % (r, vals)
    if k == 'vector':
        return 'mat.NewVecDense(%d, %s)' % (r, vals)
    if k == 'matrix':
        return 'mat.NewDense(%d, %d, %s)' % (r, c, vals)
    return 'mat.NewSymDense(%d, %s)' % (r, vals)


def godst(rng, kind, r, c):
    """Go expression for a destination: sized, zero-value (30%) or a view with --views"""
    z = rng.random() < 0.3
    if kind == 'scalar':
        return None
    if USE_VIEWS and not z:
        if kind == 'vector':
            return 'viewV(%d, nil)' % r
        if kind in ('symmetric', 'spd'):
            return 'viewS(%d, nil)' % r
        return 'viewD(%d, %d, nil)' % (r, c)
    if kind == 'vector':
        return '&mat.VecDense{}' if z else 'mat.NewVecDense(%d, nil)' % r
    if kind in ('symmetric', 'spd'):
        return '&mat.SymDense{}' if z else 'mat.NewSymDense(%d, nil)' % r
    return '&mat.Dense{}' if z else 'mat.NewDense(%d, %d, nil)' % (r, c)


GOHEAD = '''package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"fmt"
	"os"
	"strconv"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	g "%s/gen"
)

var _ = mat.NewDense
var out = map[string][]string{}
var mu sync.Mutex
var wg sync.WaitGroup

func put(k string, v []float64) {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	mu.Lock()
	out[k] = s
	mu.Unlock()
}

func flat(x any) []float64 {
	switch m := x.(type) {
	case float64:
		return []float64{m}
	case *float64:
		return []float64{*m}
	case *mat.VecDense:
		v := make([]float64, m.Len())
		for i := range v {
			v[i] = m.AtVec(i)
		}
		return v
	case *mat.SymDense:
		n := m.SymmetricDim()
		v := make([]float64, 0, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v = append(v, m.At(i, j))
			}
		}
		return v
	case *mat.Dense:
		r, c := m.Dims()
		v := make([]float64, 0, r*c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				v = append(v, m.At(i, j))
			}
		}
		return v
	}
	panic("flat")
}

var buf []float64

func rd(n int) []float64 {
	s := append([]float64(nil), buf[:n]...)
	buf = buf[n:]
	return s
}

func init() {
	b, err := os.ReadFile("data.bin")
	if err != nil {
		return
	}
	buf = make([]float64, len(b)/8)
	for i := range buf {
		buf[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
}

// views: strided storage, so code that assumes Stride == Cols or Inc == 1 shows
func viewD(r, c int, d []float64) *mat.Dense {
	big := mat.NewDense(r+2, c+3, nil)
	for i := range big.RawMatrix().Data {
		big.RawMatrix().Data[i] = 777
	}
	v := big.Slice(1, r+1, 2, c+2).(*mat.Dense)
	if d != nil {
		v.Copy(mat.NewDense(r, c, d))
	}
	return v
}

func viewV(n int, d []float64) *mat.VecDense {
	data := make([]float64, 3*n+1)
	for i := range data {
		data[i] = 777
	}
	v := &mat.VecDense{}
	v.SetRawVector(blas64.Vector{N: n, Inc: 3, Data: data[1:]})
	if d != nil {
		v.CopyVec(mat.NewVecDense(n, d))
	}
	return v
}

func viewS(n int, d []float64) *mat.SymDense {
	data := make([]float64, n*(n+2))
	for i := range data {
		data[i] = 777
	}
	v := &mat.SymDense{}
	v.SetRawSymmetric(blas64.Symmetric{N: n, Stride: n + 2, Uplo: blas.Upper, Data: data})
	if d != nil {
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				v.SetSym(i, j, d[i*n+j])
			}
		}
	}
	return v
}

var _ = viewD
var _ = viewV
var _ = viewS
var _ = blas.Upper

func run(k string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			mu.Lock()
			out[k+".panic"] = []string{fmt.Sprint(r)}
			mu.Unlock()
		}
	}()
	f()
}

func main() {
'''

GOTAIL = '''	wg.Wait()
	b, _ := json.Marshal(out)
	os.Stdout.Write(b)
}
'''


def go_calls(rng, f, vals, dirs, key=None):
    """Go code that calls every generated role of f; outputs go under key (default f's name)"""
    g = f['gen']
    fname = f['name']
    name = key or fname
    ins = f['inputs']
    byname = {d['name']: d for d in ins}
    wrt = f['wrt']
    L = []
    args = []
    for d in ins:
        vn = '%s_%s' % (name, d['name'])
        L.append('\t%s := %s' % (vn, golit(vals[d['name']], d)))
        args.append(vn)
    dv = {}
    need_dirs = (f['shape'] != ('s',)) or f.get('hessian')
    for w in (wrt if need_dirs else []):
        vn = '%s_dir_%s' % (name, w)
        L.append('\t%s := %s' % (vn, golit(dirs[w], byname[w])))
        dv[w] = vn
    A = ', '.join(args)
    scalarF = f['shape'] == ('s',)
    fr, fc = (g.dimval[x] for x in dims(f['shape']))
    fkind = 'vector' if dims(f['shape'])[1] == '1' else 'matrix'
    roles = []

    def dst(kind, r, c):
        return godst(rng, kind, r, c)
    if scalarF:
        L.append('\trun("%s.val", func() { put("%s.val", flat(g.%s(%s))) })' % (name, name, fname, A))
        roles.append('val')
        body = []
        gargs = []
        for w in wrt:
            d = byname[w]
            r, c = rdims(g, d)
            if d['kind'] == 'scalar':
                body.append('var d_%s float64' % w)
                gargs.append('&d_%s' % w)
            else:
                body.append('d_%s := %s' % (w, dst(d['kind'], r, c)))
                gargs.append('d_%s' % w)
        body.append('fv := g.%sGrad(%s, %s)' % (fname, A, ', '.join(gargs)))
        body.append('put("%s.gradval", []float64{fv})' % name)
        for w in wrt:
            body.append('put("%s.grad.%s", flat(%sd_%s))' % (name, w, '&' if byname[w]['kind'] == 'scalar' else '', w))
        L.append('\trun("%s.grad", func() {\n\t\t%s\n\t})' % (name, '\n\t\t'.join(body)))
        roles.append('grad')
        if f.get('hessian'):
            body = []
            vargs, hargs = [], []
            for w in wrt:
                d = byname[w]
                r, c = rdims(g, d)
                vargs.append(dv[w])
                if d['kind'] == 'scalar':
                    body.append('var h_%s float64' % w)
                    hargs.append('&h_%s' % w)
                else:
                    body.append('h_%s := %s' % (w, dst(d['kind'], r, c)))
                    hargs.append('h_%s' % w)
            body.append('g.%sHessVec(%s, %s, %s)' % (fname, A, ', '.join(vargs), ', '.join(hargs)))
            for w in wrt:
                body.append('put("%s.hv.%s", flat(%sh_%s))' % (name, w, '&' if byname[w]['kind'] == 'scalar' else '', w))
            L.append('\trun("%s.hv", func() {\n\t\t%s\n\t})' % (name, '\n\t\t'.join(body)))
            roles.append('hv')
            N = sum(rdims(g, byname[w])[0] for w in wrt)
            if all(byname[w]['kind'] in ('scalar', 'vector') for w in wrt) and (N <= 64 or not g.big):
                L.append('\trun("%s.H", func() { H := %s; g.%sHessian(%s, H); put("%s.H", flat(H)) })' % (
                    name, dst('matrix', N, N), fname, A, name))
                roles.append('H')
        if f.get('order'):
            for k in range(1, f['order'] + 1):
                fn = '%sDeriv%s' % (fname, '' if k == 1 else str(k))
                L.append('\trun("%s.d%d", func() { put("%s.d%d", flat(g.%s(%s))) })' % (name, k, name, k, fn, A))
                roles.append('d%d' % k)
    else:
        L.append('\trun("%s.val", func() { D := %s; g.%s(%s, D); put("%s.val", flat(D)) })' % (
            name, dst(fkind, fr, fc), fname, A, name))
        roles.append('val')
        dargs = [dv[w] for w in wrt]
        L.append('\trun("%s.jvp", func() { D := %s; g.%sJVP(%s, %s, D); put("%s.jvp", flat(D)) })' % (
            name, dst(fkind, fr, fc), fname, A, ', '.join(dargs), name))
        roles.append('jvp')
        body = []
        if g.big:
            L.append('')
            f['roles'] = roles
            for d in ins:
                L.append('\tput("%s.in.%s", flat(%s_%s))' % (name, d['name'], name, d['name']))
            return '\n'.join(L) + '\n'
        jargs = []
        for w in wrt:
            r, c = rdims(g, byname[w])
            if byname[w]['kind'] == 'vector':
                p, q = 1, r
            else:
                p, q = r, c
            body.append('J_%s := %s' % (w, dst('matrix', p * fr, q * fc)))
            jargs.append('J_%s' % w)
        body.append('g.%sJacobian(%s, %s)' % (fname, A, ', '.join(jargs)))
        for w in wrt:
            body.append('put("%s.J.%s", flat(J_%s))' % (name, w, w))
        L.append('\trun("%s.J", func() {\n\t\t%s\n\t})' % (name, '\n\t\t'.join(body)))
        roles.append('J')
        if f.get('order'):
            for k in range(1, f['order'] + 1):
                fn = '%sDeriv%s' % (fname, '' if k == 1 else str(k))
                L.append('\trun("%s.d%d", func() { D := %s; g.%s(%s, D); put("%s.d%d", flat(D)) })' % (
                    name, k, dst(fkind, fr, fc), fn, A, name, k))
                roles.append('d%d' % k)
    # inputs unmodified
    for d in ins:
        L.append('\tput("%s.in.%s", flat(%s_%s))' % (name, d['name'], name, d['name']))
    f['roles'] = roles
    return '\n'.join(L) + '\n'


def prob_call(f, gsrc):
    """FProblem: Func, Grad (and Hess when present) at the packed set-1 point"""
    name = f['name']
    g = f['gen']
    m = re.search(r'^func %sProblem\(([^)]*)\) optimize\.Problem' % name, gsrc, re.M)
    if not m:
        return '\tput("%s.prob.missing", nil)\n' % name
    byname = {d['name']: d for d in f['inputs']}
    args = []
    for p in [x.strip() for x in m.group(1).split(',') if x.strip()]:
        pn, pt = p.split(' ', 1)
        if pn in byname and pn not in f['wrt']:
            args.append('%s_%s' % (name, pn))
        elif pt == 'int' and pn in g.dimval:
            args.append(str(g.dimval[pn]))
        else:
            return '\tput("%s.prob.skip", nil)\n' % name
    return ('\trun("%s.prob", func() {\n\t\tp := g.%sProblem(%s)\n\t\tx := []float64{%s}\n'
            '\t\tput("%s.prob.f", []float64{p.Func(x)})\n\t\tgr := make([]float64, len(x))\n\t\tp.Grad(gr, x)\n'
            '\t\tput("%s.prob.g", gr)\n\t\tif p.Hess != nil {\n\t\t\tH := &mat.SymDense{}\n\t\t\tp.Hess(H, x)\n'
            '\t\t\tput("%s.prob.H", flat(H))\n\t\t} else {\n\t\t\tput("%s.prob.nohess", nil)\n\t\t}\n\t})\n') % (
        name, name, ', '.join(args), 'PACKED_' + name, name, name, name, name)


def packed(f, vals):
    """the point FProblem's Func takes: the wrt inputs flattened in order"""
    out = []
    for w in f['wrt']:
        out += vals[w].reshape(-1).tolist()
    return out


def packed_grad(f, tr):
    """torch's gradient packed as FProblem's Grad packs it (upper triangle of a symmetric, off-diagonals doubled)"""
    byname = {d['name']: d for d in f['inputs']}
    out = []
    for w in f['wrt']:
        gw = tr['grad.' + w]
        if byname[w]['kind'] in ('symmetric', 'spd'):
            n = int(round(gw.numel() ** 0.5))
            G = gw.reshape(n, n)
            U = torch.triu(2 * G, 1) + torch.diag(torch.diagonal(G))
            out += U.reshape(-1).tolist()
        else:
            out += gw.tolist()
    return torch.tensor(out)


# ------------------------------------------------------------------ torch side
def symm(x):
    """symmetric part"""
    return (x + x.t()) / 2


def torch_results(f, vals, dirs):
    """torch.autograd's value of every role of f at vals (directions dirs), keyed as the Go program keys gradgen's"""
    g = f['gen']
    e = f['expr']
    ins = f['inputs']
    byname = {d['name']: d for d in ins}
    wrt = f['wrt']
    res = {}
    name = f['name']

    def F(wv):
        env = dict(vals)
        for w, v in zip(wrt, wv):
            env[w] = v
        return e.fn(env)
    w0 = [vals[w].clone() for w in wrt]
    with torch.no_grad():
        v = F(w0)
    res['val'] = v.reshape(-1)

    def issym(w):
        return byname[w]['kind'] in ('symmetric', 'spd')
    if f['shape'] == ('s',):
        def gradfun(*wv):
            wv = [x if x.requires_grad else x.clone().requires_grad_(True) for x in wv]
            y = F(wv)
            gs = torch.autograd.grad(y, wv, create_graph=True, allow_unused=True)
            out = []
            for w, x, gg in zip(wrt, wv, gs):
                if gg is None:
                    gg = torch.zeros_like(x)
                if issym(w):
                    gg = symm(gg)
                out.append(gg)
            return tuple(out)
        wv = [x.clone().requires_grad_(True) for x in w0]
        gs = gradfun(*wv)
        for w, gg in zip(wrt, gs):
            res['grad.' + w] = gg.detach().reshape(-1)
        res['gradval'] = v.reshape(-1)
        if f.get('hessian'):
            _, hv = torch.autograd.functional.jvp(gradfun, tuple(w0), tuple(dirs[w] for w in wrt))
            for w, h in zip(wrt, hv):
                res['hv.' + w] = h.detach().reshape(-1)
            if all(byname[w]['kind'] in ('scalar', 'vector') for w in wrt) and (sum(x.numel() for x in w0) <= 64 or not g.big):
                sizes = [w0i.numel() for w0i in w0]

                def fp(p):
                    parts = []
                    o = 0
                    for w, x, n in zip(wrt, w0, sizes):
                        parts.append(p[o:o + n].reshape(x.shape))
                        o += n
                    return F(parts)
                packed = torch.cat([x.reshape(-1) for x in w0])
                H = torch.autograd.functional.hessian(fp, packed)
                res['H'] = H.reshape(-1)
    else:
        _, jv = torch.autograd.functional.jvp(lambda *wv: F(wv), tuple(w0), tuple(dirs[w] for w in wrt))
        res['jvp'] = jv.reshape(-1)
        fr, fc = (g.dimval[x] for x in dims(f['shape']))
        if g.big:
            J = ()
        else:
            J = torch.autograd.functional.jacobian(lambda *wv: F(wv), tuple(w0))
        for w, Jw in zip(wrt if J else [], J):
            d = byname[w]
            r, c = rdims(g, d)
            p, q = (1, r) if d['kind'] == 'vector' else (r, c)
            Jw = Jw.reshape(fr, fc, p, q).permute(2, 0, 3, 1).reshape(p * fr, q * fc)
            res['J.' + w] = Jw.reshape(-1)
    if f.get('order'):
        def ft(t):
            return F([t])
        fk = ft
        one = torch.tensor(1.0)
        for k in range(1, f['order'] + 1):
            prev = fk
            fk = (lambda prev: (lambda t: torch.autograd.functional.jvp(prev, t, one, create_graph=True)[1]))(prev)
            res['d%d' % k] = fk(w0[0].clone()).detach().reshape(-1)
    return res


def compare(gv, tv, gscale=1.0):
    """(ok, severity, detail) of gradgen's values gv against torch's tv: each entry within
    1e-8 relative (of itself plus 1e-4 of the array's largest entry) plus 1e-13 of gscale"""
    if len(gv) != len(tv):
        return False, float('inf'), 'length %d vs %d' % (len(gv), len(tv))
    tl = tv.tolist()
    scale = max([abs(x) for x in tl if math.isfinite(x)] + [abs(x) for x in gv if math.isfinite(x)] + [0.0])
    worst = 0.0
    bad = None
    for i, (a, b) in enumerate(zip(gv, tl)):
        if math.isnan(a) and math.isnan(b):
            continue
        if not math.isfinite(a) or not math.isfinite(b):
            if a == b:
                continue
            return False, float('inf'), 'entry %d: gradgen %r torch %r' % (i, a, b)
        err = abs(a - b)
        tol = 1e-8 * (abs(b) + 1e-4 * scale) + 1e-13 * gscale
        if err > tol:
            sev = err / (scale + 1e-300)
            if sev > worst or bad is None:
                worst = sev
                bad = 'entry %d: gradgen %r torch %r (scale %.3g)' % (i, a, b, scale)
    return bad is None, worst, bad


def append_result(work, log, build_s):
    """append the batch's summary (lists counted, build time) to WORK/results.jsonl and print it"""
    summary = {k: (len(v) if isinstance(v, list) and k != 'options' else v)
               for k, v in log.items() if k not in ('badspecs', 'build_fail')}
    summary['build_fail'] = 'build_fail' in log
    summary['build_s'] = round(build_s, 1)
    with open(os.path.join(work, 'results.jsonl'), 'a') as fh:
        fh.write(json.dumps(summary) + '\n')
    print(json.dumps(summary))


def parse_args():
    """command line of one batch"""
    parser = argparse.ArgumentParser(description='one batch of the independent random tester for gradgen')
    parser.add_argument('seed', type=int)
    parser.add_argument('nfuncs', type=int, nargs='?', default=50, help='functions in the batch (default 50)')
    parser.add_argument('--simd', action='store_true', help='build the test program with GOEXPERIMENT=simd')
    parser.add_argument('--big', action='store_true', help='large dimension sizes (70), no Jacobians, no FProblem')
    parser.add_argument('--motifs', action='store_true', help='35%% of the functions from fixed-form motifs')
    parser.add_argument('--allmotifs', action='store_true', help='every function from a motif')
    parser.add_argument('--views', action='store_true', help='strided views for inputs, directions, destinations')
    parser.add_argument('--ones', action='store_true', help='favour literal dimension 1 (n = 1, 1xk, kx1)')
    parser.add_argument('--standalone', action='store_true', help='run gradgen with -standalone')
    parser.add_argument('--test', action='store_true', help='run gradgen with -test and `go test` its tests')
    workspace.add_arguments(parser)
    return parser.parse_args()


def main():
    global USE_VIEWS
    args = parse_args()
    seed, nf, simd, big = args.seed, args.nfuncs, args.simd, args.big
    USE_VIEWS = args.views
    motif_p = 1.0 if args.allmotifs else 0.35 if args.motifs else 0.0
    specgen.Gen.ONES = args.ones
    gradgen_flags = [flag for flag, on in (('-standalone', args.standalone), ('-test', args.test)) if on]
    work, src_dir, gradgen = workspace.prepare(args)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    bdir = os.path.join(work, 'runs', 'b%d' % seed)
    shutil.rmtree(bdir, ignore_errors=True)
    os.makedirs(bdir + '/gen')
    funcs = []
    i = 0
    while len(funcs) < nf:
        f = make_motif(rng, i, big=big) if rng.random() < motif_p else make_function(rng, i, big=big)
        i += 1
        if f is not None:
            f['name'] = 'F%d' % len(funcs)
            funcs.append(f)
    options = [o for o in ('simd', 'big', 'motifs', 'allmotifs', 'views', 'ones', 'standalone', 'test') if getattr(args, o)]
    log = {'seed': seed, 'simd': simd, 'big': big, 'options': options, 'rejected': [], 'internal': [], 'panics': [], 'mism': [], 'checks': 0,
           'functions': 0, 'kinds': {}, 'torch_err': []}
    # ---- gradgen, dropping rejected functions
    for _ in range(60):
        ytxt = spec_yaml(funcs)
        open(bdir + '/gen/spec.yaml', 'w').write(ytxt)
        p = subprocess.run([gradgen] + gradgen_flags + ['-o', bdir + '/gen/spec_grad.go', bdir + '/gen/spec.yaml'],
                           capture_output=True, text=True, cwd=bdir)
        if p.returncode == 0:
            break
        m = re.search(r'spec\.yaml:(\d+):(\d+)', p.stderr)
        culprit = None
        if m:
            ln = int(m.group(1))
            for f in funcs:
                if f['line0'] <= ln <= f['line1']:
                    culprit = f
        if culprit is None:
            mm = re.search(r'\b(F\d+)\b', p.stderr)
            if mm:
                culprit = next((f for f in funcs if f['name'] == mm.group(1)), None)
        ent = {'rc': p.returncode, 'err': p.stderr[-1500:]}
        if culprit is None:
            log['internal'].append(ent)
            print('unattributable gradgen failure', p.stderr[:2000])
            break
        ent['func'] = culprit['name']
        ent['yaml'] = '\n'.join(ytxt.split('\n')[culprit['line0'] - 1:culprit['line1']])
        (log['rejected'] if p.returncode == 2 else log['internal']).append(ent)
        funcs.remove(culprit)
    workspace.write_go_module(bdir, 'b%d' % seed, src_dir)
    # ---- inputs, Go main
    body = []
    data = {}
    gsrc = open(bdir + '/gen/spec_grad.go').read()
    for f in funcs:
        g = f['gen']
        dv1 = dict(g.dimval)
        vals = {d['name']: draw(rng, g, d) for d in f['inputs']}
        dirs = {d['name']: direction(rng, g, d) for d in f['inputs']}
        data[f['name']] = (vals, dirs)
        dv2 = dict(dv1)
        for nm in g.named:
            dv2[nm] = rng.choice([1, 2, 3, 4, 5]) if not big else rng.choice([2, 3, 70])
        g.dimval = dv2
        vals2 = {d['name']: draw(rng, g, d) for d in f['inputs']}
        dirs2 = {d['name']: direction(rng, g, d) for d in f['inputs']}
        data[f['name'] + '_s2'] = (vals2, dirs2)
        f['dimsets'] = {f['name']: dv1, f['name'] + '_s2': dv2}
        g.dimval = dv1
        body.append(go_calls(rng, f, vals, dirs))
        g.dimval = dv2
        body.append(go_calls(rng, f, vals2, dirs2, key=f['name'] + '_s2'))
        g.dimval = dv1
        body.append(go_calls(rng, f, vals, dirs, key=f['name'] + '_s3'))
        if not big and f['shape'] == ('s',):
            body.append(prob_call(f, gsrc))
        if not big:
            for key, dv, vv, dd in ((f['name'] + '_c1', dv1, vals, dirs), (f['name'] + '_c2', dv2, vals2, dirs2),
                                    (f['name'] + '_c3', dv1, vals, dirs), (f['name'] + '_c4', dv2, vals2, dirs2)):
                g.dimval = dv
                body.append('\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n' + go_calls(rng, f, vv, dd, key=key) + '\t}()\n')
        g.dimval = dv1
    if BIGDATA:
        torch.cat(BIGDATA).numpy().astype('<f8').tofile(bdir + '/data.bin')
    src = GOHEAD % ('b%d' % seed) + ''.join(body) + GOTAIL
    for f in funcs:
        src = src.replace('PACKED_%s}' % f['name'], ', '.join(repr(float(x)) for x in packed(f, data[f['name']][0])) + '}')
    open(bdir + '/main.go', 'w').write(src)
    env = dict(os.environ, GOFLAGS='-mod=mod')
    if simd:
        env['GOEXPERIMENT'] = 'simd'
    else:
        env.pop('GOEXPERIMENT', None)
    t0 = time.time()
    p = subprocess.run(['go', 'build', '-o', 'main', '.'], capture_output=True, text=True, cwd=bdir, env=env)
    if p.returncode != 0:
        log['build_fail'] = p.stderr[-3000:]
        print('BUILD FAIL', p.stderr[-3000:])
        json.dump(log, open(bdir + '/log.json', 'w'), indent=1, default=str)
        append_result(work, log, time.time() - t0)
        return
    tb = time.time() - t0
    if args.test:
        p = subprocess.run(['go', 'test', '-count=1', './gen/'], capture_output=True, text=True, cwd=bdir, env=env)
        log['gotest'] = p.returncode
        if p.returncode != 0:
            log['gotest_out'] = p.stdout[-6000:] + p.stderr[-2000:]
            print('GOTEST FAIL', (p.stdout + p.stderr)[-3000:])
    p = subprocess.run(['./main'], capture_output=True, text=True, cwd=bdir, timeout=600)
    if p.returncode != 0:
        log['run_fail'] = p.stderr[-3000:]
        print('RUN FAIL', p.stderr[-3000:])
    gout = json.loads(p.stdout)
    open(bdir + '/out.json', 'w').write(p.stdout)
    log['same'] = 0
    for f in funcs:
        # bitwise: re-run after another size, concurrent runs
        for a, b in (('_s3', ''), ('_c1', ''), ('_c3', ''), ('_c2', '_s2'), ('_c4', '_s2')):
            for k in list(gout):
                if k.startswith(f['name'] + a + '.'):
                    ref = f['name'] + b + k[len(f['name'] + a):]
                    if ref in gout:
                        log['same'] += 1
                        if gout[k] != gout[ref] and not ref.endswith('.panic'):
                            log['mism'].append({'func': f['name'], 'key': k, 'class': 'not-reproducible',
                                                'detail': 'differs from %s: %s vs %s' % (ref, gout[k][:4], gout[ref][:4])})
    for f in funcs:
        for name in (f['name'], f['name'] + '_s2'):
            f['gen'].dimval = f['dimsets'][name]
            vals, dirs = data[name]
            if name.endswith('_s2'):
                log['functions_s2'] = log.get('functions_s2', 0) + 1
            else:
                log['functions'] += 1
            kind = f['mode'] + ('' if f['shape'] == ('s',) else '-' + f['shape'][0])
            if not name.endswith('_s2'):
                log['kinds'][kind] = log['kinds'].get(kind, 0) + 1
            for d in f['inputs']:
                got = [float(x) for x in gout.get('%s.in.%s' % (name, d['name']), [])]
                if got != vals[d['name']].reshape(-1).tolist():
                    log['mism'].append({'func': name, 'key': 'in.' + d['name'], 'class': 'input-modified',
                                        'detail': 'input modified'})
            for k in list(gout):
                if k.startswith(name + '.') and k.endswith('.panic'):
                    log['panics'].append({'func': name, 'key': k, 'msg': gout[k][0]})
            try:
                tr = torch_results(f, vals, dirs)
            except Exception as ex:
                log['torch_err'].append({'func': name, 'err': repr(ex)[:300]})
                continue
            if f['shape'] == ('s',) and not name.endswith('_s2') and not big:
                tr['prob.f'] = tr['val']
                tr['prob.g'] = packed_grad(f, tr)
                if 'H' in tr:
                    tr['prob.H'] = tr['H']
                allvec = all(d['kind'] in ('scalar', 'vector') for d in f['inputs'] if d['name'] in f['wrt'])
                if f.get('hessian') and allvec and (name + '.prob.H') not in gout and (name + '.prob.panic') not in gout:
                    log['mism'].append({'func': name, 'key': 'prob.H', 'class': 'suspect', 'detail': 'FProblem has no Hess'})
                if (not f.get('hessian') or not allvec) and (name + '.prob.H') in gout:
                    log['mism'].append({'func': name, 'key': 'prob.H', 'class': 'suspect', 'detail': 'FProblem has an unexpected Hess'})
                if (name + '.prob.skip') in gout or (name + '.prob.missing') in gout:
                    log['prob_skip'] = log.get('prob_skip', 0) + 1
            gscale = max([1.0] + [abs(x) for tv in tr.values() for x in tv.tolist() if math.isfinite(x)])
            trp = None
            for k, tv in tr.items():
                gk = name + '.' + k
                if gk not in gout:
                    continue
                gv = [float(x) for x in gout[gk]]
                log['checks'] += 1
                ok, sev, det = compare(gv, tv, gscale)
                if not ok:
                    # conditioning probe: torch at a point perturbed by 1e-10 (relative) in every input
                    if trp is None:
                        try:
                            pv = {kk: v * (1 + 1e-10 * torch.randn(v.shape)) for kk, v in vals.items()}
                            trp = torch_results(f, pv, dirs)
                        except Exception:
                            trp = {}
                    cond = None
                    if k in trp:
                        a, b = tv, trp[k]
                        sc = max(float(a.abs().max()) if a.numel() else 0, 1e-300)
                        cond = float((a - b).abs().max()) / sc / 1e-10 if torch.isfinite(a).all() and torch.isfinite(b).all() else float('inf')
                    cls = 'conditioning' if (cond is None or cond > 1e3) else 'suspect'
                    log['mism'].append({'func': name, 'key': k, 'sev': sev, 'detail': det, 'cond': cond, 'class': cls,
                                        'torch': tv.tolist()[:400], 'gradgen': gv[:400]})
    # record specs of mismatching functions
    bad = set(m['func'].split('_')[0] for m in log['mism']) | set(m['func'].split('_')[0] for m in log['panics'])
    for f in funcs:
        f['gen'].dimval = f['dimsets'][f['name']]
    log['badspecs'] = {}
    ytxt = open(bdir + '/gen/spec.yaml').read().split('\n')
    for f in funcs:
        if f['name'] in bad:
            log['badspecs'][f['name']] = {'yaml': '\n'.join(ytxt[f['line0'] - 1:f['line1']]),
                                          'dims': {k: v for k, v in f['gen'].dimval.items() if not k.isdigit()},
                                          'vals': {k: v.tolist() for k, v in data[f['name']][0].items()} if not big else None,
                                          'dirs': {k: v.tolist() for k, v in data[f['name']][1].items()} if not big else None,
                                          'dims_s2': {k: v for k, v in f['dimsets'][f['name'] + '_s2'].items() if not k.isdigit()},
                                          'vals_s2': {k: v.tolist() for k, v in data[f['name'] + '_s2'][0].items()} if not big else None,
                                          'dirs_s2': {k: v.tolist() for k, v in data[f['name'] + '_s2'][1].items()} if not big else None}
    json.dump(log, open(bdir + '/log.json', 'w'), indent=1, default=str)
    append_result(work, log, tb)
    for m in log['mism'][:20]:
        print('MISM', m)
    for m in log['panics'][:10]:
        print('PANIC', m)
    for m in log['rejected'][:10]:
        print('REJ', m['func'], m['err'][:300])
    for m in log['internal'][:10]:
        print('INTERNAL', m.get('func'), m['err'][:500])
    for m in log['torch_err'][:10]:
        print('TORCHERR', m)


if __name__ == '__main__':
    main()
