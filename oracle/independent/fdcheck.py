#!/usr/bin/python3
"""Central finite differences of gradgen's own lower-order functions, independent of torch.

  /usr/bin/python3 fdcheck.py SEED FUNC [--work DIR]
      a function the tester recorded in WORK/runs/bSEED/log.json (badspecs), at its set-1 point
  /usr/bin/python3 fdcheck.py --spec FILE.yaml --data DATA.json [--work DIR]
      the first function of FILE.yaml; DATA is {"dims": {}, "vals": {...}, "dirs": {...}}

Differentiates F for FGrad, FJVP and FJacobian's columns, FGrad along the direction for FHessVec
and FDeriv(k-1) in t for FDeriv k (central differences with Richardson extrapolation, h = 1e-3
and 5e-4) and prints, per array, gradgen's values (gg.*) beside the estimate (fd.*).  A
symmetric input's FD entry moves two entries, so its off-diagonal is twice gradgen's gradient
entry there.  Output: WORK/fd/<tag>/ (main.go, fd.json).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workspace  # noqa: E402


def gotype(t):
    """Go type of a spec input type"""
    if t == 'scalar': return 'float64'
    if t.startswith('vector'): return '*mat.VecDense'
    if t.startswith('matrix'): return '*mat.Dense'
    return '*mat.SymDense'


def kind(t):
    """scalar, vector, matrix, symmetric or spd"""
    return t.split('(')[0]


def lit(t, v):
    """Go expression for value v (a number or a list of rows) of an input of type t"""
    k = kind(t)
    if k == 'scalar':
        return repr(float(v))
    flat = [float(x) for row in v for x in row]
    r, c = len(v), len(v[0])
    vals = '[]float64{%s}' % ', '.join(repr(x) for x in flat)
    if k == 'vector': return 'mat.NewVecDense(%d, %s)' % (r, vals)
    if k == 'matrix': return 'mat.NewDense(%d, %d, %s)' % (r, c, vals)
    return 'mat.NewSymDense(%d, %s)' % (r, vals)


def fd_check(gradgen, src_dir, work, fn, data, tag):
    """gradgen's values and their FD estimates for spec function fn at data's point, as a dict
    name -> list (fd.Jcols.X: list of columns); None (after printing why) when gradgen or Go fails"""
    fn = dict(fn, name='F')
    d = os.path.join(work, 'fd', tag)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d + '/gen')
    with open(d + '/gen/f.yaml', 'w') as fh:
        yaml.safe_dump({'package': 'gen', 'functions': [fn]}, fh, sort_keys=False)
    workspace.write_go_module(d, 'fdm', src_dir)
    p = subprocess.run([gradgen, '-o', d + '/gen/f_grad.go', d + '/gen/f.yaml'], capture_output=True, text=True)
    if p.returncode:
        print('gradgen rc', p.returncode, p.stderr)
        return None
    src = open(d + '/gen/f_grad.go').read()
    ins = list(fn['inputs'].items())
    wrt = fn.get('wrt') or [k for k, _ in ins]
    T = dict(ins)
    vals, dirs = data['vals'], data['dirs']
    scalarF = re.search(r'^func F\([^)]*\) float64 \{', src, re.M) is not None
    m = re.search(r'^func F\(.*dst (\*mat\.\w+)\) \{', src, re.M)
    dstT = m.group(1) if m else None
    order = fn.get('order', 0)
    hess = fn.get('hessian', False)
    L = []
    w = L.append
    w('package main\n\nimport (\n\t"encoding/json"\n\t"os"\n\t"strconv"\n\t"gonum.org/v1/gonum/mat"\n\tg "fdm/gen"\n)\n')
    w('var _ = mat.NewDense\nvar out = map[string][]string{}\n')
    w('func put(k string, v []float64) { s := make([]string, len(v)); for i, x := range v { s[i] = strconv.FormatFloat(x, \'g\', -1, 64) }; out[k] = s }')
    # an input set as a struct of values; perturbation helpers work on flat copies
    w('type In struct {')
    for k, t in ins:
        w('\t%s %s' % (k, gotype(t)))
    w('}')
    w('func base() In { return In{%s} }' % ', '.join('%s' % lit(t, vals[k]) for k, t in ins))
    w('func dir() In { return In{%s} }' % ', '.join('%s' % (lit(t, dirs[k]) if k in dirs and k in wrt else lit(t, vals[k])) for k, t in ins))
    # flat views of wrt variables: get/set of entry i (sym: entry (i,j) and (j,i) together)
    w('func size(x In, name string) int {')
    w('\tswitch name {')
    for k, t in ins:
        kk = kind(t)
        w('\tcase "%s":' % k)
        if kk == 'scalar': w('\t\treturn 1')
        elif kk == 'vector': w('\t\treturn x.%s.Len()' % k)
        elif kk == 'matrix': w('\t\tr, c := x.%s.Dims(); return r * c' % k)
        else: w('\t\tn := x.%s.SymmetricDim(); return n * n' % k)
    w('\t}\n\treturn 0\n}')
    w('func add(x *In, name string, i int, h float64) {')
    w('\tswitch name {')
    for k, t in ins:
        kk = kind(t)
        w('\tcase "%s":' % k)
        if kk == 'scalar': w('\t\tx.%s += h' % k)
        elif kk == 'vector': w('\t\tv := mat.VecDenseCopyOf(x.%s); v.SetVec(i, v.AtVec(i)+h); x.%s = v' % (k, k))
        elif kk == 'matrix': w('\t\tv := mat.DenseCopyOf(x.%s); _, c := v.Dims(); v.Set(i/c, i%%c, v.At(i/c, i%%c)+h); x.%s = v' % (k, k))
        else: w('\t\tv := mat.NewSymDense(x.%s.SymmetricDim(), nil); v.CopySym(x.%s); n := v.SymmetricDim(); v.SetSym(i/n, i%%n, v.At(i/n, i%%n)+h); x.%s = v' % (k, k, k))
    w('\t}\n}')
    # axpy over all wrt: x + h*dir
    w('func along(x In, d In, h float64) In {')
    for k in wrt:
        kk = kind(T[k])
        if kk == 'scalar': w('\tx.%s += h * d.%s' % (k, k))
        elif kk == 'vector': w('\t{ v := mat.VecDenseCopyOf(x.%s); v.AddScaledVec(v, h, d.%s); x.%s = v }' % (k, k, k))
        elif kk == 'matrix': w('\t{ v := mat.DenseCopyOf(x.%s); var s mat.Dense; s.Scale(h, d.%s); v.Add(v, &s); x.%s = v }' % (k, k, k))
        else: w('\t{ v := mat.NewSymDense(x.%s.SymmetricDim(), nil); v.AddSym(x.%s, scaled(d.%s, h)); x.%s = v }' % (k, k, k, k))
    w('\treturn x\n}')
    w('func scaled(s *mat.SymDense, h float64) *mat.SymDense { n := s.SymmetricDim(); v := mat.NewSymDense(n, nil); v.ScaleSym(h, s); return v }')
    w('func flat(x any) []float64 {\n\tswitch m := x.(type) {\n\tcase float64:\n\t\treturn []float64{m}\n\tcase *float64:\n\t\treturn []float64{*m}\n\tcase *mat.VecDense:\n\t\tv := make([]float64, m.Len()); for i := range v { v[i] = m.AtVec(i) }; return v\n\tcase *mat.SymDense:\n\t\tn := m.SymmetricDim(); v := []float64{}; for i := 0; i < n; i++ { for j := 0; j < n; j++ { v = append(v, m.At(i, j)) } }; return v\n\tcase *mat.Dense:\n\t\tr, c := m.Dims(); v := []float64{}; for i := 0; i < r; i++ { for j := 0; j < c; j++ { v = append(v, m.At(i, j)) } }; return v\n\t}\n\tpanic("flat")\n}')
    A = lambda x: ', '.join('%s.%s' % (x, k) for k, _ in ins)
    # value (flat) of F, FGrad (packed, wrt order), Deriv k
    if scalarF:
        w('func val(x In) []float64 { return []float64{g.F(%s)} }' % A('x'))
        decl, args, outs = [], [], []
        for k in wrt:
            kk = kind(T[k])
            if kk == 'scalar': decl.append('var d_%s float64' % k); args.append('&d_%s' % k); outs.append('&d_%s' % k)
            elif kk == 'vector': decl.append('d_%s := &mat.VecDense{}' % k); args.append('d_%s' % k); outs.append('d_%s' % k)
            elif kk == 'matrix': decl.append('d_%s := &mat.Dense{}' % k); args.append('d_%s' % k); outs.append('d_%s' % k)
            else: decl.append('d_%s := &mat.SymDense{}' % k); args.append('d_%s' % k); outs.append('d_%s' % k)
        w('func grad(x In) map[string][]float64 {\n\t%s\n\tg.FGrad(%s, %s)\n\treturn map[string][]float64{%s}\n}' % (
            '\n\t'.join(decl), A('x'), ', '.join(args), ', '.join('"%s": flat(%s)' % (k, o) for k, o in zip(wrt, outs))))
    else:
        ctor = '&mat.VecDense{}' if dstT == '*mat.VecDense' else '&mat.Dense{}'
        w('func val(x In) []float64 { D := %s; g.F(%s, D); return flat(D) }' % (ctor, A('x')))
    for k in range(1, order + 1):
        nm = 'FDeriv' + ('' if k == 1 else str(k))
        if scalarF:
            w('func deriv%d(x In) []float64 { return []float64{g.%s(%s)} }' % (k, nm, A('x')))
        else:
            ctor = '&mat.VecDense{}' if dstT == '*mat.VecDense' else '&mat.Dense{}'
            w('func deriv%d(x In) []float64 { D := %s; g.%s(%s, D); return flat(D) }' % (k, ctor, nm, A('x')))
    w('func deriv0(x In) []float64 { return val(x) }' if order else '')
    # central difference with Richardson extrapolation
    w('func cd(f func(h float64) []float64, h float64) []float64 {\n\tp1, m1, p2, m2 := f(h), f(-h), f(h/2), f(-h/2)\n\tr := make([]float64, len(p1))\n\tfor i := range r { d1 := (p1[i] - m1[i]) / (2 * h); d2 := (p2[i] - m2[i]) / h; r[i] = (4*d2 - d1) / 3 }\n\treturn r\n}')
    w('const h = 1e-3\n')
    w('func main() {\n\tx := base()\n\tdv := dir()\n\t_ = dv')
    if scalarF:
        w('\tG := grad(x)')
        for k in wrt:
            w('\t{ n := size(x, "%s"); fdv := []float64{}; for i := 0; i < n; i++ { fdv = append(fdv, cd(func(hh float64) []float64 { y := x; add(&y, "%s", i, hh); return val(y) }, h)...) }; put("fd.grad.%s", fdv); put("gg.grad.%s", G["%s"]) }' % (k, k, k, k, k))
            if kind(T[k]) in ('symmetric', 'spd'):
                w('\t// symmetric: FD moved two entries; off-diagonal derivative is 2*(G+G\')/2_ij')
        if hess:
            hd, va, ha, ho = [], [], [], []
            for k in wrt:
                kk = kind(T[k])
                va.append('dv.%s' % k)
                if kk == 'scalar': hd.append('var h_%s float64' % k); ha.append('&h_%s' % k); ho.append('&h_%s' % k)
                elif kk == 'vector': hd.append('h_%s := &mat.VecDense{}' % k); ha.append('h_%s' % k); ho.append('h_%s' % k)
                elif kk == 'matrix': hd.append('h_%s := &mat.Dense{}' % k); ha.append('h_%s' % k); ho.append('h_%s' % k)
                else: hd.append('h_%s := &mat.SymDense{}' % k); ha.append('h_%s' % k); ho.append('h_%s' % k)
            w('\t{\n\t%s\n\tg.FHessVec(%s, %s, %s)\n\t%s\n\t}' % ('\n\t'.join(hd), A('x'), ', '.join(va), ', '.join(ha),
              '\n\t'.join('put("gg.hv.%s", flat(%s))' % (k, o) for k, o in zip(wrt, ho))))
            w('\tfor _, k := range []string{%s} { hv := cd(func(hh float64) []float64 { return grad(along(x, dv, hh))[k] }, h); put("fd.hv."+k, hv) }' % ', '.join('"%s"' % k for k in wrt))
    else:
        w('\tput("fd.jvp", cd(func(hh float64) []float64 { return val(along(x, dv, hh)) }, h))')
        for k in wrt:
            w('\t{ n := size(x, "%s"); cols := [][]float64{}; for i := 0; i < n; i++ { cols = append(cols, cd(func(hh float64) []float64 { y := x; add(&y, "%s", i, hh); return val(y) }, h)) }; b, _ := json.Marshal(cols); out["fd.Jcols.%s"] = []string{string(b)} }' % (k, k, k))
    for k in range(1, order + 1):
        w('\tput("fd.d%d", cd(func(hh float64) []float64 { y := x; y.t += hh; return deriv%d(y) }, h))' % (k, k - 1))
        w('\tput("gg.d%d", deriv%d(x))' % (k, k))
    w('\tb, _ := json.Marshal(out)\n\tos.Stdout.Write(b)\n}')
    with open(d + '/main.go', 'w') as fh:
        fh.write('\n'.join(L) + '\n')
    env = dict(os.environ, GOFLAGS='-mod=mod')
    subprocess.run(['gofmt', '-w', 'main.go'], cwd=d)
    p = subprocess.run(['go', 'run', '.'], capture_output=True, text=True, cwd=d, env=env)
    if p.returncode:
        print(p.stderr[-3000:])
        return None
    o = json.loads(p.stdout)
    res = {k: ([float(x) for x in v] if not k.startswith('fd.Jcols') else json.loads(v[0])) for k, v in o.items()}
    with open(d + '/fd.json', 'w') as fh:
        json.dump(res, fh, indent=1)
    return res


def main():
    parser = argparse.ArgumentParser(description="finite differences of gradgen's lower-order functions")
    parser.add_argument('seed', nargs='?', help='batch seed (with FUNC)')
    parser.add_argument('func', nargs='?', help='function in that batch: F12 (input set 1) or F12_s2 (set 2)')
    parser.add_argument('--spec', help='a spec file; its first function is checked')
    parser.add_argument('--data', help='JSON {"dims": {}, "vals": {}, "dirs": {}} for --spec')
    workspace.add_arguments(parser)
    args = parser.parse_args()
    if args.spec:
        if not args.data:
            parser.error('--spec needs --data')
        fn = yaml.safe_load(open(args.spec))['functions'][0]
        data = json.load(open(args.data))
        tag = os.path.basename(args.spec).replace('.yaml', '')
    elif args.seed and args.func:
        if not args.work:
            parser.error('SEED FUNC needs the work directory of the batch (--work or $%s)' % workspace.WORK_ENV)
        log = json.load(open(os.path.join(args.work, 'runs', 'b%s' % args.seed, 'log.json')))
        recorded = log['badspecs'][args.func.split('_')[0]]
        fn = yaml.safe_load('functions:\n' + recorded['yaml'])['functions'][0]
        second = args.func.endswith('_s2')
        data = {'vals': recorded['vals_s2' if second else 'vals'], 'dirs': recorded['dirs_s2' if second else 'dirs']}
        tag = 'b%s_%s' % (args.seed, args.func)
    else:
        parser.error('give SEED FUNC or --spec FILE --data FILE')
    work, src_dir, gradgen = workspace.prepare(args)
    res = fd_check(gradgen, src_dir, work, fn, data, tag)
    for k, v in sorted((res or {}).items()):
        print(k, v if len(str(v)) < 400 else str(v)[:400] + '…')
    if res is None:
        sys.exit(1)


if __name__ == '__main__':
    main()
