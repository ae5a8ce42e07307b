#!/usr/bin/env python3
"""Compare convex-layer-case outputs (ours and the cvxpylayers peer's) with closed forms and with each other.

  compare_layer_cases.py CASE_DIR OURS_PREFIX PEER_PREFIX
reads CASE_DIR/NAME.json (layer_cases.py gen), OURS_PREFIX+NAME.json (convex-layer-case --json) and
PEER_PREFIX+NAME.json (layer_cases.py peer --out) and prints, per problem, both sides' median times and the
max-abs errors of x and of the gradients against the closed forms where they exist (relu: max(y, 0);
sparsemax: Euclidean projection onto the simplex; softmax), else the max-abs difference between the sides.
"""
import json, os, sys
import numpy as np


def simplex(y):
    u = -np.sort(-y, axis=1)
    css = np.cumsum(u, axis=1) - 1
    k = np.arange(1, y.shape[1] + 1)
    cnt = ((u - css / k) > 0).sum(axis=1, keepdims=True)
    tau = np.take_along_axis(css, cnt - 1, axis=1) / cnt
    return np.maximum(y - tau, 0)


def nnls_active_set(case, x):
    """x's gradients from the active-set formula at x's support S (x_S = (A_S'A_S)^-1 A_S'b)."""
    A = np.array(case["params"]["A"]); b = np.array(case["params"]["b"]); w = np.array(case["wt"])
    gA, gb = np.zeros_like(A), np.zeros_like(b)
    for k in range(A.shape[0]):
        S = x[k] > 1e-6; As = A[k][:, S]; v = np.linalg.solve(As.T @ As, w[k][S])
        gb[k] = As @ v
        gA[k][:, S] = np.outer(b[k] - As @ x[k][S], v) - np.outer(As @ v, x[k][S])
    return {"A": gA, "b": gb}


def closed(name, case):
    y = np.array(case["params"]["y"]); w = np.array(case["wt"])
    if name == "relu":
        return np.maximum(y, 0), {"y": w * (y > 0)}
    if name == "sparsemax":
        x = simplex(y); s = x > 0
        mean = (w * s).sum(1, keepdims=True) / s.sum(1, keepdims=True)
        return x, {"y": (w - mean) * s}
    e = np.exp(y - y.max(1, keepdims=True)); x = e / e.sum(1, keepdims=True)
    return x, {"y": x * w - x * (x * w).sum(1, keepdims=True)}


def main(case_dir, ours, peer):
    print("| problem | B | ours fwd ms | ours fwd+bwd ms | peer fwd ms | peer fwd+bwd ms | speed-up (fwd+bwd) | ours x err | ours grad err | peer x err | peer grad err |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ["relu", "sparsemax", "softmax", "nnls", "logistic", "portfolio"]:
        paths = [os.path.join(case_dir, name + ".json"), ours + name + ".json", peer + name + ".json"]
        if not all(os.path.exists(p) for p in paths):
            continue
        case, a, b = (json.load(open(p)) for p in paths)
        xa, xb = np.array(a["x"]), np.array(b["x"])
        ga = {k: np.array(v) for k, v in a["grads"].items()}; gb = {k: np.array(v) for k, v in b["grads"].items()}
        if name in ("relu", "sparsemax", "softmax"):
            x, g = closed(name, case)
            ex = [np.abs(xa - x).max(), np.abs(xb - x).max()]
            eg = [max(np.abs(ga[k] - g[k]).max() for k in g), max(np.abs(gb[k] - g[k]).max() for k in g)]
            errs = f"{ex[0]:.1e} | {eg[0]:.1e} | {ex[1]:.1e} | {eg[1]:.1e}"
        elif name == "nnls":
            g = nnls_active_set(case, xa)
            eg = [max(np.abs(ga[k] - g[k]).max() for k in g), max(np.abs(gb[k] - g[k]).max() for k in g)]
            errs = f"ours-peer {np.abs(xa - xb).max():.1e} | {eg[0]:.1e} (active set) | | {eg[1]:.1e} (active set)"
        else:
            d = np.abs(xa - xb).max(); dg = max(np.abs(ga[k] - gb[k]).max() for k in ga)
            errs = f"ours-peer {d:.1e} | ours-peer {dg:.1e} | (no closed form) | "
        print(f"| {name} | {case['B']} | {a['forwardMs']:.1f} | {a['forwardBackwardMs']:.1f} | {b['forwardMs']:.1f} | "
              f"{b['forwardBackwardMs']:.1f} | {b['forwardBackwardMs'] / a['forwardBackwardMs']:.1f}x | {errs} |")


if __name__ == "__main__":
    main(*sys.argv[1:4])
