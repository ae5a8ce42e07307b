using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The orthant in the CPU kernel (<see cref="NonnegativeScaling"/>): w = √(s/z), λ = √(s∘z), Hs = diag(s/z),
/// Fᵀ = diag(√(z/s)); combined shift w∘(λ∘λ + Δs_a∘Δz_a − σμ)/λ. The step to the boundary, the interior margin and
/// Hs are the shared orthant arithmetic of <see cref="NonnegativeOrthant"/>, which the QP's kernels use too.
/// </summary>
internal sealed class KernelNonnegativeCone(int offset, int rows) : KernelCone(offset, rows)
{
    private readonly double[] _h = new double[rows];

    /// <inheritdoc />
    public override int Degree => Rows;

    /// <inheritdoc />
    public override void Unit(Span<double> e) => e[..Rows].Fill(1);

    /// <inheritdoc />
    public override double InteriorShift(ReadOnlySpan<double> v) => -NonnegativeOrthant.Margin(v[..Rows]);

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z) => NonnegativeOrthant.Scaling(s[..Rows], z, _h);

    /// <inheritdoc />
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu)
    {
        for (int i = 0; i < Rows; i++) hu[i] = _h[i] * u[i];
    }

    /// <inheritdoc />
    public override void MulAbsH(ReadOnlySpan<double> u, Span<double> result)
    {
        for (int i = 0; i < Rows; i++) result[i] = Math.Abs(_h[i]) * u[i];
    }

    /// <inheritdoc />
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result) => SpanKernels.Divide(u, _h, result[..Rows]);

    /// <inheritdoc />
    public override void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n)
    {
        for (int i = 0; i < Rows; i++)
        {
            double f = 1 / Math.Sqrt(_h[i]);
            SpanKernels.Scale(f, a.Slice(i * n, n), g.Slice(i * n, n));
        }
    }

    /// <inheritdoc />
    public override void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift)
    {
        for (int i = 0; i < Rows; i++)
        {
            double w = Math.Sqrt(_h[i]), lambda = Math.Sqrt(s[i] * z[i]);
            double eta = (dsAffine[i] / w) * (dzAffine[i] * w);
            shift[i] = w * ((lambda * lambda + eta - sigmaMu) / lambda);
        }
    }

    /// <inheritdoc />
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv) =>
        NonnegativeOrthant.StepToBoundary(v[..Rows], dv, double.PositiveInfinity);
}
