using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// One item's solves with the derivative Jacobian J = [P, AᵀD; A, D − I] when D = DΠ_K*(v) is diagonal (zero and
/// nonnegative cones: d_i = 1 on a zero-cone row or where v_i &gt; 0, 0 where v_i &lt; 0, ½ at v_i = 0), through the
/// active-set system of the rows where d_i ≠ 0.
/// </summary>
/// <remarks>
/// The reduction of J, the Jacobian of the normal map F(x, v) of docs/CONES.md ("Derivative and adjoint through the
/// normal map"), with DΠ of the nonnegative orthant diag(1[v &gt; 0]) and ½ at v = 0 as in diffcp (Agrawal et al.,
/// "Differentiating through a cone program", 2019). Split the rows into I = {i : d_i = 0} and K = {i : d_i ≠ 0}
/// and write D_K = diag(d_K), W = diag((1 − d_K)/d_K) ⪰ 0 (W = 0 on the rows with d_i = 1: zero-cone rows and active
/// inequalities).
/// <list type="bullet">
/// <item>J·[dx; dv] = [r₁; r₂]. Column i ∈ I of J is −e_{n+i} (AᵀD and D − I have no other entry there), so dv_I
/// appears in row n + i only: A_I·dx − dv_I = r₂_I. With w = D_K·dv_K, (D_K − I)·dv_K = −W·w and the other rows are
/// S·[dx; w] = [r₁; r₂_K] with S = [P, A_Kᵀ; A_K, −W]; then dv_K = w/d_K and dv_I = A_I·dx − r₂_I.</item>
/// <item>Jᵀ·[zx; zv] = [r₁; r₂] with Jᵀ = [P, Aᵀ; DA, D − I]: row n + i ∈ I reads −zv_i = r₂_i, so zv_I = −r₂_I; the
/// rows of K divided by d_K read A_K·zx − W·zv_K = r₂_K/d_K, and the first block
/// P·zx + A_Kᵀ·zv_K = r₁ + A_Iᵀ·r₂_I: S·[zx; zv_K] = [r₁ + A_Iᵀ·r₂_I; r₂_K/d_K].</item>
/// </list>
/// Both are exact for the D the full system uses: no row is classified by a tolerance, and a degenerate row
/// (s_i ≈ y_i ≈ 0) is eliminated only when its d_i is exactly 0, where the full J decouples it in the same way; a
/// row with 0 &lt; d_i &lt; 1 stays in S. J is block triangular with blocks S·diag(I, D_K) and −I, so J is singular
/// exactly when S is (e.g. more active rows than LICQ allows); such items are left to the full system.
/// S is symmetric (LAPACK's Bunch–Kaufman LDLᵀ, half an LU's work). When P = 0 and every kept row has d_i = 1 and
/// there are n of them (an LP at a nondegenerate vertex), S = [0, A_Kᵀ; A_K, 0] and the solves reduce further to
/// dx = A_K⁻¹r₂_K, w = A_K⁻ᵀr₁ (one LU of order n instead of one of order n + |K|; an eighth of the work).
/// </remarks>
internal sealed class ActiveSetItem
{
    private readonly int _n;
    private readonly int[] _kept;       // K, ascending
    private readonly int[] _dropped;    // I, ascending
    private readonly double[] _scale;   // d_K
    private readonly bool _square;      // S = [0, A_Kᵀ; A_K, 0] with A_K square: factors are A_K's LU
    private readonly double[] _factors;
    private readonly int[] _pivots;

    /// <summary>Factorises the reduced system of one item with A (m × n row-major), P (n × n, or empty for P = 0) and D's diagonal d.</summary>
    public ActiveSetItem(ReadOnlySpan<double> a, ReadOnlySpan<double> p, ReadOnlySpan<double> d, int n)
    {
        _n = n;
        var kept = new List<int>();
        var dropped = new List<int>();
        for (int i = 0; i < d.Length; i++) (d[i] == 0 ? dropped : kept).Add(i);
        _kept = [.. kept];
        _dropped = [.. dropped];
        _scale = new double[_kept.Length];
        for (int t = 0; t < _kept.Length; t++) _scale[t] = d[_kept[t]];
        int k = _kept.Length;
        bool noP = true;
        foreach (double v in p) noP &= v == 0;
        _square = k == n && noP && _scale.All(v => v == 1);
        int order = _square ? n : n + k;
        Order = order;
        _factors = new double[order * order];
        _pivots = new int[order];
        if (_square)
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++) _factors[c * n + r] = a[_kept[r] * n + c]; // column-major A_K
        else Assemble(a, p, order);
        double norm = 0;
        for (int c = 0; c < order; c++)
        {
            double sum = 0;
            foreach (double v in _factors.AsSpan(c * order, order)) sum += Math.Abs(v);
            norm = Math.Max(norm, sum);
        }
        int info = order == 0 ? 0 : _square ? NativeLu.Factor(_factors, _pivots, order)
            : NativeLu.FactorSymmetric(_factors, _pivots, order, new double[64 * order]);
        ReciprocalCondition = order == 0 ? 1 : info != 0 || !(norm > 0) ? 0 : 1 / (norm * InverseNormEstimate.Of(order, SolveReduced));
        if (!double.IsFinite(ReciprocalCondition)) ReciprocalCondition = 0;
    }

    /// <summary>The order of the factorised system: n for the square form, else n + |K|.</summary>
    public int Order { get; }

    /// <summary>The length of <see cref="Solve"/>'s work space: n + |K|.</summary>
    public int WorkLength => _n + _kept.Length;

    /// <summary>The estimate of 1/(‖S‖₁‖S⁻¹‖₁) (or of A_K's in the square form); 0 when exactly singular.</summary>
    public double ReciprocalCondition { get; }

    /// <summary>S = [P, A_Kᵀ; A_K, −W] (symmetric, so row- and column-major agree) into the factor storage.</summary>
    private void Assemble(ReadOnlySpan<double> a, ReadOnlySpan<double> p, int order)
    {
        int n = _n;
        var s = _factors.AsSpan();
        if (!p.IsEmpty)
            for (int r = 0; r < n; r++) p.Slice(r * n, n).CopyTo(s.Slice(r * order, n));
        for (int t = 0; t < _kept.Length; t++)
        {
            var row = a.Slice(_kept[t] * n, n);
            row.CopyTo(s.Slice((n + t) * order, n));
            for (int c = 0; c < n; c++) s[c * order + n + t] = row[c];
            s[(n + t) * order + n + t] = -(1 - _scale[t]) / _scale[t];
        }
    }

    /// <summary>S⁻¹b (S symmetric, so also S⁻ᵀb), or A_K⁻¹b / A_K⁻ᵀb in the square form.</summary>
    private void SolveReduced(Span<double> b, bool transpose)
    {
        if (_square) NativeLu.Solve(_factors, _pivots, Order, b, transpose);
        else NativeLu.SolveSymmetric(_factors, _pivots, Order, b);
    }

    /// <summary>
    /// z with J·z = r, or Jᵀ·z = r when <paramref name="transpose"/> (r and z of length n + m), by the reduction in
    /// the remarks; <paramref name="a"/> is the item's A, <paramref name="work"/> of length at least <see cref="WorkLength"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> a, ReadOnlySpan<double> r, Span<double> z, bool transpose, Span<double> work)
    {
        int n = _n, k = _kept.Length;
        var top = r[..n];
        var bottom = r[n..];
        var zx = z[..n];
        var zv = z[n..];
        top.CopyTo(work);
        if (transpose)
            foreach (int i in _dropped)
            {
                zv[i] = -bottom[i];
                SpanKernels.AddScaled(bottom[i], a.Slice(i * n, n), work[..n]);
            }
        if (_square)
        {
            // J: A_K·dx = r₂_K, A_Kᵀ·w = r₁. Jᵀ: A_K·zx = r₂_K, A_Kᵀ·zv_K = r₁ + A_Iᵀr₂_I (in work).
            for (int t = 0; t < k; t++) zx[t] = bottom[_kept[t]];
            SolveReduced(zx, transpose: false);
            SolveReduced(work[..n], transpose: true);
            for (int t = 0; t < k; t++) zv[_kept[t]] = work[t];
        }
        else
        {
            for (int t = 0; t < k; t++) work[n + t] = transpose ? bottom[_kept[t]] / _scale[t] : bottom[_kept[t]];
            SolveReduced(work[..(n + k)], transpose: false);
            work[..n].CopyTo(zx);
            for (int t = 0; t < k; t++) zv[_kept[t]] = transpose ? work[n + t] : work[n + t] / _scale[t];
        }
        if (!transpose)
            foreach (int i in _dropped) zv[i] = SpanKernels.Dot(a.Slice(i * n, n), zx) - bottom[i];
    }
}
