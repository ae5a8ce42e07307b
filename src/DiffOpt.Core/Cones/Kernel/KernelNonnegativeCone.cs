namespace DiffOpt.Cones;

/// <summary>
/// The orthant in the CPU kernel (<see cref="NonnegativeScaling"/>): w = √(s/z), λ = √(s∘z), Hs = diag(s/z),
/// Fᵀ = diag(√(z/s)); combined shift w∘(λ∘λ + Δs_a∘Δz_a − σμ)/λ.
/// </summary>
internal sealed class KernelNonnegativeCone(int offset, int rows) : KernelCone(offset, rows)
{
    private readonly double[] _h = new double[rows];

    /// <inheritdoc />
    public override int Degree => Rows;

    /// <inheritdoc />
    public override void Unit(Span<double> e) => e[..Rows].Fill(1);

    /// <inheritdoc />
    public override double InteriorShift(ReadOnlySpan<double> v)
    {
        double smallest = double.PositiveInfinity;
        for (int i = 0; i < Rows; i++) smallest = Math.Min(smallest, v[i]);
        return -smallest;
    }

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z)
    {
        for (int i = 0; i < Rows; i++)
        {
            _h[i] = s[i] / z[i];
            if (!(_h[i] > 0) || !double.IsFinite(_h[i])) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu)
    {
        for (int i = 0; i < Rows; i++) hu[i] = _h[i] * u[i];
    }

    /// <inheritdoc />
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result)
    {
        for (int i = 0; i < Rows; i++) result[i] = u[i] / _h[i];
    }

    /// <inheritdoc />
    public override void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n)
    {
        for (int i = 0; i < Rows; i++)
        {
            double f = 1 / Math.Sqrt(_h[i]);
            var row = a.Slice(i * n, n);
            var target = g.Slice(i * n, n);
            for (int j = 0; j < n; j++) target[j] = f * row[j];
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
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv)
    {
        double alpha = double.PositiveInfinity;
        for (int i = 0; i < Rows; i++)
        {
            if (v[i] < 0) return 0;
            if (dv[i] < 0) alpha = Math.Min(alpha, -v[i] / dv[i]);
        }
        return alpha;
    }
}
