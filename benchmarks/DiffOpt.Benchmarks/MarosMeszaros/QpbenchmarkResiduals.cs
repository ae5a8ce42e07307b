namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>
/// The optimality measures by which the Maros-Meszaros README (qpbenchmark's criteria) judges a point,
/// computed from the problem file's own data, independently of the solver:
/// <code>
///   primal = max(‖Ax − b‖∞, ‖max(Gx − h, 0)‖∞, ‖max(lb − x, 0)‖∞, ‖max(x − ub, 0)‖∞)
///   dual   = ‖Px + q + Gᵀz + Aᵀy + z_box‖∞
///   gap    = |xᵀPx + qᵀx + hᵀz + bᵀy + lbᵀmin(z_box, 0) + ubᵀmax(z_box, 0)|
/// </code>
/// Bound terms run over the finite bounds only. Every sum is accumulated in double-double (<see cref="DoubleDouble"/>),
/// so the values are those of the formulas for the given x, z, y, z_box, not rounding noise of their terms; the
/// largest single term of each measure is reported too (a plain double evaluation, such as numpy's, is only good to
/// about 1e-16 times it). A NaN anywhere gives NaN, which meets no tolerance.
/// </summary>
/// <param name="Primal">Primal residual.</param>
/// <param name="Dual">Dual residual.</param>
/// <param name="Gap">Duality gap.</param>
/// <param name="PrimalTermScale">Largest |term| in any row of the primal residual.</param>
/// <param name="DualTermScale">Largest |term| in any row of the dual residual.</param>
/// <param name="GapTermScale">Largest |term| of the gap sum.</param>
public readonly record struct QpbenchmarkResiduals(
    double Primal, double Dual, double Gap, double PrimalTermScale, double DualTermScale, double GapTermScale)
{
    /// <summary>True when all three measures are at most <paramref name="tolerance"/> (absolute).</summary>
    public bool Meet(double tolerance) => Primal <= tolerance && Dual <= tolerance && Gap <= tolerance;

    /// <summary>Evaluates the measures for primal <paramref name="x"/> and duals z (G), y (A), z_box (bounds).</summary>
    public static QpbenchmarkResiduals Compute(MarosMeszarosProblem problem, double[] x, double[] z, double[] y, double[] zBox)
    {
        Require(x, problem.N, nameof(x));
        Require(z, problem.InequalityCount, nameof(z));
        Require(y, problem.EqualityCount, nameof(y));
        Require(zBox, problem.N, nameof(zBox));

        // Math.Max returns NaN when either argument is NaN, so a NaN never hides behind a max.
        var ax = new DoubleDouble[problem.EqualityCount];
        problem.A.AccumulateProduct(ax, x);
        var gx = new DoubleDouble[problem.InequalityCount];
        problem.G.AccumulateProduct(gx, x);
        double primal = 0, primalScale = 0;
        for (int i = 0; i < ax.Length; i++)
        {
            ax[i].Add(-problem.B[i]);
            primal = Math.Max(primal, Math.Abs(ax[i].Value));
            primalScale = Math.Max(primalScale, ax[i].TermScale);
        }
        for (int i = 0; i < gx.Length; i++)
        {
            gx[i].Add(-problem.H[i]);
            primal = Math.Max(primal, gx[i].Value);
            primalScale = Math.Max(primalScale, gx[i].TermScale);
        }
        for (int k = 0; k < problem.Lb.Count; k++) primal = Math.Max(primal, problem.Lb.Vals[k] - x[problem.Lb.Idx[k]]);
        for (int k = 0; k < problem.Ub.Count; k++) primal = Math.Max(primal, x[problem.Ub.Idx[k]] - problem.Ub.Vals[k]);

        var px = new DoubleDouble[problem.N];
        problem.P.AccumulateProduct(px, x);
        var stationarity = (DoubleDouble[])px.Clone();
        problem.G.AccumulateProduct(stationarity, z, transposed: true);
        problem.A.AccumulateProduct(stationarity, y, transposed: true);
        double dual = 0, dualScale = 0;
        for (int i = 0; i < problem.N; i++)
        {
            stationarity[i].Add(problem.Q[i]);
            stationarity[i].Add(zBox[i]);
            dual = Math.Max(dual, Math.Abs(stationarity[i].Value));
            dualScale = Math.Max(dualScale, stationarity[i].TermScale);
        }

        var gap = new DoubleDouble();
        for (int i = 0; i < problem.N; i++)
        {
            gap.AddProduct(x[i], px[i]);
            gap.AddProduct(problem.Q[i], x[i]);
        }
        for (int i = 0; i < z.Length; i++) gap.AddProduct(problem.H[i], z[i]);
        for (int i = 0; i < y.Length; i++) gap.AddProduct(problem.B[i], y[i]);
        for (int k = 0; k < problem.Lb.Count; k++) gap.AddProduct(problem.Lb.Vals[k], Math.Min(zBox[problem.Lb.Idx[k]], 0));
        for (int k = 0; k < problem.Ub.Count; k++) gap.AddProduct(problem.Ub.Vals[k], Math.Max(zBox[problem.Ub.Idx[k]], 0));

        return new QpbenchmarkResiduals(primal, dual, Math.Abs(gap.Value), primalScale, dualScale, gap.TermScale);
    }

    private static void Require(double[] v, int length, string name)
    {
        if (v.Length != length)
            throw new ArgumentException($"Argument '{name}' has {v.Length} entries; expected {length}.", name);
    }
}
