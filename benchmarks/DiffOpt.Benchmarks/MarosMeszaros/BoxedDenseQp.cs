namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// A Maros-Meszaros problem in the dense form our solver takes, minimize ½xᵀPx + qᵀx s.t. Gx ≤ h, Ax = b,
/// with the bounds appended as rows: a variable fixed by its bounds (lb_i = ub_i) as the equality e_iᵀx = lb_i
/// after A's own rows; the other bounds as rows of G, x_i ≤ ub_i as e_iᵀx ≤ ub_i, then x_i ≥ lb_i as
/// −e_iᵀx ≤ −lb_i. A fixed variable posed as two inequalities would leave the solver a primal set without
/// interior and an unbounded pair of duals (z_upper − z_lower is all that is determined; an interior-point method
/// lets both grow to 1e6-1e8, and their difference, the README's z_box, then carries their rounding).
/// Row-major arrays; <see cref="SplitDuals"/> maps the duals of the stacked rows back.
/// </summary>
public sealed class BoxedDenseQp
{
    private readonly int[] _upperIdx;
    private readonly int[] _lowerIdx;
    private readonly int[] _fixedIdx;

    private BoxedDenseQp(int n, double[] p, double[] q, int originalInequalities, int[] upperIdx, int[] lowerIdx,
        double[] g, double[] h, int originalEqualities, int[] fixedIdx, double[] a, double[] b)
    {
        N = n; P = p; Q = q; OriginalInequalityRows = originalInequalities; OriginalEqualityRows = originalEqualities;
        _upperIdx = upperIdx; _lowerIdx = lowerIdx; _fixedIdx = fixedIdx;
        G = g; H = h; A = a; B = b;
    }

    /// <summary>Number of variables.</summary>
    public int N { get; }
    /// <summary>P, n × n.</summary>
    public double[] P { get; }
    /// <summary>q, n.</summary>
    public double[] Q { get; }
    /// <summary>Rows of the problem's own G (before the bound rows).</summary>
    public int OriginalInequalityRows { get; }
    /// <summary>All inequality rows: G's own, then upper bounds, then lower bounds (fixed variables excepted).</summary>
    public int InequalityRows => OriginalInequalityRows + _upperIdx.Length + _lowerIdx.Length;
    /// <summary>Stacked G, InequalityRows × n.</summary>
    public double[] G { get; }
    /// <summary>Stacked h, InequalityRows.</summary>
    public double[] H { get; }
    /// <summary>Rows of the problem's own A (before the rows of the fixed variables).</summary>
    public int OriginalEqualityRows { get; }
    /// <summary>All equality rows: A's own, then one per fixed variable.</summary>
    public int EqualityRows => OriginalEqualityRows + _fixedIdx.Length;
    /// <summary>Stacked A, EqualityRows × n.</summary>
    public double[] A { get; }
    /// <summary>Stacked b, EqualityRows.</summary>
    public double[] B { get; }

    /// <summary>Builds the dense form of <paramref name="problem"/>.</summary>
    public static BoxedDenseQp From(MarosMeszarosProblem problem)
    {
        int n = problem.N, mG = problem.InequalityCount, pA = problem.EqualityCount;
        var lower = new Dictionary<int, double>();
        for (int k = 0; k < problem.Lb.Count; k++) lower[problem.Lb.Idx[k]] = problem.Lb.Vals[k];
        var fixedIdx = Enumerable.Range(0, problem.Ub.Count)
            .Where(k => lower.TryGetValue(problem.Ub.Idx[k], out double l) && l == problem.Ub.Vals[k])
            .Select(k => problem.Ub.Idx[k]).ToArray();
        var isFixed = new HashSet<int>(fixedIdx);
        var upper = Enumerable.Range(0, problem.Ub.Count).Where(k => !isFixed.Contains(problem.Ub.Idx[k])).ToArray();
        var lowerRows = Enumerable.Range(0, problem.Lb.Count).Where(k => !isFixed.Contains(problem.Lb.Idx[k])).ToArray();

        var p = new double[(long)n * n];
        problem.P.AddTo(p, 0);
        int rows = mG + upper.Length + lowerRows.Length;
        var g = new double[(long)rows * n];
        problem.G.AddTo(g, 0);
        var h = new double[rows];
        Array.Copy(problem.H, h, mG);
        for (int r = 0; r < upper.Length; r++)
        {
            g[(long)(mG + r) * n + problem.Ub.Idx[upper[r]]] = 1.0;
            h[mG + r] = problem.Ub.Vals[upper[r]];
        }
        for (int r = 0; r < lowerRows.Length; r++)
        {
            g[(long)(mG + upper.Length + r) * n + problem.Lb.Idx[lowerRows[r]]] = -1.0;
            h[mG + upper.Length + r] = -problem.Lb.Vals[lowerRows[r]];
        }
        var a = new double[(long)(pA + fixedIdx.Length) * n];
        problem.A.AddTo(a, 0);
        var b = new double[pA + fixedIdx.Length];
        Array.Copy(problem.B, b, pA);
        for (int r = 0; r < fixedIdx.Length; r++)
        {
            a[(long)(pA + r) * n + fixedIdx[r]] = 1.0;
            b[pA + r] = lower[fixedIdx[r]];
        }
        return new BoxedDenseQp(n, p, (double[])problem.Q.Clone(), mG,
            upper.Select(k => problem.Ub.Idx[k]).ToArray(), lowerRows.Select(k => problem.Lb.Idx[k]).ToArray(),
            g, h, pA, fixedIdx, a, b);
    }

    /// <summary>
    /// Splits the duals of the stacked rows into those of G's and A's own rows and the box duals: z_upper − z_lower
    /// for a bounded variable (negative where a lower bound is active, positive where an upper bound is), the dual of
    /// its equality row for a fixed variable (its bound terms in the gap, lb·min(z_box, 0) + ub·max(z_box, 0), are
    /// then lb·z_box, the row's b·y).
    /// </summary>
    public (double[] Z, double[] Y, double[] ZBox) SplitDuals(double[] stackedZ, double[] stackedY)
    {
        if (stackedZ.Length != InequalityRows)
            throw new ArgumentException($"Argument 'stackedZ' has {stackedZ.Length} entries; expected {InequalityRows}.", nameof(stackedZ));
        if (stackedY.Length != EqualityRows)
            throw new ArgumentException($"Argument 'stackedY' has {stackedY.Length} entries; expected {EqualityRows}.", nameof(stackedY));
        var zBox = new double[N];
        for (int k = 0; k < _upperIdx.Length; k++) zBox[_upperIdx[k]] += stackedZ[OriginalInequalityRows + k];
        for (int k = 0; k < _lowerIdx.Length; k++) zBox[_lowerIdx[k]] -= stackedZ[OriginalInequalityRows + _upperIdx.Length + k];
        for (int k = 0; k < _fixedIdx.Length; k++) zBox[_fixedIdx[k]] = stackedY[OriginalEqualityRows + k];
        return (stackedZ[..OriginalInequalityRows], stackedY[..OriginalEqualityRows], zBox);
    }
}
