using DiffOpt.LinearAlgebra;

namespace DiffOpt.Cones;

/// <summary>
/// A k × k PSD cone in svec form in the CPU kernel (<see cref="PsdScaling"/>, <see cref="PsdInteriorPoint"/>): with
/// S = L_sL_sᵀ, Z = L_zL_zᵀ and L_zᵀL_s = UΛVᵀ, R = L_sVΛ^{−1/2}, R⁻¹ = Λ^{−1/2}UᵀL_zᵀ; W(X) = RᵀXR, λ = svec(Λ),
/// Hs(X) = GXG with G = RRᵀ, and Fᵀ = W⁻ᵀ: X ↦ R⁻¹XR⁻ᵀ (Hs⁻¹ = W⁻¹W⁻ᵀ). Hs and Fᵀ are stored as dense svec matrices.
/// </summary>
internal sealed class KernelPsdCone : DenseBlockCone
{
    private readonly int _k;
    private readonly double[] _r, _rInverse, _g, _lambda, _e;
    private readonly double[] _m1, _m2, _m3, _m4, _v1;
    private static readonly double Root2 = Math.Sqrt(2);

    /// <summary>The cone of order <paramref name="order"/> at <paramref name="offset"/>.</summary>
    public KernelPsdCone(int offset, int order) : base(offset, order * (order + 1) / 2, order * (order + 1) / 2)
    {
        _k = order;
        int kk = order * order;
        _r = new double[kk];
        _rInverse = new double[kk];
        _g = new double[kk];
        _m1 = new double[kk];
        _m2 = new double[kk];
        _m3 = new double[kk];
        _m4 = new double[kk];
        _lambda = new double[order];
        _e = new double[order];
        _v1 = new double[Rows];
    }

    /// <inheritdoc />
    public override int Degree => _k;

    /// <inheritdoc />
    public override void Unit(Span<double> e)
    {
        e[..Rows].Clear();
        for (int j = 0, p = 0; j < _k; j++)
        {
            e[p] = 1;
            p += _k - j;
        }
    }

    /// <inheritdoc />
    public override double InteriorShift(ReadOnlySpan<double> v)
    {
        ToMatrix(v, _m1);
        return -SmallestEigenvalue(_m1, _m2);
    }

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        int k = _k;
        ToMatrix(s, _m1);
        ToMatrix(z, _m2);
        if (!SmallDense.Cholesky(_m1, k) || !SmallDense.Cholesky(_m2, k)) return false;
        SmallDense.Multiply(_m2, true, _m1, false, _m3, k);                 // L_zᵀL_s
        if (!SmallDense.Svd(_m3, k, _lambda, _m4)) return false;           // _m3 ← U, _m4 ← V
        SmallDense.Multiply(_m1, false, _m4, false, _r, k);                 // L_sV
        SmallDense.Multiply(_m3, true, _m2, true, _rInverse, k);            // UᵀL_zᵀ
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double root = 1 / Math.Sqrt(_lambda[j]);
                _r[i * k + j] *= root;
                _rInverse[j * k + i] *= root;
            }
        SmallDense.Multiply(_r, false, _r, true, _g, k);                    // G = RRᵀ
        // Hs = svec matrix of X ↦ GXG; Fᵀ = that of X ↦ R⁻¹XR⁻ᵀ.
        SvecCongruence.Matrix(_g, k, H);
        SvecCongruence.Matrix(_rInverse, k, FT);
        return SpanAllFinite(H) && SpanAllFinite(FT);
    }

    /// <inheritdoc />
    public override void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift)
    {
        int k = _k;
        // η = W⁻ᵀ(Δs_a)∘W(Δz_a) = svec of the symmetrised product of R⁻¹ΔS R⁻ᵀ and RᵀΔZ R.
        ToMatrix(dsAffine, _m1);
        CongruenceMatrix(_rInverse, false, _m1, _m2);
        ToMatrix(dzAffine, _m1);
        CongruenceMatrix(_r, true, _m1, _m3);
        SmallDense.Multiply(_m2, false, _m3, false, _m4, k);
        // U = Λ² + η − σμI, then X̃ᵢⱼ = 2Uᵢⱼ/(λᵢ + λⱼ) (λ is diagonal), and ds = svec(R X̃ Rᵀ).
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double eta = 0.5 * (_m4[i * k + j] + _m4[j * k + i]);
                if (!double.IsFinite(eta)) eta = 0;
                double u = eta + (i == j ? _lambda[i] * _lambda[i] - sigmaMu : 0);
                _m1[i * k + j] = 2 * u / (_lambda[i] + _lambda[j]);
            }
        CongruenceMatrix(_r, false, _m1, _m2);
        ToVector(_m2, shift);
    }

    /// <inheritdoc />
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv)
    {
        int k = _k;
        ToMatrix(v, _m1);
        if (!SmallDense.Cholesky(_m1, k)) return 0;
        SmallDense.InvertLower(_m1, k);
        ToMatrix(dv, _m2);
        CongruenceMatrix(_m1, false, _m2, _m3);                            // L⁻¹ ΔS L⁻ᵀ
        double smallest = SmallestEigenvalue(_m3, _m2);
        if (double.IsNaN(smallest)) return 0;
        return smallest < 0 ? -1 / smallest : double.PositiveInfinity;
    }

    /// <summary>
    /// The smallest eigenvalue of the symmetric matrix <paramref name="m"/> (destroyed, as is <paramref name="copy"/>) by
    /// tridiagonal QL, or by Jacobi sweeps on a copy should QL not converge; NaN if it is not finite.
    /// </summary>
    private double SmallestEigenvalue(double[] m, double[] copy)
    {
        int k = _k;
        m.AsSpan(0, k * k).CopyTo(copy);
        if (!SmallDense.SymmetricEigenvalues(m, k, _v1, _e) && !SmallDense.SymmetricEigen(copy, k, _v1, Span<double>.Empty))
            return double.NaN;
        double smallest = double.PositiveInfinity;
        for (int i = 0; i < k; i++) smallest = Math.Min(smallest, _v1[i]);
        return smallest;
    }

    /// <summary>Y = M·X·Mᵀ (or MᵀXM), symmetrised; X and Y must differ from the work matrix _m4.</summary>
    private void CongruenceMatrix(double[] m, bool transpose, double[] x, double[] y)
    {
        int k = _k;
        SmallDense.Multiply(m, transpose, x, false, _m4, k);
        SmallDense.Multiply(_m4, false, m, !transpose, y, k);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < i; j++)
            {
                double mean = 0.5 * (y[i * k + j] + y[j * k + i]);
                y[i * k + j] = mean;
                y[j * k + i] = mean;
            }
    }

    /// <summary>smat: lower triangle column by column, off-diagonals divided by √2 (<see cref="Svec"/>).</summary>
    private void ToMatrix(ReadOnlySpan<double> v, double[] matrix)
    {
        int k = _k, p = 0;
        for (int j = 0; j < k; j++)
            for (int i = j; i < k; i++, p++)
            {
                double value = i == j ? v[p] : v[p] / Root2;
                matrix[i * k + j] = value;
                matrix[j * k + i] = value;
            }
    }

    /// <summary>svec of a symmetric matrix.</summary>
    private void ToVector(double[] matrix, Span<double> v)
    {
        int k = _k, p = 0;
        for (int j = 0; j < k; j++)
            for (int i = j; i < k; i++, p++)
                v[p] = i == j ? matrix[i * k + j] : matrix[i * k + j] * Root2;
    }

    private static bool SpanAllFinite(double[] values) => Numerics.SpanKernels.AllFinite(values);
}
