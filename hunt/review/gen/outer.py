#!/usr/bin/env python3
# Draws gradients, Hessians, Jacobians and order-k derivatives that form
# outer products (runtime.OuterTo, blas64.Ger), at small and ≥32-column sizes.
# python3 review/gen/outer.py SEED N PREFIX > review/FILE.yaml
import random, sys
seed, n, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
r = random.Random(seed)
dimsets = [("m", "n"), ("m", "36"), ("2", "40"), ("40", "3"), ("1", "n"), ("m", "1"), ("1", "33")]
fa = ["softplus", "sigmoid", "tanh", "exp"]
out = ["# Drawn by review/gen/outer.py %d %d %s: outer products in derivatives." % (seed, n, prefix),
       "package: main", "functions:"]
for k in range(n):
    M, N = r.choice(dimsets)
    ins = {"X": f"matrix({M}, {N})", "a": f"vector({M})", "b": f"vector({N})", "c": f"vector({M})", "d": f"vector({N})", "s": "scalar"}
    f, g = r.choice(fa), r.choice(fa)
    sc = "0.2 * " if f == "exp" else ""
    pieces = [
        "a' * X * b", f"sum({f}({sc}X * b))", f"c' * {g}(0.3 * X * b)", f"s * (a' * X * b)",
        "(a' * X * b) * (c' * X * d)", f"sum(X .* ({f}(0.5 * a) * {g}(0.5 * b)'))", "sum(X .* X) * 0.5",
        f"sum({f}(0.2 * X' * a))", "(s * s + 1) * (c' * X * d)", "a' * X * b - c' * X * d",
        f"sum({g}(0.1 * (a * b')) .* X)", "(a' * X * b) * (a' * X * b)",
    ]
    ts = r.sample(pieces, r.choice([1, 2, 2, 3]))
    expr = " + ".join(ts)
    toks = set(expr.replace("(", " ").replace(")", " ").replace("'", " ").replace("*", " ").replace("+", " ").replace("-", " ").replace(".", " ").split())
    names = [x for x in ins if x in toks]
    out.append(f"  - name: {prefix}{k:03d}")
    out.append("    inputs: {" + ", ".join(f'{x}: "{ins[x]}"' for x in names) + "}")
    out.append(f"    expr: {expr}")
    role = r.random()
    vecs = [x for x in names if x in "abcd"]
    if role < 0.4 and "X" in names:
        out.append("    wrt: [X]")
    elif role < 0.6 and vecs:
        out.append(f"    wrt: [{r.choice(vecs)}]")
        out.append("    hessian: true")
    elif role < 0.7 and "s" in names:
        out.append("    wrt: [s]")
        out.append("    order: 2")
    elif role < 0.8 and len(vecs) >= 2:
        out.append(f"    wrt: [{', '.join(r.sample(vecs, 2))}]")
        out.append("    hessian: true")
print("\n".join(out))
