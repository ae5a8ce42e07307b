#!/usr/bin/python3
"""Reference cone programs for the tests, solved by an independent solver (cvxopt).

What it makes
    One JSON file per case in this folder (format in README.md): LPs, QPs, SOCPs, SDPs, mixed cone
    programs, a primal-infeasible and a dual-infeasible LP, and a batch of four mixed items. Every
    problem is stated in our (SCS) convention

        minimize cᵀx + ½xᵀPx  subject to  Ax + s = b,  s ∈ K,

    K a product of zero, nonnegative, second-order (t first) and PSD cones (svec: lower triangle
    column by column, off-diagonal entries times √2), in the order of the "cones" list.

    The optimal problems are built around a known optimum: x*, and s* ∈ K, y* ∈ K* strictly
    complementary, give b = Ax* + s* and c = −Aᵀy* − Px*. The counts of active directions are chosen so
    the optimum is unique (D_y ≤ n ≤ C_x below, generic Gaussian A), so cvxopt has to find the same point.
    The script converts each problem to cvxopt's form (zero rows -> Ax = b; nonnegative and SOC rows ->
    Gx + s = h; each PSD svec block -> a full column-major k×k block), solves it with conelp (P absent)
    or coneqp (P present) with kktsolver 'ldl' at tolerances 1e-10 (retrying at 1e-9, then 1e-8, when a
    run ends without a definite status), maps cvxopt's (x, s, y, z) back to our convention, and asserts
    before writing a file:
      * the stored (x, y, s) meet the KKT conditions in our convention to 1e-8 relative (primal and
        dual residual, complementarity sᵀy, duality gap, s ∈ K, y ∈ K*),
      * cvxopt's solution equals the constructed one to 1e-8 relative where every cone pair is sharp,
        1e-5 where a pair meets on a curved part of a SOC or PSD boundary (see the tolerances below),
      * for the infeasible cases, cvxopt's certificate is valid in our convention.
    The C# tests (ReferenceDataTests.cs) repeat the checks without Python; CI never runs this script.

Rerun (from the repository root; it rewrites the JSON files next to this script):
    /usr/bin/python3 tests/DiffOpt.Core.Tests/Cones/ReferenceData/generate_cvxopt_cases.py

Versions used for the committed files: Debian 12 python3-cvxopt 1.3.0+dfsg-1+b1 (cvxopt 1.3.0),
python3-numpy 1:1.24.2-1+deb12u1 (numpy 1.24.2), Python 3.11.2 (apt-get install python3-cvxopt
python3-numpy). Seeds: each case's "seed" below (numpy.random.default_rng(seed)); the batch items use
seeds 901-904. Other versions may change the last digits of the cvxopt solutions, not the problems.
"""

import json
import math
import os

import numpy as np
import cvxopt
from cvxopt import matrix, solvers

SQRT2 = math.sqrt(2.0)
HERE = os.path.dirname(os.path.abspath(__file__))
CVXOPT_OPTIONS = {'show_progress': False, 'refinement': 3, 'maxiters': 200}
# The default 'chol2' stops with "singular KKT matrix" (status unknown) one step short of 1e-10 on
# lp_medium; the LDLᵀ factorization takes that step.
KKT_SOLVER = 'ldl'
TOLERANCE_LADDER = (1e-10, 1e-9, 1e-8)
MIN_MARGIN = 0.05           # smallest singular value of the uniqueness maps (A has N(0, 1) entries)
KKT_TOLERANCE = 1e-8        # relative KKT / certificate residuals in our convention
# cvxopt versus constructed optimum, relative. Where every cone is "sharp" (nonnegative rows, SOC or PSD
# blocks with s or y zero) cvxopt's point is as accurate as its residuals (measured ≤ 6e-10). Where a SOC
# pair lies on the boundary, or a PSD pair has 0 < rank S < order, the cone's boundary is curved at the
# optimum, the objective grows only quadratically along it, and cvxopt's final point is off by about
# √gap: on socp_small, stopping after 9/10/11 iterations gave gaps 1.4e-10/6.2e-12/2.1e-13 and errors
# in y of 4.3e-6/9.3e-7/7.1e-8, while every KKT residual stays below 1e-10. Hence two tolerances.
AGREEMENT_TOLERANCE_SHARP = 1e-8
AGREEMENT_TOLERANCE_CURVED = 1e-5


# ----------------------------------------------------------------------------------------------
# Cones in our convention
# ----------------------------------------------------------------------------------------------

def cone_dimension(cone):
    """Rows of one cone: k(k+1)/2 for a PSD cone of order k, its size otherwise."""
    kind, size = cone
    return size * (size + 1) // 2 if kind == 'psd' else size


def svec_pairs(k):
    """(i, j), i ≥ j, in svec order: the lower triangle column by column."""
    return [(i, j) for j in range(k) for i in range(j, k)]


def svec(m):
    return np.array([m[i, j] * (1.0 if i == j else SQRT2) for i, j in svec_pairs(m.shape[0])])


def smat(v, k):
    m = np.zeros((k, k))
    for value, (i, j) in zip(v, svec_pairs(k)):
        m[i, j] = m[j, i] = value if i == j else value / SQRT2
    return m


def blocks(cones):
    """(kind, size, first row, row count) per cone."""
    out, row = [], 0
    for kind, size in cones:
        rows = cone_dimension((kind, size))
        out.append((kind, size, row, rows))
        row += rows
    return out


def cone_violation(cones, v, dual):
    """Largest violation of v ∈ K (dual=False) or v ∈ K* (dual=True), relative to 1 + ‖v‖∞."""
    worst = 0.0
    for kind, size, row, rows in blocks(cones):
        part = v[row:row + rows]
        if kind == 'zero':
            violation = 0.0 if dual else np.max(np.abs(part))   # K* of {0} is all of R^k
        elif kind == 'nonnegative':
            violation = max(0.0, -np.min(part))
        elif kind == 'soc':
            violation = max(0.0, np.linalg.norm(part[1:]) - part[0])
        elif kind == 'psd':
            violation = max(0.0, -np.min(np.linalg.eigvalsh(smat(part, size))))
        else:
            raise ValueError(kind)
        worst = max(worst, violation)
    return worst / (1.0 + np.max(np.abs(v)))


def inf_norm(v):
    return float(np.max(np.abs(v))) if v.size else 0.0


def kkt_residuals(cones, A, b, c, P, x, y, s):
    """Relative KKT residuals of (x, y, s) in our convention; all must be ≲ 1e-8."""
    Px = P @ x if P is not None else np.zeros_like(x)
    Ax, Aty = A @ x, A.T @ y
    primal_objective = c @ x + x @ Px          # cᵀx + xᵀPx = −bᵀy + sᵀy at a KKT point
    return {
        'primal_residual': inf_norm(Ax + s - b) / (1 + max(inf_norm(Ax), inf_norm(s), inf_norm(b))),
        'dual_residual': inf_norm(Px + Aty + c) / (1 + max(inf_norm(Px), inf_norm(Aty), inf_norm(c))),
        'complementarity': abs(s @ y) / (1 + abs(primal_objective) + abs(b @ y)),
        'duality_gap': abs(primal_objective + b @ y) / (1 + abs(primal_objective) + abs(b @ y)),
        's_cone_violation': cone_violation(cones, s, dual=False),
        'y_dual_cone_violation': cone_violation(cones, y, dual=True),
    }


def primal_certificate_residuals(cones, A, b, y):
    """y proves Ax + s = b, s ∈ K infeasible: Aᵀy = 0, bᵀy < 0, y ∈ K*."""
    scale = 1 + np.max(np.abs(A)) * inf_norm(y)
    return {'b_dot_y': float(b @ y), 'At_y': inf_norm(A.T @ y) / scale,
            'y_dual_cone_violation': cone_violation(cones, y, dual=True)}


def dual_certificate_residuals(cones, A, c, P, x, s):
    """(x, s) proves the objective unbounded below: Ax + s = 0, s ∈ K, Px = 0, cᵀx < 0."""
    scale = 1 + np.max(np.abs(A)) * inf_norm(x)
    px = inf_norm(P @ x) / (1 + np.max(np.abs(P)) * inf_norm(x)) if P is not None else 0.0
    return {'c_dot_x': float(c @ x), 'Ax_plus_s': inf_norm(A @ x + s) / scale, 'Px': px,
            's_cone_violation': cone_violation(cones, s, dual=False)}


def relative_difference(actual, expected):
    return inf_norm(actual - expected) / (1 + inf_norm(expected))


# ----------------------------------------------------------------------------------------------
# Conversion to and from cvxopt
# ----------------------------------------------------------------------------------------------

def to_cvxopt(cones, A, b):
    """cvxopt's (G, h, dims, A_eq, b_eq) for our (A, b, K); PSD svec rows become full k×k blocks."""
    n = A.shape[1]
    eq_rows, l_rows, q_blocks, s_blocks = [], [], [], []
    for kind, size, row, rows in blocks(cones):
        if kind == 'zero':
            eq_rows += range(row, row + rows)
        elif kind == 'nonnegative':
            l_rows += range(row, row + rows)
        elif kind == 'soc':
            q_blocks.append((size, row))
        else:
            s_blocks.append((size, row))
    g_rows = [A[l_rows]] + [A[row:row + size] for size, row in q_blocks]
    h_rows = [b[l_rows]] + [b[row:row + size] for size, row in q_blocks]
    for k, row in s_blocks:
        gk, hk = np.zeros((k * k, n)), np.zeros(k * k)
        for r, (i, j) in enumerate(svec_pairs(k)):
            factor = 1.0 if i == j else 1.0 / SQRT2
            for full in {i + j * k, j + i * k}:         # column-major entries (i, j) and (j, i)
                gk[full] = factor * A[row + r]
                hk[full] = factor * b[row + r]
        g_rows.append(gk)
        h_rows.append(hk)
    G, h = np.vstack(g_rows), np.concatenate(h_rows)
    dims = {'l': len(l_rows), 'q': [size for size, _ in q_blocks], 's': [k for k, _ in s_blocks]}
    layout = (eq_rows, l_rows, q_blocks, s_blocks)
    return G, h, dims, A[eq_rows], b[eq_rows], layout


def cone_vector_from_cvxopt(layout, m, v_cone, v_eq):
    """Our m-vector from cvxopt's cone part (l, q, full s blocks) and equality part (zero rows)."""
    eq_rows, l_rows, q_blocks, s_blocks = layout
    out = np.zeros(m)
    if v_eq is not None:
        out[eq_rows] = v_eq
    offset = len(l_rows)
    out[l_rows] = v_cone[:offset]
    for size, row in q_blocks:
        out[row:row + size] = v_cone[offset:offset + size]
        offset += size
    for k, row in s_blocks:
        full = v_cone[offset:offset + k * k].reshape((k, k), order='F')
        lower = np.tril(full)                            # cvxopt references the lower triangle only
        out[row:row + k * (k + 1) // 2] = svec(lower + np.tril(full, -1).T)
        offset += k * k
    return out


def solve_with_cvxopt(cones, A, b, c, P):
    """cvxopt's answer in our convention. Tries tolerances 1e-10, 1e-9, 1e-8 (abstol = reltol =
    feastol) and keeps the first run that ends with a definite status: near 1e-10 the last step can
    fail ("singular KKT matrix", or a domain error in coneqp's scaling update). The stored answers are
    checked in our convention to 1e-8 relative whatever tolerance was used."""
    m, n = A.shape
    G, h, dims, A_eq, b_eq, layout = to_cvxopt(cones, A, b)
    for tolerance in TOLERANCE_LADDER:
        options = dict(CVXOPT_OPTIONS, abstol=tolerance, reltol=tolerance, feastol=tolerance)
        args = dict(G=matrix(G), h=matrix(h), dims=dims, A=matrix(A_eq, (len(b_eq), n)),
                    b=matrix(b_eq, (len(b_eq), 1)), kktsolver=KKT_SOLVER, options=options)
        try:
            if P is None:
                result, method = solvers.conelp(matrix(c), **args), 'conelp'
            else:
                result, method = solvers.coneqp(matrix(P), matrix(c), **args), 'coneqp'
        except (ValueError, ArithmeticError):
            continue
        if result['status'] != 'unknown':
            break
    else:
        raise RuntimeError('cvxopt found no definite status at any tolerance')
    status = result['status']
    out = {'method': method, 'cvxopt_status': status, 'iterations': result['iterations'],
           'tolerance': tolerance}

    def vec(key):
        return np.array(result[key]).ravel() if result[key] is not None else None

    if status in ('optimal', 'unknown'):
        out['x'] = vec('x')
        out['s'] = cone_vector_from_cvxopt(layout, m, vec('s'), np.zeros(len(b_eq)))
        out['y'] = cone_vector_from_cvxopt(layout, m, vec('z'), vec('y'))
    elif status == 'primal infeasible':
        out['certificate_y'] = cone_vector_from_cvxopt(layout, m, vec('z'), vec('y'))
    elif status == 'dual infeasible':
        out['certificate_x'] = vec('x')
        out['certificate_s'] = cone_vector_from_cvxopt(layout, m, vec('s'), np.zeros(len(b_eq)))
    return out


# ----------------------------------------------------------------------------------------------
# Construction of problems with a known answer
# ----------------------------------------------------------------------------------------------

def complementary_pair(rng, spec):
    """(s, y, C_x, D_y) for one cone: s ∈ K, y ∈ K*, sᵀy = 0, s + y in the interior (strict
    complementarity). C_x counts the directions the optimal face fixes for x (x unique when
    C_x ≥ n); D_y is the dimension of the dual face (y unique when D_y ≤ n)."""
    kind, size, mode = spec
    if kind == 'zero':
        return np.zeros(size), rng.normal(size=size), size, size
    if kind == 'nonnegative':
        active = np.zeros(size, dtype=bool)
        active[rng.choice(size, mode, replace=False)] = True
        positive = rng.uniform(0.5, 2.0, size)
        return np.where(active, 0.0, positive), np.where(active, positive, 0.0), mode, mode
    if kind == 'soc':
        u = rng.normal(size=size - 1)
        u /= np.linalg.norm(u)
        interior = np.concatenate([[1.0], rng.uniform(0.0, 0.6) * u]) * rng.uniform(1.0, 2.0)
        if mode == 'y_zero':       # s interior, y = 0
            return interior, np.zeros(size), 0, 0
        if mode == 's_zero':       # s = 0, y interior
            return np.zeros(size), interior, size, size
        alpha, beta = rng.uniform(0.5, 2.0, 2)   # both on the boundary, on opposite rays
        return alpha * np.concatenate([[1.0], u]), beta * np.concatenate([[1.0], -u]), size - 1, 1
    if kind == 'psd':
        rank = mode                # rank of S; Y has rank size − rank on the complementary space
        q, _ = np.linalg.qr(rng.normal(size=(size, size)))
        lam = np.concatenate([rng.uniform(0.5, 2.0, rank), np.zeros(size - rank)])
        mu = np.concatenate([np.zeros(rank), rng.uniform(0.5, 2.0, size - rank)])
        s_mat, y_mat = q @ np.diag(lam) @ q.T, q @ np.diag(mu) @ q.T
        dim = size * (size + 1) // 2
        free = rank * (rank + 1) // 2
        return svec(s_mat), svec(y_mat), dim - free, (size - rank) * (size - rank + 1) // 2
    raise ValueError(kind)


def face_bases(cones, s, y):
    """Orthonormal-ish bases of span(F_s) and span(F_y), the faces of K and K* whose relative interiors
    hold s and y: x is the unique optimum when A·dx ∈ span(F_s) (and P·dx = 0) only for dx = 0; y is
    the unique dual when Aᵀ is injective on span(F_y)."""
    m = len(s)
    f_s, f_y = [np.zeros((m, 0))], [np.zeros((m, 0))]
    for kind, size, row, rows in blocks(cones):
        rows_of = np.eye(m)[:, row:row + rows]
        sp, yp = s[row:row + rows], y[row:row + rows]
        if kind == 'zero':
            f_y.append(rows_of)
        elif kind == 'nonnegative':
            f_s.append(rows_of[:, sp > 0])
            f_y.append(rows_of[:, yp > 0])
        elif kind == 'soc' and not yp.any():  # s interior
            f_s.append(rows_of)
        elif kind == 'soc' and not sp.any():  # y interior
            f_y.append(rows_of)
        elif kind == 'soc':                   # both on the boundary: each face is the ray through the point
            f_s.append(rows_of @ (sp / np.linalg.norm(sp))[:, None])
            f_y.append(rows_of @ (yp / np.linalg.norm(yp))[:, None])
        else:                                 # PSD: {Q W Qᵀ : W ⪰ 0}, Q the range of smat(s) (resp. smat(y))
            for v, out in ((sp, f_s), (yp, f_y)):
                w, vectors = np.linalg.eigh(smat(v, size))
                q = vectors[:, w > 1e-9 * max(1.0, w.max())]
                r = q.shape[1]
                for a in range(r):
                    for b_ in range(a, r):
                        e = np.zeros((r, r))
                        e[a, b_] = e[b_, a] = 1.0
                        out.append(rows_of @ svec(q @ e @ q.T)[:, None])
    return np.hstack(f_s), np.hstack(f_y)


def uniqueness_margins(cones, A, P, s, y):
    """Smallest singular values of the maps whose injectivity makes x (resp. y) unique. Near zero means
    nearly degenerate: an interior-point solution is then far less accurate than its residuals."""
    f_s, f_y = face_bases(cones, s, y)
    off_face = A - f_s @ np.linalg.lstsq(f_s, A, rcond=None)[0] if f_s.shape[1] else A
    x_map = np.vstack([P, off_face]) if P is not None else off_face
    return {'x': float(np.linalg.svd(x_map, compute_uv=False).min()),
            'y': float(np.linalg.svd(A.T @ f_y, compute_uv=False).min()) if f_y.shape[1] else float('inf')}


def cone_list(specs):
    return [(kind, size) for kind, size, _ in specs]


def random_p(rng, n, p_rank):
    if p_rank is None:
        return None
    f = rng.normal(size=(n, p_rank))
    p = f @ f.T / p_rank
    return p + 0.1 * np.eye(n) if p_rank >= n else p


def construct_optimal(seed, specs, n, p_rank=None):
    """A problem with the unique optimum (x*, y*, s*) built from the per-cone specs."""
    rng = np.random.default_rng(seed)
    pairs = [complementary_pair(rng, spec) for spec in specs]
    s = np.concatenate([p[0] for p in pairs])
    y = np.concatenate([p[1] for p in pairs])
    c_x, d_y = sum(p[2] for p in pairs), sum(p[3] for p in pairs)
    positive_definite = p_rank is not None and p_rank >= n
    assert d_y <= n, f'dual optimum not unique: D_y = {d_y} > n = {n}'
    assert positive_definite or n <= c_x, f'primal optimum not unique: C_x = {c_x} < n = {n}'
    m = s.size
    A = rng.normal(size=(m, n))
    x = rng.normal(size=n)
    P = random_p(rng, n, p_rank)
    b = A @ x + s
    c = -A.T @ y - (P @ x if P is not None else 0.0)
    margins = uniqueness_margins(cone_list(specs), A, P, s, y)
    assert min(margins.values()) >= MIN_MARGIN, f'seed {seed}: nearly degenerate, margins {margins}'
    return {'margins': margins, 'curved': is_curved(specs), 'cones': cone_list(specs), 'A': A, 'b': b, 'c': c, 'P': P, 'x': x, 'y': y, 's': s}


def is_curved(specs):
    """True when some cone pair meets on a curved part of the boundary (see the tolerances above)."""
    return any((kind == 'soc' and mode == 'boundary') or (kind == 'psd' and 0 < mode < size)
               for kind, size, mode in specs)


def solve_and_check_optimal(name, problem):
    cones, A, b, c, P = (problem[k] for k in ('cones', 'A', 'b', 'c', 'P'))
    result = solve_with_cvxopt(cones, A, b, c, P)
    assert result['cvxopt_status'] == 'optimal', f"{name}: cvxopt status {result['cvxopt_status']}"
    residuals = kkt_residuals(cones, A, b, c, P, result['x'], result['y'], result['s'])
    constructed = kkt_residuals(cones, A, b, c, P, problem['x'], problem['y'], problem['s'])
    for label, values in (('cvxopt', residuals), ('constructed', constructed)):
        for key, value in values.items():
            assert value <= KKT_TOLERANCE, f'{name} ({label}): {key} = {value:.2e}'
    agreement = {key: relative_difference(result[key], problem[key]) for key in ('x', 'y', 's')}
    tolerance = AGREEMENT_TOLERANCE_CURVED if problem['curved'] else AGREEMENT_TOLERANCE_SHARP
    for key, value in agreement.items():
        assert value <= tolerance, f'{name}: cvxopt {key} differs from constructed by {value:.2e}'
    return result, residuals, agreement


def objective(problem, x):
    return float(problem['c'] @ x + (0.5 * x @ problem['P'] @ x if problem['P'] is not None else 0.0))


def source(method, seed):
    return f'cvxopt {cvxopt.__version__} {method}, generated by generate_cvxopt_cases.py seed {seed}'


def as_list(v):
    return None if v is None else np.asarray(v).tolist()


def optimal_case(name, description, seed, specs, n, p_rank=None):
    problem = construct_optimal(seed, specs, n, p_rank)
    result, residuals, agreement = solve_and_check_optimal(name, problem)
    report(name, residuals, agreement)
    return {
        'name': name, 'description': description, 'source': source(result['method'], seed),
        'cones': [{'type': kind, 'size': size} for kind, size in problem['cones']],
        'A': as_list(problem['A']), 'b': as_list(problem['b']), 'c': as_list(problem['c']),
        'P': as_list(problem['P']), 'status': 'optimal',
        'x': as_list(result['x']), 'y': as_list(result['y']), 's': as_list(result['s']),
        'x_constructed': as_list(problem['x']), 'y_constructed': as_list(problem['y']),
        's_constructed': as_list(problem['s']),
        'objective': objective(problem, result['x']),
        'certificate_x': None, 'certificate_y': None, 'certificate_s': None,
        'certificate_x_constructed': None, 'certificate_y_constructed': None,
        'certificate_s_constructed': None,
        'cvxopt_status': result['cvxopt_status'], 'cvxopt_iterations': result['iterations'],
        'cvxopt_tolerance': result['tolerance'],
        'kkt_residuals': residuals, 'difference_from_constructed': agreement,
        'uniqueness_margins': problem['margins'],
    }


def infeasible_case(name, description, seed, kind, n, zero_rows, nonneg_rows):
    """LP with a constructed Farkas certificate: kind 'primal' (y ∈ K*, Aᵀy = 0, bᵀy = −1) or 'dual'
    (Ax + s = 0, s ∈ K, cᵀx = −1, while Ax + s = b, s ∈ K stays feasible)."""
    rng = np.random.default_rng(seed)
    specs = [('zero', zero_rows, None), ('nonnegative', nonneg_rows, None)]
    cones = cone_list(specs)
    m = zero_rows + nonneg_rows
    A, b, c = rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)
    support = rng.uniform(size=nonneg_rows) < 0.6       # rows of the nonnegative part in the certificate
    if kind == 'primal':
        y = np.concatenate([rng.normal(size=zero_rows),
                            np.where(support, rng.uniform(0.5, 2.0, nonneg_rows), 0.0)])
        A -= np.outer(y, y @ A) / (y @ y)
        b -= y * (b @ y + 1.0) / (y @ y)
        certificate = {'certificate_y': y}
    else:
        x = rng.normal(size=n)
        s = np.concatenate([np.zeros(zero_rows), np.where(support, rng.uniform(0.5, 2.0, nonneg_rows), 0.0)])
        A -= np.outer(A @ x + s, x) / (x @ x)
        c -= x * (c @ x + 1.0) / (x @ x)
        x0 = rng.normal(size=n)
        s0 = np.concatenate([np.zeros(zero_rows), rng.uniform(0.5, 2.0, nonneg_rows)])
        b = A @ x0 + s0
        certificate = {'certificate_x': x, 'certificate_s': s}
    result = solve_with_cvxopt(cones, A, b, c, None)
    expected = f'{kind} infeasible'
    assert result['cvxopt_status'] == expected, f"{name}: cvxopt status {result['cvxopt_status']}"
    if kind == 'primal':
        checks = [primal_certificate_residuals(cones, A, b, v)
                  for v in (result['certificate_y'], certificate['certificate_y'])]
        for values in checks:
            assert values['b_dot_y'] < -0.5, f"{name}: bᵀy = {values['b_dot_y']}"
    else:
        checks = [dual_certificate_residuals(cones, A, c, None, result['certificate_x'], result['certificate_s']),
                  dual_certificate_residuals(cones, A, c, None, certificate['certificate_x'], certificate['certificate_s'])]
        for values in checks:
            assert values['c_dot_x'] < -0.5, f"{name}: cᵀx = {values['c_dot_x']}"
    for values in checks:
        for key, value in values.items():
            if key not in ('b_dot_y', 'c_dot_x'):
                assert value <= KKT_TOLERANCE, f'{name}: certificate {key} = {value:.2e}'
    report(name, checks[0], {})
    out = {
        'name': name, 'description': description, 'source': source(result['method'], seed),
        'cones': [{'type': kind_, 'size': size} for kind_, size in cones],
        'A': as_list(A), 'b': as_list(b), 'c': as_list(c), 'P': None, 'status': f'{kind}_infeasible',
        'x': None, 'y': None, 's': None, 'x_constructed': None, 'y_constructed': None,
        's_constructed': None, 'objective': None,
    }
    for key in ('certificate_x', 'certificate_y', 'certificate_s'):
        out[key] = as_list(result.get(key))
        out[key + '_constructed'] = as_list(certificate.get(key))
    out.update({'cvxopt_status': result['cvxopt_status'], 'cvxopt_iterations': result['iterations'],
        'cvxopt_tolerance': result['tolerance'],
                'certificate_residuals': checks[0]})
    return out


def batch_case(name, description, seeds, specs, n):
    items = [optimal_case(f'{name}[{i}]', description, seed, specs, n) for i, seed in enumerate(seeds)]
    batched = {'name': name, 'description': description,
               'source': items[0]['source'].replace(f'seed {seeds[0]}', 'seeds ' + ', '.join(map(str, seeds))),
               'batch_size': len(items), 'cones': items[0]['cones']}
    for key in ('A', 'b', 'c', 'P', 'status', 'x', 'y', 's', 'x_constructed', 'y_constructed',
                's_constructed', 'objective', 'certificate_x', 'certificate_y', 'certificate_s',
                'certificate_x_constructed', 'certificate_y_constructed', 'certificate_s_constructed',
                'cvxopt_status', 'cvxopt_iterations', 'cvxopt_tolerance', 'kkt_residuals', 'difference_from_constructed',
                'uniqueness_margins'):
        values = [item[key] for item in items]
        batched[key] = None if all(v is None for v in values) else values
    return batched


WORST = {}


def report(name, residuals, agreement):
    print(f'{name:28s} ' + ' '.join(f'{k}={v:.1e}' for k, v in {**residuals, **agreement}.items()))
    for k, v in {**residuals, **agreement}.items():
        if k not in ('b_dot_y', 'c_dot_x') and v > WORST.get(k, (0.0, ''))[0]:
            WORST[k] = (v, name)


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

def dumps(value, indent=''):
    """JSON with one top-level key per line and one matrix row per line (small diffs)."""
    if isinstance(value, dict):
        inner = indent + '  '
        return '{\n' + ',\n'.join(f'{inner}{json.dumps(k)}: {dumps(v, inner)}' for k, v in value.items()) \
            + '\n' + indent + '}'
    if isinstance(value, list) and value and isinstance(value[0], list):
        inner = indent + '  '
        return '[\n' + ',\n'.join(inner + dumps(row, inner) for row in value) + '\n' + indent + ']'
    return json.dumps(value, allow_nan=False)


def write(case):
    path = os.path.join(HERE, case['name'] + '.json')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(dumps(case) + '\n')


def nn(size, active):
    return ('nonnegative', size, active)


def soc(size, mode):
    return ('soc', size, mode)


def psd(order, rank):
    return ('psd', order, rank)


def zero(size):
    return ('zero', size, None)


def main():
    cases = [
        optimal_case('lp_small', 'LP, n = 5: 2 zero rows, 8 nonnegative rows (3 active); vertex optimum.',
                     101, [zero(2), nn(8, 3)], 5),
        optimal_case('lp_medium', 'LP, n = 20: 5 zero rows, 30 nonnegative rows (15 active); vertex optimum.',
                     102, [zero(5), nn(30, 15)], 20),
        optimal_case('qp_nonnegative', 'QP (coneqp), n = 6, P positive definite: 2 zero rows, 8 nonnegative rows (3 active).',
                     201, [zero(2), nn(8, 3)], 6, p_rank=6),
        optimal_case('qp_soc', 'QP (coneqp), n = 8, P positive semidefinite of rank 4: 1 zero row, 4 nonnegative rows '
                     '(2 active), SOC 3 (s, y both on the boundary), SOC 4 (s = 0).',
                     202, [zero(1), nn(4, 2), soc(3, 'boundary'), soc(4, 's_zero')], 8, p_rank=4),
        optimal_case('socp_small', 'SOCP, n = 6: 4 nonnegative rows (2 active), SOC 3 (boundary), SOC 4 (y = 0), '
                     'SOC 5 (boundary).',
                     301, [nn(4, 2), soc(3, 'boundary'), soc(4, 'y_zero'), soc(5, 'boundary')], 6),
        optimal_case('socp_medium', 'SOCP, n = 12: 2 zero rows, 6 nonnegative rows (3 active), SOC 2 (boundary), '
                     'SOC 3 (s = 0), SOC 6 (boundary), SOC 4 (y = 0).',
                     302, [zero(2), nn(6, 3), soc(2, 'boundary'), soc(3, 's_zero'), soc(6, 'boundary'),
                           soc(4, 'y_zero')], 12),
        optimal_case('sdp_single', 'SDP, n = 5: one PSD cone of order 4 (10 svec rows); S of rank 2, Y of rank 2.',
                     401, [psd(4, 2)], 5),
        optimal_case('sdp_two_blocks', 'SDP, n = 10: 5 nonnegative rows (2 active), PSD order 3 (S rank 1, Y rank 2), '
                     'PSD order 4 (S rank 2, Y rank 2).',
                     402, [nn(5, 2), psd(3, 1), psd(4, 2)], 10),
        optimal_case('mixed', 'Mixed, n = 11: 2 zero rows, 4 nonnegative rows (2 active), SOC 3 (boundary), '
                     'SOC 4 (y = 0), PSD order 3 (S rank 1), PSD order 2 (S rank 1).',
                     501, [zero(2), nn(4, 2), soc(3, 'boundary'), soc(4, 'y_zero'), psd(3, 1), psd(2, 1)], 11),
        optimal_case('mixed_interleaved_qp', 'QP (coneqp), n = 10, P positive semidefinite of rank 3, cones in a '
                     'non-canonical order: PSD order 3 (S rank 2), 3 nonnegative rows (1 active), 2 zero rows, '
                     'SOC 4 (boundary), 2 nonnegative rows (1 active), SOC 3 (s = 0).',
                     502, [psd(3, 2), nn(3, 1), zero(2), soc(4, 'boundary'), nn(2, 1), soc(3, 's_zero')], 10,
                     p_rank=3),
        infeasible_case('lp_primal_infeasible', 'LP, n = 6, 2 zero rows, 8 nonnegative rows, with no feasible x; '
                        'certificate y: Aᵀy = 0, bᵀy = −1, y ∈ K*.', 601, 'primal', 6, 2, 8),
        infeasible_case('lp_dual_infeasible', 'LP, n = 6, 1 zero row, 9 nonnegative rows, feasible but unbounded '
                        'below; certificate (x, s): Ax + s = 0, s ∈ K, cᵀx = −1.', 602, 'dual', 6, 1, 9),
        batch_case('batch_mixed', 'Batch of 4 cone LPs, n = 8, sharing the cones 2 zero rows, 4 nonnegative rows '
                   '(2 active), SOC 3 (boundary), PSD order 3 (S rank 2, Y rank 1); data and active rows differ '
                   'per item.', [901, 902, 903, 904], [zero(2), nn(4, 2), soc(3, 'boundary'), psd(3, 2)], 8),
    ]
    for case in cases:
        write(case)
    print('worst over all cases:')
    for key, (value, name) in sorted(WORST.items()):
        print(f'  {key:24s} {value:.2e}  ({name})')


if __name__ == '__main__':
    main()
