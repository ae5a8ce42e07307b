using DiffOpt.Numerics;

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

    /// <summary>Rows of the dense diagonal blocks of Hs (1: Hs is diagonal).</summary>
    public virtual int BlockSize => 1;

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
/// PSD cone, one per triple for exponential cones): holds Hs and Fᵀ (Hs⁻¹ = FFᵀ) per block. (The second-order cone
/// applies its one block from a closed form instead.)
/// </summary>
internal abstract class DenseBlockCone : KernelCone
{
    /// <summary>Hs, per block (BlockSize × BlockSize, row-major, blocks one after another).</summary>
    protected readonly double[] H;

    /// <summary>Fᵀ, per block, with Hs⁻¹ = F·Fᵀ.</summary>
    protected readonly double[] FT;

    private readonly double[] _work;
    private readonly int _blockSize;

    /// <summary>A cone of <paramref name="rows"/> rows in blocks of <paramref name="blockSize"/>.</summary>
    protected DenseBlockCone(int offset, int rows, int blockSize) : base(offset, rows)
    {
        _blockSize = blockSize;
        H = new double[rows * blockSize];
        FT = new double[rows * blockSize];
        _work = new double[blockSize];
    }

    /// <inheritdoc />
    public override int BlockSize => _blockSize;

    /// <inheritdoc />
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu)
    {
        int r = BlockSize;
        for (int b = 0; b < Rows; b += r)
            SmallGemv.Multiply(H.AsSpan(b * r, r * r), r, r, false, 1, u.Slice(b, r), 0, hu.Slice(b, r));
    }

    /// <inheritdoc />
    public override void MulAbsH(ReadOnlySpan<double> u, Span<double> result)
    {
        int r = BlockSize;
        for (int b = 0; b < Rows; b += r)
        {
            var block = H.AsSpan(b * r, r * r);
            for (int i = 0; i < r; i++)
            {
                var row = block.Slice(i * r, r);
                double sum = 0;
                for (int k = 0; k < r; k++) sum += Math.Abs(row[k]) * u[b + k];
                result[b + i] = sum;
            }
        }
    }

    /// <inheritdoc />
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result)
    {
        int r = BlockSize;
        for (int b = 0; b < Rows; b += r)
        {
            var f = FT.AsSpan(b * r, r * r);
            SmallGemv.Multiply(f, r, r, false, 1, u.Slice(b, r), 0, _work);
            SmallGemv.Multiply(f, r, r, true, 1, _work, 0, result.Slice(b, r));
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
                    SpanKernels.AddScaled(f[i * r + k], a.Slice((b + k) * n, n), g.Slice((b + i) * n, n));
        }
    }
}
