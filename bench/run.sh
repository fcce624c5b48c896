#!/usr/bin/env bash
# Runs the whole benchmark suite and writes BENCHMARKS.md, docs/benchmarks.svg
# and docs/roofline.svg at the repository root:
#
#   1. the Go benchmarks of ./bench (go test -bench -benchmem -count N), pure
#      Go, then with -tags openblas (bench/openblas_test.go imports the
#      backend, github.com/gradgen/gradgen/runtime/openblas) when cgo and
#      libopenblas-dev are there, and the dense-Hessian benchmarks of
#      ./bench/hessian (pure Go); among the first, the machine's ceilings
#      for the roofline, BenchmarkTriad (copy bandwidth) and
#      BenchmarkGemmRate (best square Dgemm) of bench/roofline_test.go, on
#      each backend;
#   2. the same cases in PyTorch (bench/torch/bench.py), when Debian's
#      /usr/bin/python3 can import torch (apt-get install -y python3-torch);
#   3. the wall time of generating a 100-function spec with a prebuilt
#      gradgen binary, cold process, several times;
#   4. bench/report, which takes medians and writes the report.
#
#   bash bench/run.sh                 # full run: every size, -count 5 (~20 min on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh   # smallest sizes only, -count 3 (~1.5 min);
#                                     # writes its report into $BENCH_OUT, not the repo
#
# Environment: BENCH_QUICK=1; BENCH_COUNT (default 5, quick 3); BENCH_TIME
# (-benchtime, default 1s, quick 200ms); BENCH_OUT, the directory for raw
# outputs (default ${TMPDIR:-/tmp}/gradgen-bench); BENCH_MD and BENCH_SVG,
# the report's paths (the roofline chart is roofline.svg beside BENCH_SVG);
# BENCH_SKIP_TORCH=1 or BENCH_SKIP_OPENBLAS=1 to leave one out; GOEXPERIMENT
# (default simd on amd64 where the toolchain builds it, so the vector block
# kernels run; set it, even empty, to choose); BENCH_NOTE,
# a note for the report (say what else the machine was running). The load
# average at the start and the end goes into the report's notes. Never run
# in CI.
#
# bench is a module of its own (bench/go.mod, with replace directives to the
# repository root and runtime/openblas), so that neither gonum/plot (the
# report's chart) nor netlib (the OpenBLAS backend) is in gradgen's go.mod;
# its commands run in bench/ (go -C bench), with absolute paths.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=${BENCH_QUICK:-0}
out=${BENCH_OUT:-${TMPDIR:-/tmp}/gradgen-bench}
mkdir -p "$out"
if [ "$quick" = 1 ]; then
  count=${BENCH_COUNT:-3}
  benchtime=${BENCH_TIME:-200ms}
  # The smallest size of each case (sub-benchmark names of bench/bench_test.go).
  pattern='/^(n=16(,k=4)?|m=16,n=16,p=16|n=64,d=16(,k=4)?|n=32,d=16,h=32,o=4)$'
  md=${BENCH_MD:-$out/BENCHMARKS.md}
  svg=${BENCH_SVG:-$out/benchmarks.svg}
  torchflags=(--quick)
  genruns=5
else
  count=${BENCH_COUNT:-5}
  benchtime=${BENCH_TIME:-1s}
  pattern=.
  md=${BENCH_MD:-BENCHMARKS.md}
  svg=${BENCH_SVG:-docs/benchmarks.svg}
  torchflags=()
  genruns=9
fi
out=$(realpath -m "$out") md=$(realpath -m "$md") svg=$(realpath -m "$svg")
notes=()
if [ -n "${BENCH_NOTE:-}" ]; then notes+=("$BENCH_NOTE"); fi
reportflags=()
start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
log() { echo "== $(date +%H:%M:%S) $*" >&2; }

log "raw outputs in $out"
# The vector block kernels (runtime/vecmath_simd.go) are built with
# GOEXPERIMENT=simd on amd64; both backends are measured with them unless
# GOEXPERIMENT is set, and the report's Go line says which.
if [ -z "${GOEXPERIMENT+set}" ] && [ "$(go env GOARCH)" = amd64 ] &&
  GOEXPERIMENT=simd go vet ./runtime >/dev/null 2>&1; then
  export GOEXPERIMENT=simd
fi
goline="$(go version | sed 's/^go version //'), GOEXPERIMENT=${GOEXPERIMENT:-none}"
log "$goline"

# 1. Go benchmarks. -run '^$': no tests (TestAllocs swaps the BLAS
# implementation), so every benchmark runs on the backend of its build.
benchflags=(-run '^$' -bench "$pattern" -benchmem -count "$count" -benchtime "$benchtime" -timeout 0)
log "go test -bench, pure Go (-count $count -benchtime $benchtime)"
go -C bench test . "${benchflags[@]}" | tee "$out/purego.txt"
# The machine's ceilings (the full pattern has them already; the quick one
# matches only the cases' smallest sizes).
machineflags=(-run '^$' -bench '^Benchmark(Triad|GemmRate)$' -benchmem -count "$count" -benchtime "$benchtime" -timeout 0)
if [ "$quick" = 1 ]; then
  go -C bench test . "${machineflags[@]}" | tee -a "$out/purego.txt"
fi
reportflags+=(-go "pure Go=$out/purego.txt")

# 1b. Dense Hessians (bench/hessian): FHessian against d HVPs and finite
# differences of FGrad, pure Go.
hpattern=.
[ "$quick" = 1 ] && hpattern='/d=16/'
log "go test -bench ./bench/hessian"
go -C bench test ./hessian/ -run '^$' -bench "$hpattern" -benchmem -count "$count" -benchtime "$benchtime" -timeout 0 | tee "$out/hessian.txt"
reportflags+=(-hessian "$out/hessian.txt")

openblas="not run"
if [ "${BENCH_SKIP_OPENBLAS:-0}" = 1 ]; then
  openblas="not run (BENCH_SKIP_OPENBLAS=1)"
elif go -C bench test -tags openblas -c -o /dev/null . 2>"$out/openblas-build.txt"; then
  openblas=$(python3 - <<'EOF' 2>/dev/null || dpkg-query -W -f='${Version}' libopenblas0 2>/dev/null || echo "installed, version unknown"
import ctypes
lib = ctypes.CDLL("libopenblas.so.0")
lib.openblas_get_config.restype = ctypes.c_char_p
lib.openblas_get_corename.restype = ctypes.c_char_p
print("%s, core %s, %d threads" % (lib.openblas_get_config().decode().strip(),
      lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()))
EOF
)
  log "go test -bench -tags openblas ($openblas)"
  go -C bench test -tags openblas . "${benchflags[@]}" | tee "$out/openblas.txt"
  if [ "$quick" = 1 ]; then
    go -C bench test -tags openblas . "${machineflags[@]}" | tee -a "$out/openblas.txt"
  fi
  reportflags+=(-go "OpenBLAS=$out/openblas.txt")
else
  openblas="not run: -tags openblas does not build here (needs cgo and apt-get install -y libopenblas-dev)"
  notes+=("The OpenBLAS backend was not run: \`go -C bench test -tags openblas .\` does not build on this machine ($(head -c 200 "$out/openblas-build.txt" | tr '\n' ' ')).")
fi

# 2. PyTorch.
if [ "${BENCH_SKIP_TORCH:-0}" != 1 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  log "PyTorch (bench/torch/bench.py ${torchflags[*]:-})"
  /usr/bin/python3 bench/torch/bench.py "${torchflags[@]}" | tee "$out/torch.jsonl"
  reportflags+=(-torch "$out/torch.jsonl")
else
  reportflags+=(-torch-note "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch), or BENCH_SKIP_TORCH=1")
fi

# 3. Generation time: a 100-function spec made of generated_test/ops.yaml's
# one-line functions under new names, generated by a prebuilt binary.
log "generation time"
go build -o "$out/gradgen" ./cmd/gradgen
{
  echo "package: genbench"
  echo "functions:"
  for r in 1 2 3; do
    grep '^  - {name:' generated_test/ops.yaml | sed "s/{name: \([A-Za-z0-9_]*\)/{name: \1R$r/"
  done | awk 'NR <= 100' # not head: under pipefail its early exit kills the script
} >"$out/spec100.yaml"
funcs=$(grep -c '^  - {name:' "$out/spec100.yaml")
: >"$out/gen_ms.txt"
for _ in $(seq "$genruns"); do
  t0=$(date +%s%N)
  "$out/gradgen" -o "$out/spec100_grad.go" "$out/spec100.yaml"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{printf "%.1f\n", $1 / 1000}' >>"$out/gen_ms.txt"
done
cat "$out/gen_ms.txt" | tr '\n' ' ' >&2; echo " ms" >&2

# 4. benchstat appendix (optional) and the report.
if [ -f "$out/openblas.txt" ] && grep -q '^Benchmark' "$out/openblas.txt"; then
  if go run golang.org/x/perf/cmd/benchstat@latest "pure Go=$out/purego.txt" "OpenBLAS=$out/openblas.txt" >"$out/benchstat.txt" 2>"$out/benchstat.err"; then
    reportflags+=(-benchstat "$out/benchstat.txt")
  else
    notes+=("benchstat could not run: $(head -c 200 "$out/benchstat.err" | tr '\n' ' ')")
  fi
fi
elapsed=$(( $(date +%s) - start ))
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
notes+=("Machine load (\`/proc/loadavg\`, 1, 5, 15 min) at the start: $load0; at the end: $load1, on $(nproc) cores. A load above the core count means other work shared the CPUs: wall times and the machine's ceilings (triad, Dgemm) are then below what an idle machine gives, and the \`cpu-ns/op\` of the raw outputs is the steadier figure.")
notes+=("\`bench/run.sh\`: \`go test -bench -benchmem -count $count -benchtime $benchtime\`, GOMAXPROCS ${GOMAXPROCS:-$(nproc)}; whole run $((elapsed / 60)) min $((elapsed % 60)) s. Raw outputs were in \`$out\`.")
[ "$quick" = 1 ] && reportflags+=(-quick)
for n in "${notes[@]}"; do reportflags+=(-note "$n"); done
log "report: $md, $svg"
go -C bench run ./report "${reportflags[@]}" -gen "$out/gen_ms.txt" -gen-funcs "$funcs" \
  -openblas "$openblas" -goversion "$goline" \
  -date "$(date -u -d "@$start" '+%Y-%m-%d %H:%M UTC')" -o "$md" -svg "$svg"
log "done in $((elapsed / 60)) min $((elapsed % 60)) s: $md"
