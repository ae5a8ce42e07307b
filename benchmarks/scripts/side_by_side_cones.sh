#!/bin/bash
# Side by side with diffcp on the cone cases and with cvxpylayers on the layer cases, 1 thread (issues #12, #13).
# Needs the cvxpylayers peer built (shared/peers/cvxpylayers/README.md, setup.sh) and its case files:
#   cone cases: gen_cones.py --seed 0 into CONE_CASES; layer cases: layer_cases.py gen --out LAYER_CASES.
#   PEER=../shared/peers/cvxpylayers CONE_CASES=/tmp/conecases LAYER_CASES=/tmp/lc OUT=/tmp/measure benchmarks/scripts/side_by_side_cones.sh
# The logistic layer case is left out (minutes on both sides); run it alone with the same two commands.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEER=${PEER:-$ROOT/../shared/peers/cvxpylayers}; CONE_CASES=${CONE_CASES:-/tmp/conecases}; LAYER_CASES=${LAYER_CASES:-/tmp/lc}
OUT=${OUT:-/tmp/measure}; mkdir -p "$OUT"
BENCH=${BENCH:-$ROOT/benchmarks/DiffOpt.Benchmarks/bin/Release/net10.0/DiffOpt.Benchmarks.dll}
cd "$PEER" && . ./env.sh
for c in lp_b128_n50 socp_b64_n30 exp_b64_n20 mixed_b32_n30 sdp_b16_n20; do
  solver=ECOS; case $c in mixed*|sdp*) solver=SCS;; esac
  OMP_NUM_THREADS=1 /usr/bin/python3 cone_peer.py "$CONE_CASES/$c.json" --solver $solver --threads 1 --reps 3 --warmup 1 --out "$OUT/diffcp_$c.json" > /dev/null 2>&1
  dotnet "$BENCH" cone-case "$CONE_CASES/$c.json" --threads 1 --reps 5 --warmup 2 --json "$OUT/ours_$c.json" > /dev/null 2>&1
  /usr/bin/python3 - "$OUT/diffcp_$c.json" "$OUT/ours_$c.json" "$c" <<'PY'
import json, sys
import numpy as np
p = json.load(open(sys.argv[1])); o = json.load(open(sys.argv[2]))
xp, xo = np.array(p['x']), np.array(o['x'])
err = np.max(np.abs(xo - xp) / np.maximum(1, np.abs(xp)))
print(f"{sys.argv[3]}: diffcp fwd+bwd {p['forwardBackwardMs']:.1f} ms | ours fwd+bwd {o['forwardBackwardMs']:.1f} ms"
      f" | ratio {p['forwardBackwardMs'] / o['forwardBackwardMs']:.2f} | max |x - x_diffcp| (relative) {err:.1e}")
PY
done
for c in relu sparsemax nnls softmax portfolio; do
  OMP_NUM_THREADS=1 /usr/bin/python3 layer_cases.py peer "$LAYER_CASES/$c.json" --reps 3 --out "$OUT/peer_$c.json" > /dev/null 2>&1
  dotnet "$BENCH" convex-layer-case "$LAYER_CASES/$c.json" --threads 1 --reps 3 --warmup 1 --json "$OUT/ours_layer_$c.json" > /dev/null 2>&1
  /usr/bin/python3 - "$OUT/peer_$c.json" "$OUT/ours_layer_$c.json" "$c" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); o = json.load(open(sys.argv[2]))
print(f"{sys.argv[3]}: cvxpylayers fwd+bwd {p['forwardBackwardMs']:.1f} ms | ours {o['forwardBackwardMs']:.1f} ms | ratio {p['forwardBackwardMs'] / o['forwardBackwardMs']:.2f}")
PY
done
