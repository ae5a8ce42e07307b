using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// Dense LDLᵀ factorisation without pivoting of a symmetric quasi-definite matrix K = [K₁₁, K₁₂; K₂₁, −K₂₂] (K₁₁
/// and K₂₂ positive definite), which exists for every symmetric permutation (Vanderbei, "Symmetric quasidefinite
/// matrices", SIAM J. Optim. 5, 1995): D has Positive positive then negative entries. A pivot whose sign is wrong
/// or whose magnitude is at most <see cref="PivotTolerance"/> is replaced by ±<see cref="DynamicRegularization"/>
/// (Clarabel's dynamic regularisation); the caller's iterative refinement against the true matrix absorbs the change.
/// Row-major storage, lower triangle used and overwritten by L (unit diagonal implied, D on the diagonal).
/// </summary>
internal sealed class QuasiDefiniteLdl
{
    /// <summary>Pivots of magnitude at most this count as breakdowns (Clarabel's dynamic_regularization_eps).</summary>
    internal const double PivotTolerance = 1e-13;

    /// <summary>The value a broken-down pivot is given, with its expected sign (Clarabel's default 2e-7).</summary>
    internal const double DynamicRegularization = 2e-7;

    private readonly double[] _l;
    private readonly double[] _work;

    /// <summary>A factoriser for matrices of order <paramref name="order"/>.</summary>
    public QuasiDefiniteLdl(int order)
    {
        Order = order;
        _l = new double[order * order];
        _work = new double[order];
    }

    /// <summary>The order N.</summary>
    public int Order { get; }

    /// <summary>The matrix to factorise (row-major N×N; the lower triangle is read), overwritten by <see cref="Factor"/>.</summary>
    public Span<double> Matrix => _l;

    /// <summary>Pivots replaced by the dynamic regularisation in the last factorisation.</summary>
    public int Regularized { get; private set; }

    /// <summary>
    /// Factorises <see cref="Matrix"/> in place, expecting the first <paramref name="positive"/> pivots positive and
    /// the rest negative. Returns false when an entry is not finite.
    /// </summary>
    public bool Factor(int positive)
    {
        int n = Order;
        var l = _l.AsSpan();
        const double threshold = PivotTolerance;
        Regularized = 0;
        for (int j = 0; j < n; j++)
        {
            var rowJ = l.Slice(j * n, j);
            // w_k = L_jk d_k, then d_j = K_jj − Σ L_jk w_k and L_ij = (K_ij − Σ L_ik w_k)/d_j.
            for (int k = 0; k < j; k++) _work[k] = rowJ[k] * l[k * n + k];
            var w = _work.AsSpan(0, j);
            double d = l[j * n + j] - SpanKernels.Dot(rowJ, w);
            double sign = j < positive ? 1 : -1;
            if (!double.IsFinite(d)) return false;
            if (!(sign * d > threshold))
            {
                d = sign * DynamicRegularization;
                Regularized++;
            }
            l[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
                l[i * n + j] = (l[i * n + j] - SpanKernels.Dot(l.Slice(i * n, j), w)) / d;
        }
        return true;
    }

    /// <summary>Overwrites <paramref name="x"/> (length N) with K̃⁻¹x for the factorised K̃.</summary>
    public void Solve(Span<double> x)
    {
        int n = Order;
        var l = _l.AsSpan();
        for (int i = 0; i < n; i++) x[i] -= SpanKernels.Dot(l.Slice(i * n, i), x[..i]);
        for (int i = 0; i < n; i++) x[i] /= l[i * n + i];
        for (int i = n - 1; i > 0; i--) SpanKernels.AddScaled(-x[i], l.Slice(i * n, i), x[..i]);
    }
}
