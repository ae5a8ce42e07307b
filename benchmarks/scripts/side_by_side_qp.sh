#!/bin/bash
# Side by side with qpth on the peer's cases, at 1 and 2 threads, plus the per-phase report (issue #17).
# Needs: the qpth peer (shared/peers/qpth, its README's one-time setup) and its cases (gen_qps.py --json).
#   QPTH_PEER=../shared/peers/qpth QPTH_SRC=/path/to/qpth CASES=/tmp/qpcases OUT=/tmp/measure benchmarks/scripts/side_by_side_qp.sh
# Run on an otherwise idle machine; prints one line per case and thread count, writes JSON and phase tables to OUT.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
QPTH_PEER=${QPTH_PEER:-$ROOT/../shared/peers/qpth}; QPTH_SRC=${QPTH_SRC:?set QPTH_SRC to the qpth source folder}
CASES=${CASES:-/tmp/qpcases}; OUT=${OUT:-/tmp/measure}; mkdir -p "$OUT"
BENCH=${BENCH:-$ROOT/benchmarks/DiffOpt.Benchmarks/bin/Release/net10.0/DiffOpt.Benchmarks.dll}
for th in 1 2; do
 for c in b1_n10_m10_p0 b128_n50_m50_p10 b128_n100_m100_p20; do
  # B = 1 calls take about a millisecond, so both sides get 30 warm-up calls there (a layer in training makes
  # thousands): with 2, our median measured .NET's tiered JIT (the backward's code runs at tier 0 for its first 30
  # calls), not the solver. The batched cases keep 2 warm-ups and 7 timed runs.
  if [ $c = b1_n10_m10_p0 ]; then runs="--reps 21 --warmup 30"; else runs="--reps 7 --warmup 2"; fi
  (cd "$QPTH_PEER" && PYTHONPATH=$QPTH_SRC:$QPTH_PEER/shim /usr/bin/python3 qp_peer.py "$CASES/$c.npz" --threads $th $runs --out "$OUT/qpth_${c}_t$th.json" > /dev/null 2>&1)
  dotnet "$BENCH" qp-case "$CASES/$c.json" --threads $th $runs --json "$OUT/ours_${c}_t$th.json" > /dev/null 2>&1
  /usr/bin/python3 - "$OUT/qpth_${c}_t$th.json" "$OUT/ours_${c}_t$th.json" "$c" "$th" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))['summary']['timing']; o = json.load(open(sys.argv[2]))
qf, qb = q['fwd_median_s'] * 1e3, q['fwdbwd_median_s'] * 1e3
print(f"{sys.argv[3]} threads={sys.argv[4]}: qpth fwd {qf:.1f} fwd+bwd {qb:.1f} ms | ours fwd {o['forwardMs']:.1f} fwd+bwd {o['forwardBackwardMs']:.1f} ms"
      f" | ratio fwd {qf / o['forwardMs']:.2f} fwd+bwd {qb / o['forwardBackwardMs']:.2f} | our peak {o['peakWorkingSetMB']:.0f} MB")
PY
 done
done
for c in b128_n50_m50_p10 b128_n100_m100_p20; do
  dotnet "$BENCH" qp-phases "$CASES/$c.json" --reps 5 --warmup 2 > "$OUT/phases_$c.txt" 2>&1 && echo "phases: $OUT/phases_$c.txt"
done
