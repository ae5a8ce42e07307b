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
/// </summary>
internal sealed class QuasiDefiniteCholesky
{
    private readonly int _n, _e;
    private readonly double[] _leading, _coupling, _schur, _middle;

    /// <summary>A factoriser for a leading block of order <paramref name="n"/> and <paramref name="e"/> coupling rows.</summary>
    public QuasiDefiniteCholesky(int n, int e)
    {
        _n = n;
        _e = e;
        _leading = new double[n * n];
        _coupling = new double[e * n];
        _schur = new double[e * e];
        _middle = new double[e];
    }

    /// <summary>The order n + e of K.</summary>
    public int Order => _n + _e;

    /// <summary>K₁₁, row-major n × n; its lower triangle is read and overwritten by L.</summary>
    public Span<double> Leading => _leading;

    /// <summary>B, row-major e × n; overwritten by W.</summary>
    public Span<double> Coupling => _coupling;

    /// <summary>
    /// Factorises K for the regularisation <paramref name="delta"/> &gt; 0 of its lower-right block. False when K₁₁ is
    /// not numerically positive definite (a pivot at most <see cref="QuasiDefiniteLdl.PivotTolerance"/>) or an entry
    /// is not finite; the contents are then undefined.
    /// </summary>
    public bool Factor(double delta)
    {
        int n = _n, e = _e;
        if (NativeBlas.CholeskyLower(_leading, n, n) != 0 || !PivotsAbove(_leading, n)) return false;
        if (e == 0) return true;
        NativeBlas.SolveLowerRows(_leading, n, n, _coupling, e);
        NativeBlas.GramLower(_coupling, e, n, n, outer: true, 1, 0, _schur, e);
        for (int i = 0; i < e; i++) _schur[i * e + i] += delta;
        return NativeBlas.CholeskyLower(_schur, e, e) == 0 && PivotsAbove(_schur, e);
    }

    /// <summary>Overwrites <paramref name="x"/> = [r₁; r₂] (length n + e) with K⁻¹x.</summary>
    public void Solve(Span<double> x)
    {
        int n = _n, e = _e;
        var top = x[..n];
        var bottom = x[n..];
        // t = L⁻¹r₁; z = S⁻¹(Wt − r₂); x₁ = L⁻ᵀ(t − Wᵀz).
        NativeBlas.SolveLower(_leading, n, n, transpose: false, top);
        if (e > 0)
        {
            SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: false, 1, top, 0, _middle);
            for (int i = 0; i < e; i++) bottom[i] = _middle[i] - bottom[i];
            NativeBlas.SolveLower(_schur, e, e, transpose: false, bottom);
            NativeBlas.SolveLower(_schur, e, e, transpose: true, bottom);
            SmallGemv.MultiplyOrBlas(_coupling, e, n, transpose: true, -1, bottom, 1, top);
        }
        NativeBlas.SolveLower(_leading, n, n, transpose: true, top);
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
