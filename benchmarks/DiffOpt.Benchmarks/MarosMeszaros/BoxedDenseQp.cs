namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// A Maros-Meszaros problem in the dense form our solver takes, minimize ½xᵀPx + qᵀx s.t. Gx ≤ h, Ax = b,
/// with the bounds appended as rows of G: x_i ≤ ub_i as e_iᵀx ≤ ub_i, then x_i ≥ lb_i as −e_iᵀx ≤ −lb_i.
/// Row-major arrays; <see cref="SplitDuals"/> maps the duals of the stacked rows back.
/// </summary>
public sealed class BoxedDenseQp
{
    private readonly int[] _upperIdx;
    private readonly int[] _lowerIdx;

    private BoxedDenseQp(int n, double[] p, double[] q, int originalRows, int[] upperIdx, int[] lowerIdx,
        double[] g, double[] h, int equalityRows, double[] a, double[] b)
    {
        N = n; P = p; Q = q; OriginalInequalityRows = originalRows;
        _upperIdx = upperIdx; _lowerIdx = lowerIdx;
        G = g; H = h; EqualityRows = equalityRows; A = a; B = b;
    }

    /// <summary>Number of variables.</summary>
    public int N { get; }
    /// <summary>P, n × n.</summary>
    public double[] P { get; }
    /// <summary>q, n.</summary>
    public double[] Q { get; }
    /// <summary>Rows of the problem's own G (before the bound rows).</summary>
    public int OriginalInequalityRows { get; }
    /// <summary>All inequality rows: G's own, then upper bounds, then lower bounds.</summary>
    public int InequalityRows => OriginalInequalityRows + _upperIdx.Length + _lowerIdx.Length;
    /// <summary>Stacked G, InequalityRows × n.</summary>
    public double[] G { get; }
    /// <summary>Stacked h, InequalityRows.</summary>
    public double[] H { get; }
    /// <summary>Rows of A.</summary>
    public int EqualityRows { get; }
    /// <summary>A, EqualityRows × n.</summary>
    public double[] A { get; }
    /// <summary>b, EqualityRows.</summary>
    public double[] B { get; }

    /// <summary>Builds the dense form of <paramref name="problem"/>.</summary>
    public static BoxedDenseQp From(MarosMeszarosProblem problem)
    {
        int n = problem.N, mG = problem.InequalityCount, nu = problem.Ub.Count, nl = problem.Lb.Count;
        int rows = mG + nu + nl;
        var p = new double[(long)n * n];
        problem.P.AddTo(p, 0);
        var g = new double[(long)rows * n];
        problem.G.AddTo(g, 0);
        var h = new double[rows];
        Array.Copy(problem.H, h, mG);
        for (int k = 0; k < nu; k++)
        {
            g[(long)(mG + k) * n + problem.Ub.Idx[k]] = 1.0;
            h[mG + k] = problem.Ub.Vals[k];
        }
        for (int k = 0; k < nl; k++)
        {
            g[(long)(mG + nu + k) * n + problem.Lb.Idx[k]] = -1.0;
            h[mG + nu + k] = -problem.Lb.Vals[k];
        }
        var a = new double[(long)problem.EqualityCount * n];
        problem.A.AddTo(a, 0);
        return new BoxedDenseQp(n, p, (double[])problem.Q.Clone(), mG, problem.Ub.Idx, problem.Lb.Idx,
            g, h, problem.EqualityCount, a, (double[])problem.B.Clone());
    }

    /// <summary>
    /// Splits the duals of the stacked inequality rows into those of G's own rows and the box duals
    /// z_box = z_upper − z_lower (negative where a lower bound is active, positive where an upper bound is).
    /// </summary>
    public (double[] Z, double[] ZBox) SplitDuals(double[] stacked)
    {
        if (stacked.Length != InequalityRows)
            throw new ArgumentException($"Argument 'stacked' has {stacked.Length} entries; expected {InequalityRows}.", nameof(stacked));
        var z = stacked[..OriginalInequalityRows];
        var zBox = new double[N];
        for (int k = 0; k < _upperIdx.Length; k++) zBox[_upperIdx[k]] += stacked[OriginalInequalityRows + k];
        for (int k = 0; k < _lowerIdx.Length; k++) zBox[_lowerIdx[k]] -= stacked[OriginalInequalityRows + _upperIdx.Length + k];
        return (z, zBox);
    }
}
