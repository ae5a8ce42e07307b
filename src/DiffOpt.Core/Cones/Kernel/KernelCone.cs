namespace DiffOpt.Cones;

/// <summary>
/// One cone of one batch item in the managed CPU kernel of the homogeneous interior-point method
/// (<see cref="HomogeneousItemSolver"/>): the same arithmetic as the batched tensor cones of
/// <see cref="HomogeneousCones"/> on float64 spans of the cone's rows. <see cref="Scale"/> sets the scaling Hs at
/// (s, z); the other members then use it. Hs⁻¹ = F·Fᵀ is exposed through Fᵀ (<see cref="HalfInverse"/>), so that
/// the reduced KKT matrix P + Σ AₖᵀHₖ⁻¹Aₖ is a sum of GᵀG with G = FᵀAₖ.
/// </summary>
internal abstract class KernelCone(int offset, int rows)
{
    /// <summary>The cone's first row.</summary>
    public int Offset { get; } = offset;

    /// <summary>The cone's rows.</summary>
    public int Rows { get; } = rows;

    /// <summary>The degree ν of the cone's barrier.</summary>
    public abstract int Degree { get; }

    /// <summary>Whether this is a zero cone (equality rows: no scaling, s stays 0).</summary>
    public virtual bool IsZero => false;

    /// <summary>Whether this cone is symmetric (its step to the boundary is computed in closed form).</summary>
    public virtual bool IsSymmetric => true;

    /// <summary>Writes the start point's block (the unit element e) into <paramref name="e"/>.</summary>
    public abstract void Unit(Span<double> e);

    /// <summary>
    /// The smallest θ with v + θe in the cone (−λ_min(v) for the symmetric cones, e the unit element); NaN where there
    /// is no closed form (exponential cones: the caller searches).
    /// </summary>
    public abstract double InteriorShift(ReadOnlySpan<double> v);

    /// <summary>Sets the scaling at (s, z); false when it is not defined (a point outside the interior, or a breakdown).</summary>
    public abstract bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z);

    /// <summary>hu = Hs·u.</summary>
    public abstract void MulH(ReadOnlySpan<double> u, Span<double> hu);

    /// <summary>result = |Hs|·u, with the absolute values of Hs's entries (for a componentwise backward error).</summary>
    public abstract void MulAbsH(ReadOnlySpan<double> u, Span<double> result);

    /// <summary>result = Hs⁻¹·u.</summary>
    public abstract void MulHinv(ReadOnlySpan<double> u, Span<double> result);

    /// <summary>G = Fᵀ·A for the cone's rows A (Rows × n, row-major) into g (Rows × n), Hs⁻¹ = F·Fᵀ.</summary>
    public abstract void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n);

    /// <summary>The shift ds of the combined step (<see cref="HomogeneousCones.CombinedShift"/>), for σμ and the affine direction.</summary>
    public abstract void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift);

    /// <summary>The largest α with v + α·dv in the cone (+∞ when none limits it; 0 when v is outside); +∞ for nonsymmetric cones.</summary>
    public abstract double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv);
}

/// <summary>
/// A cone whose scaling is block diagonal with dense blocks of <see cref="BlockSize"/> rows (one block for a
/// second-order or PSD cone, one per triple for exponential cones): holds Hs and Fᵀ (Hs⁻¹ = FFᵀ) per block.
/// </summary>
internal abstract class DenseBlockCone : KernelCone
{
    /// <summary>Hs, per block (BlockSize × BlockSize, row-major, blocks one after another).</summary>
    protected readonly double[] H;

    /// <summary>Fᵀ, per block, with Hs⁻¹ = F·Fᵀ.</summary>
    protected readonly double[] FT;

    private readonly double[] _work;

    /// <summary>A cone of <paramref name="rows"/> rows in blocks of <paramref name="blockSize"/>.</summary>
    protected DenseBlockCone(int offset, int rows, int blockSize) : base(offset, rows)
    {
        BlockSize = blockSize;
        H = new double[rows * blockSize];
        FT = new double[rows * blockSize];
        _work = new double[blockSize];
    }

    /// <summary>Rows per dense block.</summary>
    public int BlockSize { get; }

    /// <inheritdoc />
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu) => Apply(H, false, u, hu);

    /// <inheritdoc />
    public override void MulAbsH(ReadOnlySpan<double> u, Span<double> result) => Apply(H, false, u, result, absolute: true);

    /// <inheritdoc />
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result)
    {
        int r = BlockSize;
        for (int b = 0; b < Rows; b += r)
        {
            var f = FT.AsSpan(b * r, r * r);
            for (int i = 0; i < r; i++) _work[i] = Row(f, i, r, u.Slice(b, r));
            for (int i = 0; i < r; i++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++) sum += f[k * r + i] * _work[k];
                result[b + i] = sum;
            }
        }
    }

    /// <inheritdoc />
    public override void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n)
    {
        int r = BlockSize;
        g[..(Rows * n)].Clear();
        for (int b = 0; b < Rows; b += r)
        {
            var f = FT.AsSpan(b * r, r * r);
            for (int i = 0; i < r; i++)
                for (int k = 0; k < r; k++)
                    Numerics.SpanKernels.AddScaled(f[i * r + k], a.Slice((b + k) * n, n), g.Slice((b + i) * n, n));
        }
    }

    /// <summary>
    /// result = M·u blockwise for M = H or Fᵀ (or its transpose), or |M|·u with the absolute values of M's entries
    /// when <paramref name="absolute"/>.
    /// </summary>
    protected void Apply(double[] m, bool transpose, ReadOnlySpan<double> u, Span<double> result, bool absolute = false)
    {
        int r = BlockSize;
        for (int b = 0; b < Rows; b += r)
        {
            var block = m.AsSpan(b * r, r * r);
            for (int i = 0; i < r; i++)
            {
                double sum = 0;
                for (int k = 0; k < r; k++)
                {
                    double entry = transpose ? block[k * r + i] : block[i * r + k];
                    sum += (absolute ? Math.Abs(entry) : entry) * u[b + k];
                }
                result[b + i] = sum;
            }
        }
    }

    private static double Row(ReadOnlySpan<double> m, int i, int r, ReadOnlySpan<double> u)
    {
        double sum = 0;
        for (int k = 0; k < r; k++) sum += m[i * r + k] * u[k];
        return sum;
    }
}
