#!/usr/bin/env python3
# Draws joint-pair / outer-product / dead-store combinations for the review.
# python3 review/gen/combo.py SEED N PREFIX > review/FILE.yaml
import random, sys
seed, n, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
# (inputs, arguments Z of a joint pair, "transposable" square)
bases = [
    ({"A": "matrix(n, n)", "B": "matrix(n, n)"}, ["A", "0.5 * A", "A + B'", "A * B", "B' * A'"], True),
    ({"A": "matrix(m, n)", "B": "matrix(m, n)"}, ["A", "A - B", "0.3 * (A .* B)"], False),
    ({"u": "vector(n)", "v": "vector(n)", "B": "matrix(n, n)"}, ["u * v'", "0.5 * (v * u')", "u * u'"], True),
    ({"A": "matrix(n, n)", "B": "matrix(n, n)"}, ["A", "A * B"], True),
    ({"S": "symmetric(n)", "B": "matrix(n, n)"}, ["S", "S + B"], True),
    ({"A": "matrix(6, 6)", "B": "matrix(6, 6)"}, ["0.3 * A", "0.2 * (A * B)"], True),
    ({"u": "vector(n)", "v": "vector(m)", "B": "matrix(n, m)"}, ["u * v'", "0.5 * (u * v') + B"], False),
    ({"u": "vector(3)", "v": "vector(34)", "B": "matrix(3, 34)"}, ["0.2 * (u * v')", "B - 0.1 * (u * v')"], False),
]
def terms(Z, sq):
    sp, sg = f"softplus({Z})", f"sigmoid({Z})"
    t = [f"sum({sp} .* {sg})", f"sum({sp})", f"sum({sg})", f"sum(B .* {sg})", f"sum(({Z} - {sp}) .* B)",
         f"sum(B .* {sp})", f"sum(-{sp} .* {sg})", f"sum(tanh({sg}))", f"logsumexp({sp})"]
    if sq:
        t += [f"sum({sp} .* {sg}')", f"sum({sp}' .* {sg})", f"sum({sg}' .* B)", f"tr({sp} * B)",
              f"sum(({sg} + {sg}') .* {sp})", f"sum(B' .* {sp} .* {sg}')", f"tr({sp}) + tr({sg})",
              f"sum((({Z})' - {sp}) .* B)", f"sum({sp} * {sg})"]
    return t
out = ["# Drawn by review/gen/combo.py %d %d %s: joint pairs, transposed readers, dead stores." % (seed, n, prefix),
       "package: main", "functions:"]
for k in range(n):
    ins, zs, sq = r.choice(bases)
    Z = r.choice(zs)
    ts = r.sample(terms(Z, sq), r.choice([2, 2, 3]))
    expr = " + ".join(ts)
    used = [x for x in ins if x in expr.replace("sum", "").replace("softplus", "").replace("sigmoid", "").replace("tanh", "").replace("logsumexp", "").replace("tr(", "(")]
    names = [x for x in ins if any(c == x for c in expr.replace("(", " ").replace(")", " ").replace("'", " ").replace(",", " ").replace("*", " ").replace("+", " ").replace("-", " ").replace(".", " ").split())]
    inputs = ", ".join(f'{x}: "{ins[x]}"' for x in names)
    out.append(f"  - name: {prefix}{k:03d}")
    out.append(f"    inputs: {{{inputs}}}")
    out.append(f"    expr: {expr}")
    role = r.random()
    wrt = [x for x in names if x != "B"] or names
    if role < 0.35:
        out.append(f"    wrt: [{r.choice(wrt)}]")
    elif role < 0.5:
        vecs = [x for x in names if ins[x].startswith("vector")]
        if vecs:
            out.append(f"    wrt: [{r.choice(vecs)}]")
            out.append("    hessian: true")
print("\n".join(out))
