using System.Runtime.Intrinsics;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.LinearAlgebra;

/// <summary>
/// The quasi-definite K = [K₁₁, Bᵀ; B, −δI] (K₁₁ n × n positive definite, B e × n, δ &gt; 0) factorised by blocks with
/// LAPACK/BLAS (<see cref="NativeBlas"/>): K₁₁ = LLᵀ, W = BL⁻ᵀ, and the Schur complement S = δI + WWᵀ = LₛLₛᵀ, so that
/// K = [L, 0; W, Lₛ]·diag(I, −I)·[L, 0; W, Lₛ]ᵀ. It is the same factorisation as the unpivoted LDLᵀ of
/// <see cref="QuasiDefiniteLdl"/> (its pivots are the squared diagonals of L and −Lₛ), blocked: an order of magnitude
/// faster from n ≈ 30. A pivot at most <see cref="QuasiDefiniteLdl.PivotTolerance"/> (where the LDLᵀ would regularise
/// it) fails the factorisation instead, and the caller takes its fallback.
/// Variables whose rows and columns of K₁₁ are zero off the diagonal (isolated: in the cone kernel, w with only the
/// bound w ≥ 0 once the other rows hold an alias u = Fw instead of w) have the diagonal entries √k_jj in L; only the
/// others' block is factorised densely, and the triangular solves touch it alone (from order
/// <see cref="MinimumSplitOrder"/>).
/// Where K₁₁ is too ill-conditioned for its own Cholesky factor, <see cref="FactorEliminated"/> eliminates the
/// lower-right block first instead (the same K, the other order of the block elimination).
/// </summary>
internal sealed class QuasiDefiniteCholesky
{
    private readonly int _n, _e;
    private readonly double[] _leading, _coupling, _schur, _middle, _packed, _packedCoupling, _gathered;
    private readonly double[] _divisors;   // the isolated variables' √k_jj, 1 for the others (x/1 = x exactly)
    private readonly int[] _dense, _isolated;
    private int _denseCount, _isolatedCount;
    private double _eliminatedDelta;   // δ of FactorEliminated's factor, 0 for Factor's

    /// <summary>
    /// The order of K₁₁ from which isolated variables are split off. Below it the whole block's dpotrf is cheap, and
    /// the split (the same factor, its sums in another order) is not worth a change of rounding: on the Huber bound's
    /// program (order 15, 3 to 9 isolated variables) the split left x* 1.3e-7 from its closed form in some runs where
    /// the whole block's factor left 3e-8 (MKL's rounding varies with the arrays' alignment).
    /// </summary>
    internal const int MinimumSplitOrder = 32;

    /// <summary>A factoriser for a leading block of order <paramref name="n"/> and <paramref name="e"/> coupling rows.</summary>
    public QuasiDefiniteCholesky(int n, int e)
        : this(n, e, n)
    {
    }

    /// <summary>
    /// A factoriser whose split buffers are only allocated where the split can happen (n ≥ <see cref="MinimumSplitOrder"/>):
    /// for callers that hold many factors at once (one per item of a batch), where each fresh array costs page faults.
    /// </summary>
    public static QuasiDefiniteCholesky Compact(int n, int e) => new(n, e, n >= MinimumSplitOrder ? n : 0);

    /// <summary>The factoriser with split buffers for <paramref name="split"/> variables (n, or 0 below <see cref="MinimumSplitOrder"/>).</summary>
    private QuasiDefiniteCholesky(int n, int e, int split)
    {
        _n = n;
        _e = e;
        _leading = new double[n * n];
        _coupling = new double[e * n];
        _schur = new double[e * e];
        _middle = new double[e];
        _packed = new double[split * split];
        _packedCoupling = new double[e * split];
        _gathered = new double[split];
        _divisors = new double[split];
        _dense = new int[split];
        _isolated = new int[split];
    }

    /// <summary>The order n + e of K.</summary>
    public int Order => _n + _e;

    /// <summary>K₁₁, row-major n × n; its lower triangle is read and overwritten by L.</summary>
    public Span<double> Leading => _leading;

    /// <summary>B, row-major e × n; overwritten by W.</summary>
    public Span<double> Coupling => _coupling;

    /// <summary>
    /// Factorises K for the regularisation <paramref name="delta"/> &gt; 0 of its lower-right block, which is
    /// −(δI + diag(<paramref name="lowerRight"/>)) when that (length e, nonnegative) is given. False when K₁₁ is
    /// not numerically positive definite (a pivot at most <see cref="QuasiDefiniteLdl.PivotTolerance"/>) or an entry
    /// is not finite; the contents are then undefined.
    /// </summary>
    public bool Factor(double delta, ReadOnlySpan<double> lowerRight = default)
    {
        int n = _n, e = _e;
        _eliminatedDelta = 0;
        Split();
        if (_isolatedCount == 0)
        {
            if (NativeBlas.CholeskyLower(_leading, n, n) != 0 || !PivotsAbove(_leading, n)) return false;
            if (e > 0) NativeBlas.SolveLowerRows(_leading, n, n, _coupling, e);
        }
        else if (!FactorSplit()) return false;
        if (e == 0) return true;
        // With isolated variables (programs with bounds and aliases) the dgemm call costs more than its arithmetic; the
        // others keep BLAS's sums (on the exponential-cone benchmark case the managed sums' rounding took 0.3 more iterations).
        if (_isolatedCount > 0) SmallGram.Lower(_coupling, e, n, outer: true, 1, _schur, e);
        else NativeBlas.GramLower(_coupling, e, n, n, outer: true, 1, 0, _schur, e);
        for (int i = 0; i < e; i++) _schur[i * e + i] += delta + (lowerRight.IsEmpty ? 0 : lowerRight[i]);
        return NativeBlas.CholeskyLower(_schur, e, e) == 0 && PivotsAbove(_schur, e);
    }

    /// <summary>
    /// Factorises K = [K₁₁, Bᵀ; B, −δI] for <paramref name="delta"/> &gt; 0 with its lower-right block eliminated
    /// first: K₁₁ + BᵀB/δ = LLᵀ, so that K⁻¹[r₁; r₂] = [x₁; (Bx₁ − r₂)/δ] with x₁ = L⁻ᵀL⁻¹(r₁ + Bᵀr₂/δ).
    /// K₁₁ need only be positive semidefinite on B's null space: at a vertex of a linear program the zero-cone rows B
    /// span the directions in which K₁₁ = ÂᵀH⁻¹Â + δI has only its inactive rows' tiny weights, and K₁₁'s own
    /// Cholesky factorisation (<see cref="Factor"/>) breaks down there. False when a pivot is at most
    /// <see cref="QuasiDefiniteLdl.PivotTolerance"/> or an entry is not finite; the contents are then undefined.
    /// </summary>
    public bool FactorEliminated(double delta)
    {
        int n = _n, e = _e;
        _eliminatedDelta = delta;
        _isolatedCount = 0;
        if (e > 0) NativeBlas.GramLower(_coupling, e, n, n, outer: false, 1 / delta, 1, _leading, n);
        return NativeBlas.CholeskyLower(_leading, n, n) == 0 && PivotsAbove(_leading, n);
    }

    /// <summary>Sorts the variables into isolated ones (no off-diagonal nonzero in K₁₁'s lower triangle) and the others.</summary>
    private void Split()
    {
        int n = _n;
        _denseCount = n;
        _isolatedCount = 0;
        if (n < MinimumSplitOrder) return;
        Span<bool> coupled = n <= 256 ? stackalloc bool[n] : new bool[n];
        int prefix = 0;   // coupled[..prefix] all set
        for (int i = 1; i < n; i++)
        {
            var row = _leading.AsSpan(i * n, i);
            while (prefix < i && coupled[prefix]) prefix++;
            if (prefix == i)
            {
                // Every earlier variable is coupled already (a dense block): only whether row i has a nonzero is open.
                coupled[i] = AnyNonzero(row);
                continue;
            }
            int j = 0;
            // Four entries at a time where all are zero (the rows of isolated variables).
            for (; j + 4 <= i; j += 4)
                if (!Vector256.EqualsAll(Vector256.Create<double>(row.Slice(j, 4)), Vector256<double>.Zero))
                    for (int k = j; k < j + 4; k++)
                        if (row[k] != 0) coupled[i] = coupled[k] = true;
            for (; j < i; j++)
                if (row[j] != 0) coupled[i] = coupled[j] = true;
        }
        _denseCount = _isolatedCount = 0;
        for (int j = 0; j < n; j++)
            if (coupled[j]) _dense[_denseCount++] = j;
            else _isolated[_isolatedCount++] = j;
    }

    /// <summary>Whether an entry of <paramref name="row"/> is nonzero (or NaN), four at a time.</summary>
    private static bool AnyNonzero(ReadOnlySpan<double> row)
    {
        int j = 0;
        for (; j + 4 <= row.Length; j += 4)
            if (!Vector256.EqualsAll(Vector256.Create<double>(row.Slice(j, 4)), Vector256<double>.Zero)) return true;
        for (; j < row.Length; j++)
            if (row[j] != 0) return true;
        return false;
    }

    /// <summary>L with √k_jj for the isolated variables and the Cholesky factor of the others' block (packed); W = BL⁻ᵀ.</summary>
    private bool FactorSplit()
    {
        int n = _n, e = _e, d = _denseCount;
        _divisors.AsSpan().Fill(1);
        for (int k = 0; k < _isolatedCount; k++)
        {
            int j = _isolated[k];
            double pivot = _leading[j * n + j];
            if (!(pivot > QuasiDefiniteLdl.PivotTolerance) || !double.IsFinite(pivot)) return false;
            _divisors[j] = Math.Sqrt(pivot);
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b <= a; b++) _packed[a * d + b] = _leading[_dense[a] * n + _dense[b]];
        if (d > 0 && (NativeBlas.CholeskyLower(_packed, d, d) != 0 || !PivotsAbove(_packed, d))) return false;
        for (int r = 0; r < e; r++)
        {
            var row = _coupling.AsSpan(r * n, n);
            SpanKernels.Divide(row, _divisors, row);
            for (int a = 0; a < d; a++) _packedCoupling[r * d + a] = row[_dense[a]];
        }
        if (d == 0 || e == 0) return true;
        NativeBlas.SolveLowerRows(_packed, d, d, _packedCoupling, e);
        for (int r = 0; r < e; r++)
            for (int a = 0; a < d; a++) _coupling[r * n + _dense[a]] = _packedCoupling[r * d + a];
        return true;
    }

    /// <summary>Overwrites <paramref name="x"/> = [r₁; r₂] (length n + e) with K⁻¹x.</summary>
    public void Solve(Span<double> x)
    {
        int n = _n, e = _e;
        var top = x[..n];
        var bottom = x[n..];
        if (_eliminatedDelta > 0)
        {
            SolveEliminated(top, bottom);
            return;
        }
        // t = L⁻¹r₁; z = S⁻¹(Wt − r₂); x₁ = L⁻ᵀ(t − Wᵀz).
        SolveLeading(top, transpose: false);
        if (e > 0)
        {
            SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: false, 1, top, 0, _middle);
            for (int i = 0; i < e; i++) bottom[i] = _middle[i] - bottom[i];
            SolveLower(_schur, e, transpose: false, bottom);
            SolveLower(_schur, e, transpose: true, bottom);
            SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: true, -1, bottom, 1, top);
        }
        SolveLeading(top, transpose: true);
    }

    /// <summary>[top; bottom] ← K⁻¹[top; bottom] with <see cref="FactorEliminated"/>'s factor (B still in the coupling block).</summary>
    private void SolveEliminated(Span<double> top, Span<double> bottom)
    {
        int n = _n, e = _e;
        double delta = _eliminatedDelta;
        for (int i = 0; i < e; i++) _middle[i] = bottom[i] / delta;
        SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: true, 1, _middle, 1, top);
        SolveLower(_leading, n, transpose: false, top);
        SolveLower(_leading, n, transpose: true, top);
        SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: false, 1, top, 0, _middle);
        for (int i = 0; i < e; i++) bottom[i] = (_middle[i] - bottom[i]) / delta;
    }

    /// <summary>x ← L⁻¹x or L⁻ᵀx for the leading block's factor (split into isolated variables and a packed block, or whole).</summary>
    private void SolveLeading(Span<double> x, bool transpose)
    {
        if (_isolatedCount == 0)
        {
            SolveLower(_leading, _n, transpose, x);
            return;
        }
        SpanKernels.Divide(x[.._n], _divisors, x[.._n]);
        int d = _denseCount;
        if (d == 0) return;
        var gathered = _gathered.AsSpan(0, d);
        for (int a = 0; a < d; a++) gathered[a] = x[_dense[a]];
        SolveLower(_packed, d, transpose, gathered);
        for (int a = 0; a < d; a++) x[_dense[a]] = gathered[a];
    }

    /// <summary>x ← L⁻¹x or L⁻ᵀx for a factor of order n: managed (<see cref="SmallTriangular"/>) when small, else BLAS.</summary>
    private static void SolveLower(ReadOnlySpan<double> factor, int n, bool transpose, Span<double> x)
    {
        if (n <= SmallTriangular.MaxOrder) SmallTriangular.SolveLower(factor, n, n, transpose, x);
        else NativeBlas.SolveLower(factor, n, n, transpose, x);
    }

    /// <summary>Whether every squared diagonal entry of the factor (a pivot of the LDLᵀ) is finite and above the tolerance.</summary>
    private static bool PivotsAbove(ReadOnlySpan<double> factor, int order)
    {
        for (int j = 0; j < order; j++)
        {
            double d = factor[j * order + j];
            if (!(d * d > QuasiDefiniteLdl.PivotTolerance) || !double.IsFinite(d)) return false;
        }
        return true;
    }
}
