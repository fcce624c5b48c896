#!/usr/bin/env python3
"""Time the gradgen benchmark suite (bench/bench.yaml) forward+backward in PyTorch.

Each case computes the same scalar f as the Go benchmark and its gradient with
respect to the same inputs, in torch.float64 on the CPU. For every case and
size, the script warms up, picks an iteration count so that one timed loop
takes at least --min-time seconds, and prints the median over --reps loops,
once with one thread (torch.set_num_threads(1) and OPENBLAS_NUM_THREADS=1, as
torch reaches Debian's OpenBLAS through libblas.so.3) and once with torch's
and OpenBLAS's own default thread counts, each in a fresh process, as JSON
lines:

  {"case": "B1Bilinear", "size": "n=16", "threads": 1, "ns_per_op": 1234.5}

Run with Debian's interpreter, which is where python3-torch installs:

  /usr/bin/python3 bench/torch/bench.py [--quick] [--case B1Bilinear]

--quick runs only the smallest size of each case. See README.md beside this
file; CI never installs or runs this.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

# torch is imported in main(), after the thread environment is set.
torch = None
DT = None

# Environment of the 1-thread run: torch.set_num_threads(1) does not reach
# the OpenBLAS that Debian's torch calls through libblas.so.3, so its own
# threads are limited here, before torch (and OpenBLAS) is loaded.
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _randn(gen, *shape, scale=1.0):
    return torch.randn(*shape, generator=gen, dtype=DT) * scale


def _spd(gen, n):
    a = _randn(gen, n, n)
    return a @ a.T / n + torch.eye(n, dtype=DT)


# Each builder returns (inputs, wrt, f): f(*inputs) is the scalar, wrt the
# tensors (among inputs) to differentiate with respect to.


def b1_bilinear(gen, n):
    m = n
    a, x, b = _randn(gen, m), _randn(gen, m, n), _randn(gen, n)
    x.requires_grad_(True)
    return (a, x, b), (x,), lambda a, x, b: a @ (x @ b)


def b2_expmix(gen, n):
    m = n
    a, x, b = _randn(gen, m), _randn(gen, m, n, scale=1 / n**0.5), _randn(gen, n)
    x.requires_grad_(True)
    return (a, x, b), (x,), lambda a, x, b: a @ torch.exp(x @ b)


def b3_quadtrace(gen, n):
    k = max(4, n // 4)
    a, w = _randn(gen, n, n), _randn(gen, n, k)
    w.requires_grad_(True)
    return (w, a), (w,), lambda w, a: torch.trace(w.T @ a @ w)


def b4_sandwich(gen, m, n, p):
    x, b, c = _randn(gen, m, n), _randn(gen, n, p), _randn(gen, m, m)
    x.requires_grad_(True)
    return (x, b, c), (x,), lambda x, b, c: torch.trace(b.T @ x.T @ c @ x @ b)


def b5_logreg(gen, n, d):
    x = _randn(gen, n, d, scale=1 / d**0.5)
    y = torch.where(_randn(gen, n) > 0, 1.0, -1.0).to(DT)
    w = _randn(gen, d)
    lam = 0.1
    w.requires_grad_(True)

    def f(x, y, w):
        return torch.nn.functional.softplus(-y * (x @ w)).sum() + lam / 2 * (w @ w)

    return (x, y, w), (w,), f


def b6_gaussnll(gen, n):
    # S is spd, so factorise with Cholesky, as gradgen does for spd inputs:
    # logdet(S) = 2 sum(log(diag(L))), tr(inv(S) C) = tr(cholesky_solve(C, L)).
    s, c = _spd(gen, n), _spd(gen, n)
    s.requires_grad_(True)

    def f(s, c):
        lo = torch.linalg.cholesky(s)
        return 2 * torch.log(torch.diagonal(lo)).sum() + torch.trace(torch.cholesky_solve(c, lo))

    return (s, c), (s,), f


def b7_mlp(gen, n, d, h, o):
    x, y = _randn(gen, n, d), _randn(gen, n, o)
    w1, w2 = _randn(gen, d, h, scale=1 / d**0.5), _randn(gen, h, o, scale=1 / h**0.5)
    w1.requires_grad_(True)
    w2.requires_grad_(True)

    def f(x, w1, w2, y):
        hid = torch.tanh(x @ w1)
        return 0.5 * ((hid @ w2 - y) ** 2).sum()

    return (x, w1, w2, y), (w1, w2), f


def b8_softmax(gen, n, d, k):
    x = _randn(gen, n, d)
    w, b = _randn(gen, d, k, scale=1 / d**0.5), _randn(gen, k)
    y = torch.nn.functional.one_hot(torch.randint(k, (n,), generator=gen), k).to(DT)
    w.requires_grad_(True)
    b.requires_grad_(True)

    def f(x, y, w, b):
        z = x @ w + b
        return torch.logsumexp(z, 1).sum() - (y * z).sum()

    return (x, y, w, b), (w, b), f


# (case, size label, builder, args). The first size of each case is the
# small one (--quick). Case names and labels must match the Go benchmarks
# (BenchmarkB1Bilinear/n=16/..., the cases table in bench/bench_test.go).
CASES = [
    ("B1Bilinear", "n=16", b1_bilinear, (16,)),
    ("B1Bilinear", "n=128", b1_bilinear, (128,)),
    ("B1Bilinear", "n=1024", b1_bilinear, (1024,)),
    ("B2ExpMix", "n=16", b2_expmix, (16,)),
    ("B2ExpMix", "n=128", b2_expmix, (128,)),
    ("B2ExpMix", "n=1024", b2_expmix, (1024,)),
    ("B3QuadTrace", "n=16,k=4", b3_quadtrace, (16,)),
    ("B3QuadTrace", "n=128,k=32", b3_quadtrace, (128,)),
    ("B3QuadTrace", "n=1024,k=256", b3_quadtrace, (1024,)),
    ("B4Sandwich", "m=16,n=16,p=16", b4_sandwich, (16, 16, 16)),
    ("B4Sandwich", "m=128,n=128,p=128", b4_sandwich, (128, 128, 128)),
    ("B4Sandwich", "m=512,n=512,p=512", b4_sandwich, (512, 512, 512)),
    ("B4Sandwich", "m=512,n=64,p=8", b4_sandwich, (512, 64, 8)),
    ("B5LogReg", "n=64,d=16", b5_logreg, (64, 16)),
    ("B5LogReg", "n=4096,d=128", b5_logreg, (4096, 128)),
    ("B5LogReg", "n=65536,d=256", b5_logreg, (65536, 256)),
    ("B6GaussNLL", "n=16", b6_gaussnll, (16,)),
    ("B6GaussNLL", "n=128", b6_gaussnll, (128,)),
    ("B6GaussNLL", "n=512", b6_gaussnll, (512,)),
    ("B7MLP", "n=32,d=16,h=32,o=4", b7_mlp, (32, 16, 32, 4)),
    ("B7MLP", "n=1024,d=256,h=256,o=10", b7_mlp, (1024, 256, 256, 10)),
    ("B8Softmax", "n=64,d=16,k=4", b8_softmax, (64, 16, 4)),
    ("B8Softmax", "n=4096,d=128,k=10", b8_softmax, (4096, 128, 10)),
    ("B8Softmax", "n=1024,d=64,k=256", b8_softmax, (1024, 64, 256)),
]


def time_case(builder, args, min_time, reps):
    """Median ns per forward+backward over reps loops of >= min_time s each."""
    gen = torch.Generator().manual_seed(1)
    inputs, wrt, f = builder(gen, *args)

    def step():
        out = f(*inputs)
        torch.autograd.grad(out, wrt)

    def loop(iters):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        return time.perf_counter() - t0

    # Warm up; estimate the time per op from loops of >= 1/10 of min_time;
    # size the timed loops from it, and re-size them if an outlier in the
    # estimate made them too short.
    loop(3)
    iters = 1
    while True:
        t = loop(iters)
        if t >= min_time / 10:
            break
        iters *= 2
    iters = max(1, math.ceil(min_time / (t / iters)))
    for _ in range(3):
        samples = [loop(iters) for _ in range(reps)]
        med = statistics.median(samples)
        if med >= min_time * 0.8:
            break
        iters = max(iters + 1, math.ceil(iters * min_time / med))
    samples = [s / iters * 1e9 for s in samples]
    return statistics.median(samples), iters


def blas_library():
    """The BLAS shared library this process has loaded (Linux), or "unknown"."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    except OSError:
        return "unknown"
    for lib in sorted(libs):
        if "openblas" in lib:
            return lib
    return sorted(libs)[0] if libs else "unknown"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="only the smallest size of each case")
    p.add_argument("--case", action="append", help="run only this case (repeatable)")
    p.add_argument("--reps", type=int, default=5, help="timed loops per measurement (median)")
    p.add_argument("--min-time", type=float, default=0.2, help="seconds per timed loop")
    p.add_argument(
        "--threads",
        choices=["both", "1", "default"],
        default="both",
        help="1: one thread everywhere (torch, OpenMP, OpenBLAS); default: torch and "
        "OpenBLAS as they start, untouched; both: each in its own process",
    )
    opts = p.parse_args(argv)

    if opts.threads == "both":
        # Thread pools are fixed when torch loads: one process per setting.
        base = list(argv if argv is not None else sys.argv[1:])
        for th, extra in (("1", ONE_THREAD_ENV), ("default", {})):
            env = dict(os.environ, **extra)
            rc = subprocess.call([sys.executable, os.path.abspath(__file__), *base, "--threads", th], env=env)
            if rc != 0:
                return rc
        return 0

    if opts.threads == "1":
        for k, v in ONE_THREAD_ENV.items():
            if os.environ.get(k) != v:
                os.execve(sys.executable, [sys.executable, *sys.argv], dict(os.environ, **ONE_THREAD_ENV))

    global torch, DT
    import torch as _torch

    torch, DT = _torch, _torch.float64
    if opts.threads == "1":
        torch.set_num_threads(1)
    threads = 1 if opts.threads == "1" else "default"

    seen = set()
    for case, size, builder, args in CASES:
        if opts.case and case not in opts.case:
            continue
        if opts.quick and case in seen:
            continue
        seen.add(case)
        ns, iters = time_case(builder, args, opts.min_time, opts.reps)
        rec = {
            "case": case,
            "size": size,
            "threads": threads,
            "ns_per_op": round(ns, 1),
            "num_threads": torch.get_num_threads(),
            "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "iters": iters,
            "torch": torch.__version__,
            "blas": blas_library(),
        }
        print(json.dumps(rec), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
