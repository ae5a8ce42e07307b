using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// One item's solves with the derivative Jacobian J̃ = [P, ÂᵀΛ; Â, Λ − I] of D's eigenbasis
/// (<see cref="DerivativeEigenbasis"/>: Λ = diag(λ), 0 ≤ λ ≤ 1) through a quasi-definite system factorised with fixed
/// pivots by blocks (<see cref="QuasiDefiniteCholesky"/>: two Cholesky factorisations, no pivot search), the system
/// <see cref="ActiveSetItem"/> would factorise by Bunch–Kaufman (see its remarks for the reduction of J̃ to
/// S = [P, Â_Kᵀ; Â_K, −W], W = diag((1 − λ)/λ) on the rows K with λ &gt; 0; rows with λ = 0 decouple).
/// </summary>
/// <remarks>
/// S is split by λ: a row with 0 &lt; λ ≤ ½ (set E) has W ≥ 1 and is eliminated, w_i = ω_i(Â_i·x − g_i) with
/// ω = λ/(1 − λ) ≤ 1, which adds Â_EᵀΩÂ_E to the leading block; the rows with λ &gt; ½ (set C, W &lt; 1, zero-cone rows and
/// active inequalities with W = 0 among them) stay. With the static regularisation δ of the interior point,
/// K̃ = [P + Â_EᵀΩÂ_E + δI, Â_Cᵀ; Â_C, −(W_C + δI)] is quasi-definite, so its LDLᵀ exists for any symmetric order of
/// pivots (Vanderbei, "Symmetric quasidefinite matrices", SIAM J. Optim. 1995) and is the blocked Cholesky pair. The
/// δ perturbation is removed by the caller's refinement against J. A factorisation that fails, or whose ‖K̃⁻¹‖₁ reaches
/// <see cref="SparseDerivativeSolver.SingularInverseNorm"/> (K singular: J is), yields no item, and the caller takes
/// its pivoted fallbacks.
/// </remarks>
internal sealed class QuasiDefiniteItem
{
    private readonly int _n, _m;
    private readonly int[] _dropped, _eliminated, _coupled; // I, E, C (ascending)
    private readonly double[] _weight;   // ω on E
    private readonly double[] _lambda;   // λ per row
    private readonly double[] _rows;     // Â's rows on I, then on E (the solves read no other row of Â)
    private readonly QuasiDefiniteCholesky _factor;

    private QuasiDefiniteItem(int n, ReadOnlySpan<double> a, ReadOnlySpan<double> lambda, int[] dropped, int[] eliminated, int[] coupled,
        double[] weight, QuasiDefiniteCholesky factor)
    {
        _n = n;
        _m = lambda.Length;
        _lambda = lambda.ToArray();
        (_dropped, _eliminated, _coupled, _weight, _factor) = (dropped, eliminated, coupled, weight, factor);
        _rows = new double[(dropped.Length + eliminated.Length) * n];
        int t = 0;
        foreach (int i in dropped.Concat(eliminated)) a.Slice(i * n, n).CopyTo(_rows.AsSpan(t++ * n, n));
    }

    /// <summary>Â's row <paramref name="t"/> of I (t &lt; |I|), or of E at |I| + its place in E.</summary>
    private ReadOnlySpan<double> Row(int t) => _rows.AsSpan(t * _n, _n);

    /// <summary>
    /// The factorised item for Â (m × n row-major), P (n × n, or empty for P = 0) and λ; null when K̃ cannot be
    /// factorised with fixed pivots or is (nearly) singular. The item keeps the rows of Â its solves read, so that
    /// <paramref name="a"/> may be a scratch buffer.
    /// </summary>
    public static QuasiDefiniteItem? TryCreate(ReadOnlySpan<double> a, ReadOnlySpan<double> p, ReadOnlySpan<double> lambda, int n)
    {
        // I, E and C as arrays of their exact sizes (the item keeps them; lists would grow through fresh arrays).
        int droppedCount = 0, eliminatedCount = 0;
        foreach (double l in lambda)
            if (l <= 0) droppedCount++;
            else if (l <= 0.5) eliminatedCount++;
        var dropped = new int[droppedCount];
        var eliminated = new int[eliminatedCount];
        var coupled = new int[lambda.Length - droppedCount - eliminatedCount];
        droppedCount = eliminatedCount = 0;
        int e = 0;
        for (int i = 0; i < lambda.Length; i++)
            if (lambda[i] <= 0) dropped[droppedCount++] = i;
            else if (lambda[i] <= 0.5) eliminated[eliminatedCount++] = i;
            else coupled[e++] = i;
        var factor = QuasiDefiniteCholesky.Compact(n, e);
        var leading = factor.Leading;
        if (!p.IsEmpty) p[..(n * n)].CopyTo(leading);
        var weight = new double[eliminated.Length];
        if (eliminated.Length > 0)
        {
            // Â_EᵀΩÂ_E as the Gram matrix of the rows √ω_i·Â_i.
            var scaled = ScaledRows(eliminated.Length * n);
            for (int t = 0; t < eliminated.Length; t++)
            {
                int i = eliminated[t];
                weight[t] = lambda[i] / (1 - lambda[i]);
                SpanKernels.AddScaled(Math.Sqrt(weight[t]), a.Slice(i * n, n), scaled.AsSpan(t * n, n));
            }
            NativeBlas.GramLower(scaled, eliminated.Length, n, n, outer: false, 1, 1, leading, n);
        }
        for (int j = 0; j < n; j++) leading[j * n + j] += HomogeneousKkt.StaticRegularization;
        var lowerRight = ThreadScratch.AtLeast(ref t_lowerRight, e).AsSpan(0, e);
        for (int t = 0; t < e; t++)
        {
            int i = coupled[t];
            a.Slice(i * n, n).CopyTo(factor.Coupling.Slice(t * n, n));
            lowerRight[t] = (1 - lambda[i]) / lambda[i];
        }
        if (!factor.Factor(HomogeneousKkt.StaticRegularization, lowerRight)) return null;
        // A singular K leaves ‖K̃⁻¹‖ ≈ 1/δ (as in SparseDerivativeSolver): the pivoted solvers decide such items.
        if (!(InverseNormEstimate.Of(n + e, (b, _) => factor.Solve(b)) < SparseDerivativeSolver.SingularInverseNorm)) return null;
        return new QuasiDefiniteItem(n, a, lambda, dropped, eliminated, coupled, weight, factor);
    }

    /// <summary>The thread's lower-right diagonal W_C, reused by the items it factorises.</summary>
    [ThreadStatic]
    private static double[]? t_lowerRight;

    /// <summary>The thread's rows √ω_i·Â_i, reused by the items it factorises (fresh arrays per item cost page faults).</summary>
    [ThreadStatic]
    private static double[]? t_scaled;

    /// <summary>The thread's zeroed rows buffer of <paramref name="length"/> entries.</summary>
    private static double[] ScaledRows(int length)
    {
        if (t_scaled is not { } rows || rows.Length < length) return t_scaled = new double[length];
        Array.Clear(rows, 0, length);
        return rows;
    }

    /// <summary>The order of the factorised system, n + |C|.</summary>
    public int Order => _n + _coupled.Length;

    /// <summary>The length of <see cref="Solve"/>'s work space.</summary>
    public int WorkLength => Order + _m;

    /// <summary>
    /// An approximate z with J̃·z = r, or J̃ᵀ·z = r when <paramref name="transpose"/> (r and z of length n + m; exact up
    /// to the δ of K̃); <paramref name="work"/> of length at least <see cref="WorkLength"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> r, Span<double> z, bool transpose, Span<double> work)
    {
        int dropped = _dropped.Length;
        int n = _n, e = _coupled.Length;
        var bottom = r[n..];
        var zx = z[..n];
        var zv = z[n..];
        var k = work[..(n + e)];
        var g = work.Slice(n + e, _m);
        // S·[x; w] = [f; g]: f = r₁ (+ Â_Iᵀr₂_I transposed), g = r₂ on K (÷ λ transposed); see ActiveSetItem.
        r[..n].CopyTo(k);
        if (transpose)
            for (int t = 0; t < dropped; t++)
            {
                int i = _dropped[t];
                zv[i] = -bottom[i];
                SpanKernels.AddScaled(bottom[i], Row(t), k[..n]);
            }
        for (int i = 0; i < _m; i++) g[i] = _lambda[i] > 0 && transpose ? bottom[i] / _lambda[i] : bottom[i];
        // E eliminated: w_i = ω_i(Â_i·x − g_i) moves ω_i·g_i·Â_i to the right-hand side.
        for (int t = 0; t < _eliminated.Length; t++)
        {
            int i = _eliminated[t];
            SpanKernels.AddScaled(_weight[t] * g[i], Row(dropped + t), k[..n]);
        }
        for (int t = 0; t < e; t++) k[n + t] = g[_coupled[t]];
        _factor.Solve(k);
        k[..n].CopyTo(zx);
        // w on K is dv·λ (plain) or zv (transposed).
        for (int t = 0; t < e; t++)
        {
            int i = _coupled[t];
            zv[i] = transpose ? k[n + t] : k[n + t] / _lambda[i];
        }
        for (int t = 0; t < _eliminated.Length; t++)
        {
            int i = _eliminated[t];
            double w = _weight[t] * (SpanKernels.Dot(Row(dropped + t), zx) - g[i]);
            zv[i] = transpose ? w : w / _lambda[i];
        }
        if (!transpose)
            for (int t = 0; t < dropped; t++) zv[_dropped[t]] = SpanKernels.Dot(Row(t), zx) - bottom[_dropped[t]];
    }
}
