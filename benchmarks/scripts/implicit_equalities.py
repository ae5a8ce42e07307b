#!/usr/bin/env python3
"""Counts the implicit equalities of a Maros-Meszaros problem (dense JSON form of shared/data/maros-meszaros-dense).

An inequality row (of G x <= h or of the finite bounds lb <= x <= ub) is an implicit equality when no feasible point
leaves it slack: max over the feasible set of (h_i - g_i x) is 0. This script decides it the expensive way, one LP
per row (cvxopt), and also reports what the classical activity-based presolve finds (rows forced by the variable
bounds alone, propagated to a fixed point), to show whether a cheap presolve could give the problem an interior.

Usage: /usr/bin/python3 benchmarks/scripts/implicit_equalities.py PATH/QFORPLAN.json
"""
import json
import sys

import numpy as np
from cvxopt import matrix, solvers

solvers.options["show_progress"] = False


def dense(block, rows, cols):
    out = np.zeros((rows, cols))
    if isinstance(block, dict):
        for i, j, v in zip(block["i"], block["j"], block["v"]):
            out[i, j] += v
    elif block is not None:
        out[:, :] = np.asarray(block, dtype=float).reshape(rows, cols)
    return out


def bounds(spec, n, fill):
    out = np.full(n, fill)
    if isinstance(spec, dict):
        out[spec["idx"]] = spec["vals"]
    elif spec is not None:
        out[:] = spec
    return out


def activity(row, lo, hi):
    nz = row != 0
    a = row[nz]
    low = np.sum(np.where(a > 0, a * lo[nz], a * hi[nz]))
    high = np.sum(np.where(a > 0, a * hi[nz], a * lo[nz]))
    return low, high


def main(path):
    d = json.load(open(path))
    n = d["n"]
    G = dense(d["G"], d["G"]["rows"] if isinstance(d["G"], dict) else len(d["h"]), n)
    h = np.asarray(d["h"], dtype=float)
    A = dense(d["A"], d["A"]["rows"] if isinstance(d["A"], dict) else len(d["b"]), n)
    b = np.asarray(d["b"], dtype=float)
    lb, ub = bounds(d["lb"], n, -np.inf), bounds(d["ub"], n, np.inf)
    rows = np.vstack([G, -np.eye(n)[np.isfinite(lb)], np.eye(n)[np.isfinite(ub)]])
    rhs = np.concatenate([h, -lb[np.isfinite(lb)], ub[np.isfinite(ub)]])
    empty = np.all(rows == 0, axis=1)
    print(f"{d['name']}: n={n}, {len(h)} rows of G, {A.shape[0]} equalities, {rows.shape[0]} inequalities with bounds "
          f"({int(empty.sum())} empty rows)")

    # Largest uniform slack t (capped at 1): Gx + t <= h. t = 0 means no interior.
    m = rows.shape[0] - int(empty.sum())
    keep = ~empty
    c = np.zeros(n + 1)
    c[-1] = -1
    Gt = np.vstack([np.hstack([rows[keep], np.ones((m, 1))]), np.r_[np.zeros(n), 1.0]])
    sol = solvers.lp(matrix(c), matrix(Gt), matrix(np.r_[rhs[keep], 1.0]), matrix(np.hstack([A, np.zeros((A.shape[0], 1))])), matrix(b))
    print(f"largest uniform slack: {-sol['primal objective']:.3e} ({sol['status']})")

    implicit, undecided = 0, 0
    for i in np.nonzero(keep)[0]:
        s = solvers.lp(matrix(rows[i]), matrix(rows[keep]), matrix(rhs[keep]), matrix(A), matrix(b))
        if s["status"] != "optimal":
            undecided += 1
        elif rhs[i] - s["primal objective"] <= 1e-6 * max(1.0, abs(rhs[i])):
            implicit += 1
    print(f"implicit equalities by one LP per row: {implicit} of {m} non-empty inequalities ({undecided} LPs undecided)")

    lo, hi = lb.copy(), ub.copy()
    forced = set()
    for _ in range(50):
        changed = False
        for i in range(G.shape[0]):
            if not G[i].any():
                continue
            low, _ = activity(G[i], lo, hi)
            if np.isfinite(low) and low >= h[i] - 1e-9 * max(1.0, abs(h[i])) and i not in forced:
                forced.add(i)
                changed = True
                for j in np.nonzero(G[i])[0]:
                    lo[j] = hi[j] = lo[j] if G[i, j] > 0 else hi[j]
        if not changed:
            break
    print(f"activity-based presolve: {len(forced)} forcing rows of G, {int(np.sum(lo == hi))} fixed variables")


if __name__ == "__main__":
    main(sys.argv[1])
