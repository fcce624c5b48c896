#!/bin/sh
# Loop of tester.py batches, one at a time, at nice 10.
#
#   oracle/independent/run.sh FIRST LAST [MODE [NFUNCS]]
#
# Seeds FIRST..LAST, NFUNCS functions a batch (default 50); odd seeds build the test program
# with GOEXPERIMENT=simd.  MODE:
#   mixed (default)  seed%6 == 0: --big --motifs, at most 20 functions;
#                    seed%6 == 3: --standalone --test --motifs; otherwise --motifs
#   plain            random functions, no motifs
#   ones             --ones --motifs, and --views on even seeds
#   views            --views --motifs
# Work directory: $GRADGEN_INDEP_WORK, else a fresh one under the temp dir (printed). Each batch's
# output goes to WORK/runs/log_SEED.txt; python3 summarize.py --work WORK totals them.
set -e
if [ $# -lt 2 ]; then
  echo "usage: $0 FIRST LAST [mixed|plain|ones|views [NFUNCS]]" >&2
  exit 2
fi
first=$1
last=$2
mode=${3:-mixed}
nfuncs=${4:-50}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$GRADGEN_INDEP_WORK" ]; then
  GRADGEN_INDEP_WORK=$(mktemp -d "${TMPDIR:-/tmp}/gradgen-indep-XXXXXX")
fi
export GRADGEN_INDEP_WORK
echo "work directory: $GRADGEN_INDEP_WORK"
mkdir -p "$GRADGEN_INDEP_WORK/runs"
for s in $(seq "$first" "$last"); do
  n=$nfuncs
  flags=""
  if [ $((s % 2)) -eq 1 ]; then flags="--simd"; fi
  case $mode in
    mixed)
      case $((s % 6)) in
        0) flags="$flags --big --motifs"; if [ "$n" -gt 20 ]; then n=20; fi ;;
        3) flags="$flags --standalone --test --motifs" ;;
        *) flags="$flags --motifs" ;;
      esac ;;
    plain) ;;
    ones)
      flags="$flags --ones --motifs"
      if [ $((s % 2)) -eq 0 ]; then flags="$flags --views"; fi ;;
    views) flags="$flags --views --motifs" ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
  esac
  # shellcheck disable=SC2086
  timeout 900 nice -n 10 /usr/bin/python3 "$here/tester.py" "$s" "$n" $flags \
    > "$GRADGEN_INDEP_WORK/runs/log_$s.txt" 2>&1 || echo "seed $s: exit $?"
  grep '^{"seed"' "$GRADGEN_INDEP_WORK/runs/log_$s.txt" | cut -c1-200 || true
done
