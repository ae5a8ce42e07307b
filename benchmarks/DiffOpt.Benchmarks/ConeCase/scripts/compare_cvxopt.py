#!/usr/bin/python3
"""Who is off: our x and diffcp's x against CVXOPT's conelp at tight tolerances (1e-10).

Usage: /usr/bin/python3 compare_cvxopt.py CASE.json OURS.json PEER.json [OURS_TIGHT.json]
CASE.json from the peer's gen_cones.py; OURS.json from `cone-case --json`; PEER.json from cone_peer.py --out.
Cones: zero rows become CVXOPT's equality constraints, 'l' and 'q' map directly, PSD blocks (SCS's svec: lower
triangle column by column, off-diagonals times sqrt 2) are expanded to CVXOPT's full column-major k*k rows.
Exponential cones are not supported by conelp; such cases are skipped. Prints, per source, the worst
max|x - x_cvxopt| / max(1, |x_cvxopt|) over the batch and the residuals of CVXOPT's own solutions.
"""
import json
import math
import sys

import numpy as np
from cvxopt import matrix, solvers

solvers.options.update(abstol=1e-10, reltol=1e-10, feastol=1e-10, maxiters=200, show_progress=False)


def to_conelp(A, b, cones):
    z, l, q, s = cones.get("z", 0), cones.get("l", 0), cones.get("q", []), cones.get("s", [])
    Aeq, beq = A[:z], b[:z]
    G_rows, h_rows = [A[z:z + l]], [b[z:z + l]]
    row = z + l
    for size in q:
        G_rows.append(A[row:row + size]); h_rows.append(b[row:row + size]); row += size
    for k in s:
        size = k * (k + 1) // 2
        Gs, hs = A[row:row + size], b[row:row + size]
        full_G = np.zeros((k * k, A.shape[1])); full_h = np.zeros(k * k)
        p = 0
        for j in range(k):
            for i in range(j, k):
                scale = 1.0 if i == j else 1.0 / math.sqrt(2)
                for (r, c) in {(i, j), (j, i)}:
                    full_G[c * k + r] = scale * Gs[p]; full_h[c * k + r] = scale * hs[p]
                p += 1
        G_rows.append(full_G); h_rows.append(full_h); row += size
    dims = {"l": l, "q": list(q), "s": list(s)}
    return Aeq, beq, np.vstack(G_rows), np.concatenate(h_rows), dims


def main(case_path, ours_path, peer_path, tight_path=None):
    case = json.load(open(case_path))
    cones = case["cones"]
    if cones.get("ep", 0):
        print(f"{case['meta']['name']}: exponential cones, not supported by conelp; skipped")
        return
    ours = np.array(json.load(open(ours_path))["x"])
    peer = np.array(json.load(open(peer_path))["x"])
    tight = np.array(json.load(open(tight_path))["x"]) if tight_path else None
    A_all, b_all, c_all = np.array(case["A"]), np.array(case["b"]), np.array(case["c"])
    worst = {"ours": 0.0, "diffcp": 0.0, "ours_vs_diffcp": 0.0, "tight": 0.0}
    statuses = set()
    for i in range(A_all.shape[0]):
        Aeq, beq, G, h, dims = to_conelp(A_all[i], b_all[i], cones)
        kw = {}
        if Aeq.shape[0]:
            kw = dict(A=matrix(Aeq), b=matrix(beq))
        try:
            sol = solvers.conelp(matrix(c_all[i]), matrix(G), matrix(h), dims, **kw)
        except ValueError:  # conelp's scaling can break down at 1e-10; retry at 1e-9
            solvers.options.update(abstol=1e-9, reltol=1e-9, feastol=1e-9)
            sol = solvers.conelp(matrix(c_all[i]), matrix(G), matrix(h), dims, **kw)
            solvers.options.update(abstol=1e-10, reltol=1e-10, feastol=1e-10)
        statuses.add(sol["status"])
        x = np.array(sol["x"]).ravel()
        scale = np.maximum(1.0, np.abs(x))
        worst["ours"] = max(worst["ours"], float(np.max(np.abs(ours[i] - x) / scale)))
        if tight is not None:
            worst["tight"] = max(worst["tight"], float(np.max(np.abs(tight[i] - x) / scale)))
        worst["diffcp"] = max(worst["diffcp"], float(np.max(np.abs(peer[i] - x) / scale)))
        worst["ours_vs_diffcp"] = max(worst["ours_vs_diffcp"],
                                      float(np.max(np.abs(ours[i] - peer[i]) / np.maximum(1.0, np.abs(peer[i])))))
    print(f"{case['meta']['name']}: cvxopt statuses {sorted(statuses)}; max |x - x_cvxopt|/max(1,|x_cvxopt|): "
          f"ours {worst['ours']:.2e}, diffcp {worst['diffcp']:.2e}, ours (tight) {worst['tight']:.2e}; "
          f"ours vs diffcp {worst['ours_vs_diffcp']:.2e}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
