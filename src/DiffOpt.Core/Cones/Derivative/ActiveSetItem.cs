using DiffOpt.LinearAlgebra;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// One item's solves with the derivative Jacobian J = [P, AᵀD; A, D − I] when D = DΠ_K*(v) is diagonal (d_i = 1 on a
/// zero-cone row, where v_i &gt; 0 or on a second-order block whose D is I; 0 where v_i &lt; 0 or on a block whose D is
/// 0; ½ at v_i = 0), through the active-set system of the rows where d_i ≠ 0, with the variables that a single active
/// row fixes (a bound x_j ≥ l at its bound) eliminated too.
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
/// <item>S·[dx; w] = [f; g] further: a row t ∈ K with d_t = 1 whose A row has one nonzero α_t, in column j_t (each
/// column taken once; set B, columns F), reads α_t·dx_j = g_t, and w_t appears only in row j_t of the first block. So
/// dx_F = g_B/α_B; with R the other columns and K' = K \ B, S'·[dx_R; w_K'] = [f_R − P_RF·dx_F; g_K' − A_K'F·dx_F] with
/// S' = [P_RR, A_K'Rᵀ; A_K'R, −W_K']; then w_t = (f − P·dx − A_K'ᵀ·w_K')_j / α_t. Permuted, S is
/// [P_FF, diag(α), ·; diag(α), 0, 0; ·, 0, S'], so det S = ±Πα²·det S'.</item>
/// </list>
/// All of it is exact for the D the full system uses: no row is classified by a tolerance, and a degenerate row
/// (s_i ≈ y_i ≈ 0) is eliminated only when its d_i is exactly 0, where the full J decouples it in the same way; a
/// row with 0 &lt; d_i &lt; 1 stays in S'. J is block triangular with blocks S·diag(I, D_K) and −I, so J is singular
/// exactly when S' is (e.g. more active rows than LICQ allows); such items are left to the full system.
/// S' is symmetric (LAPACK's Bunch–Kaufman LDLᵀ, half an LU's work). When P = 0 and every row of K' has d_i = 1 and
/// there are |R| of them (an LP at a nondegenerate vertex), S' = [0, A_K'Rᵀ; A_K'R, 0] and the solves reduce further
/// to dx_R = A_K'R⁻¹g', w = A_K'R⁻ᵀf' (one LU of order |R| instead of one of order 2|R|; an eighth of the work).
/// </remarks>
internal sealed class ActiveSetItem
{
    private readonly int _n, _m;
    private readonly int[] _kept;       // K', ascending
    private readonly int[] _dropped;    // I, ascending
    private readonly int[] _bound;      // B, ascending
    private readonly int[] _boundColumn; // j_t of each row of B
    private readonly double[] _boundCoefficient; // α_t
    private readonly int[] _free;       // R, ascending
    private readonly double[] _scale;   // d_K'
    private readonly bool _square;      // S' = [0, A_K'Rᵀ; A_K'R, 0] with A_K'R square: factors are A_K'R's LU
    private readonly double[] _factors;
    private readonly int[] _pivots;

    /// <summary>
    /// Factorises the reduced system of one item with A (m × n row-major), P (n × n, or empty for P = 0) and D's diagonal d.
    /// A batch whose A or P is shared passes what depends on them alone, found once (<see cref="RowPattern"/> of A,
    /// <see cref="IsZero"/> of P); else each is found here.
    /// </summary>
    public ActiveSetItem(ReadOnlySpan<double> a, ReadOnlySpan<double> p, ReadOnlySpan<double> d, int n, int[]? rowPattern = null, bool? pIsZero = null)
    {
        _n = n;
        _m = d.Length;
        var kept = new List<int>();
        var dropped = new List<int>();
        var bound = new List<int>();
        var boundColumn = new List<int>();
        var fixedColumn = new bool[n];
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == 0)
            {
                dropped.Add(i);
                continue;
            }
            int single = d[i] != 1 ? -1 : rowPattern?[i] ?? SingleNonzero(a.Slice(i * n, n));
            if (single >= 0 && !fixedColumn[single])
            {
                fixedColumn[single] = true;
                bound.Add(i);
                boundColumn.Add(single);
            }
            else kept.Add(i);
        }
        _kept = [.. kept];
        _dropped = [.. dropped];
        _bound = [.. bound];
        _boundColumn = [.. boundColumn];
        _boundCoefficient = new double[_bound.Length];
        for (int t = 0; t < _bound.Length; t++) _boundCoefficient[t] = a[_bound[t] * n + _boundColumn[t]];
        _free = Enumerable.Range(0, n).Where(j => !fixedColumn[j]).ToArray();
        _scale = new double[_kept.Length];
        for (int t = 0; t < _kept.Length; t++) _scale[t] = d[_kept[t]];
        int k = _kept.Length, free = _free.Length;
        bool noP = pIsZero ?? IsZero(p);
        _square = k == free && noP && _scale.All(v => v == 1);
        int order = _square ? free : free + k;
        Order = order;
        _factors = new double[order * order];
        _pivots = new int[order];
        if (_square)
            for (int r = 0; r < free; r++)
                for (int c = 0; c < free; c++) _factors[c * free + r] = a[_kept[r] * n + _free[c]]; // column-major A_K'R
        else Assemble(a, p, order);
        double norm = 0;
        for (int c = 0; c < order; c++)
        {
            double sum = 0;
            foreach (double v in _factors.AsSpan(c * order, order)) sum += Math.Abs(v);
            norm = Math.Max(norm, sum);
        }
        int info = order == 0 ? 0 : _square ? NativeLu.Factor(_factors, _pivots, order)
            : NativeLu.FactorSymmetric(_factors, _pivots, order, FactorWork(64 * order));
        double reduced = order == 0 ? 1 : info != 0 || !(norm > 0) ? 0 : 1 / (norm * InverseNormEstimate.Of(order, SolveReduced));
        // det S = ±Πα²·det S': a bound coefficient tiny beside the rest of S makes J nearly singular although S' is not.
        double smallest = double.PositiveInfinity, largest = norm;
        foreach (double alpha in _boundCoefficient)
        {
            smallest = Math.Min(smallest, Math.Abs(alpha));
            largest = Math.Max(largest, Math.Abs(alpha));
        }
        ReciprocalCondition = Math.Min(reduced, _boundCoefficient.Length == 0 ? 1 : smallest / largest);
        if (!double.IsFinite(ReciprocalCondition)) ReciprocalCondition = 0;
    }

    /// <summary>The thread's LAPACK work space, reused by the items it factorises (fresh arrays per item cost page faults).</summary>
    [ThreadStatic]
    private static double[]? t_factorWork;

    /// <summary>The thread's work space of at least <paramref name="length"/>.</summary>
    private static double[] FactorWork(int length) =>
        t_factorWork is { } work && work.Length >= length ? work : t_factorWork = new double[length];

    /// <summary>The order of the factorised system: |R| for the square form, else |R| + |K'|.</summary>
    public int Order { get; }

    /// <summary>The number of variables fixed by a single active row (|F|), for reports and tests.</summary>
    public int Fixed => _bound.Length;

    /// <summary>The length of <see cref="Solve"/>'s work space.</summary>
    public int WorkLength => 2 * _n + _m + _free.Length + _kept.Length;

    /// <summary>
    /// The estimate of 1/(‖S'‖₁‖S'⁻¹‖₁) (or of A_K'R's in the square form), lowered to min|α|/max(‖S'‖₁, max|α|) when a
    /// bound coefficient is that small; 0 when exactly singular.
    /// </summary>
    public double ReciprocalCondition { get; }

    /// <summary>
    /// Per row of A (m × n row-major) the column of its only nonzero, or a negative value when it has none or several
    /// (<see cref="DenseRows.Classify"/>).
    /// </summary>
    public static int[] RowPattern(ReadOnlySpan<double> a, int m, int n)
    {
        var pattern = new int[m];
        DenseRows.Classify(a, m, n, pattern);
        return pattern;
    }

    /// <summary>Whether every entry of <paramref name="p"/> is 0 (true when it is empty: P = 0).</summary>
    public static bool IsZero(ReadOnlySpan<double> p)
    {
        bool zero = true;
        foreach (double v in p) zero &= v == 0;
        return zero;
    }

    /// <summary>The column of the only nonzero of <paramref name="row"/>, or −1 when it has none or several.</summary>
    private static int SingleNonzero(ReadOnlySpan<double> row) => DenseRows.Nonzeros(row, out int column) == 1 ? column : -1;

    /// <summary>S' = [P_RR, A_K'Rᵀ; A_K'R, −W] (symmetric, so row- and column-major agree) into the factor storage.</summary>
    private void Assemble(ReadOnlySpan<double> a, ReadOnlySpan<double> p, int order)
    {
        int n = _n, free = _free.Length;
        var s = _factors.AsSpan();
        if (!p.IsEmpty)
            for (int r = 0; r < free; r++)
                for (int c = 0; c < free; c++) s[r * order + c] = p[_free[r] * n + _free[c]];
        for (int t = 0; t < _kept.Length; t++)
        {
            var row = a.Slice(_kept[t] * n, n);
            for (int c = 0; c < free; c++) s[(free + t) * order + c] = s[c * order + free + t] = row[_free[c]];
            s[(free + t) * order + free + t] = -(1 - _scale[t]) / _scale[t];
        }
    }

    /// <summary>S'⁻¹b (S' symmetric, so also S'⁻ᵀb), or A_K'R⁻¹b / A_K'R⁻ᵀb in the square form.</summary>
    private void SolveReduced(Span<double> b, bool transpose)
    {
        if (_square) NativeLu.Solve(_factors, _pivots, Order, b, transpose);
        else NativeLu.SolveSymmetric(_factors, _pivots, Order, b);
    }

    /// <summary>
    /// z with J·z = r, or Jᵀ·z = r when <paramref name="transpose"/> (r and z of length n + m), by the reduction in
    /// the remarks; <paramref name="a"/> and <paramref name="p"/> are the item's A and P (empty for P = 0),
    /// <paramref name="work"/> of length at least <see cref="WorkLength"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> a, ReadOnlySpan<double> p, ReadOnlySpan<double> r, Span<double> z, bool transpose, Span<double> work)
    {
        int n = _n, k = _kept.Length, free = _free.Length;
        var top = r[..n];
        var bottom = r[n..];
        var zx = z[..n];
        var zv = z[n..];
        // S·[zx; w] = [f; g], g on the rows of K (read where needed).
        var f = work[..n];
        var h = work.Slice(n, n);
        var g = work.Slice(2 * n, _m);
        var reduced = work.Slice(2 * n + _m, free + k);
        top.CopyTo(f);
        if (transpose)
            foreach (int i in _dropped)
            {
                zv[i] = -bottom[i];
                SpanKernels.AddScaled(bottom[i], a.Slice(i * n, n), f);
            }
        foreach (int i in _bound) g[i] = bottom[i];
        for (int t = 0; t < k; t++) g[_kept[t]] = transpose ? bottom[_kept[t]] / _scale[t] : bottom[_kept[t]];
        // dx_F = g_B/α_B, then the right-hand side of S' with dx_F moved over.
        zx.Clear();
        for (int t = 0; t < _bound.Length; t++) zx[_boundColumn[t]] = g[_bound[t]] / _boundCoefficient[t];
        bool hasFixed = _bound.Length > 0, hasP = !p.IsEmpty;
        for (int c = 0; c < free; c++) reduced[c] = f[_free[c]] - (hasFixed && hasP ? SpanKernels.Dot(p.Slice(_free[c] * n, n), zx) : 0);
        for (int t = 0; t < k; t++) reduced[free + t] = g[_kept[t]] - (hasFixed ? SpanKernels.Dot(a.Slice(_kept[t] * n, n), zx) : 0);
        if (_square)
        {
            // dx_R = A_K'R⁻¹g', w_K' = A_K'R⁻ᵀf'.
            SolveReduced(reduced[free..], transpose: false);
            SolveReduced(reduced[..free], transpose: true);
            for (int c = 0; c < free; c++) zx[_free[c]] = reduced[free + c];
            for (int t = 0; t < k; t++) zv[_kept[t]] = reduced[t];
        }
        else
        {
            SolveReduced(reduced, transpose: false);
            for (int c = 0; c < free; c++) zx[_free[c]] = reduced[c];
            for (int t = 0; t < k; t++) zv[_kept[t]] = transpose ? reduced[free + t] : reduced[free + t] / _scale[t];
        }
        if (hasFixed)
        {
            // w_B = (f − P·dx − A_K'ᵀ·w_K')_F / α_B (d = 1 on B, so w is dv or zv there either way).
            f.CopyTo(h);
            if (hasP) NativeBlas.Gemv(p, n, n, n, transpose: false, -1, zx, 1, h);
            for (int t = 0; t < k; t++) SpanKernels.AddScaled(-(_square ? reduced[t] : reduced[free + t]), a.Slice(_kept[t] * n, n), h);
            for (int t = 0; t < _bound.Length; t++) zv[_bound[t]] = h[_boundColumn[t]] / _boundCoefficient[t];
        }
        if (!transpose)
            foreach (int i in _dropped) zv[i] = SpanKernels.Dot(a.Slice(i * n, n), zx) - bottom[i];
    }
}
