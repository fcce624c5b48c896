#!/usr/bin/python3
"""Targeted sweep: second and third derivatives of matrix operators at a transposed argument.

  /usr/bin/python3 sweep.py [--work DIR] [--worktree]

For every operator below, with M = A' + B, (A + B)' and B + A' (3x3), checks FHessVec of the
operator's sum with respect to A, and the second and third path derivatives along
M = A + t C', against finite differences of gradgen's own FGrad and FDeriv (fdcheck.fd_check),
independent of torch.  This is the sweep that isolated det's wrong second derivatives with a
transposed direction (2026-12-06).  Prints one line per check, `BAD` where the relative error
is above 1e-6 (HessVec) or 1e-5 (path derivatives); exits 1 if any check is bad.
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workspace  # noqa: E402
from fdcheck import fd_check  # noqa: E402

OPERATORS = ['det(M)', 'logdet(M)', 'sum(inv(M))', 'tr(inv(M) * B)', 'sum(M ^ 3)', 'sum(softmax(M, 1) .* B)',
             'sum(logsumexp(M, 2))', 'sum(diag(M) .^ 3)', 'sumsq(M * B)', 'norm2(M)', 'sum(exp(M) * B)',
             'sum(sum(M .^ 2, 1))', 'det(M * B)', 'det(inv(M))', 'tr(M * M * B)']
TRANSPOSED = ["A' + B", "(A + B)'", "B + A'"]
CURVE = "A + t * C'"
DATA = {
    'vals': {'A': [[0.3, -0.7, 0.5], [0.9, 0.2, -0.4], [-0.6, 0.8, 1.1]],
             'B': [[0.5, -1.0, 0.3], [0.25, 2.0, 0.1], [0.7, -0.2, 1.5]],
             'C': [[0.1, 0.6, -0.3], [0.0, 0.2, 0.9], [0.4, 0.0, 0.3]],
             't': 0.4},
    'dirs': {'A': [[0.4, -1.2, 0.6], [1.0, 0.3, -0.8], [-0.5, 0.9, 0.2]], 't': 1.0},
}
MATRIX = 'matrix(3, 3)'


def relative_error(got, want, floor):
    """max |got - want| over max(floor, max |want|); None when either is missing"""
    if got is None or want is None or len(got) != len(want):
        return None
    scale = max([floor] + [abs(x) for x in want])
    return max(abs(x - y) for x, y in zip(got, want)) / scale


def report(verdicts, label, expr, err, tol):
    """print one check and record whether it passed"""
    ok = err is not None and err <= tol
    verdicts.append(ok)
    print('%-4s %-4s %-45s rel.err %s' % ('ok' if ok else 'BAD', label, expr, '%.2e' % err if err is not None else 'n/a'),
          flush=True)


def main():
    parser = argparse.ArgumentParser(description='second derivatives of matrix operators at transposed arguments')
    workspace.add_arguments(parser)
    args = parser.parse_args()
    work, src_dir, gradgen = workspace.prepare(args)
    verdicts = []
    for number, op in enumerate(OPERATORS):
        for variant, m in enumerate(TRANSPOSED):
            expr = op.replace('M', '(%s)' % m)
            fn = {'name': 'F', 'inputs': {'A': MATRIX, 'B': MATRIX}, 'expr': expr, 'wrt': ['A'], 'hessian': True}
            res = fd_check(gradgen, src_dir, work, fn, DATA, 'sweep%d_%d' % (number, variant)) or {}
            report(verdicts, 'hv', expr, relative_error(res.get('gg.hv.A'), res.get('fd.hv.A'), 1e-300), 1e-6)
        expr = op.replace('M', '(%s)' % CURVE)
        fn = {'name': 'F', 'inputs': {'t': 'scalar', 'A': MATRIX, 'C': MATRIX, 'B': MATRIX}, 'expr': expr,
              'wrt': ['t'], 'order': 3}
        res = fd_check(gradgen, src_dir, work, fn, DATA, 'sweep%d_curve' % number) or {}
        for k in ('d2', 'd3'):
            report(verdicts, k, expr, relative_error(res.get('gg.' + k), res.get('fd.' + k), 1e-3), 1e-5)
    print('%d checks, %d bad' % (len(verdicts), verdicts.count(False)))
    sys.exit(0 if all(verdicts) else 1)


if __name__ == '__main__':
    main()
