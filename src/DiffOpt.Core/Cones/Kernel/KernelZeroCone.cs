namespace DiffOpt.Cones;

/// <summary>The zero cone in the CPU kernel (<see cref="ZeroInteriorPoint"/>): equality rows, Hs = 0, s stays 0, no step limit.</summary>
internal sealed class KernelZeroCone(int offset, int rows) : KernelCone(offset, rows)
{
    /// <inheritdoc />
    public override int Degree => 0;

    /// <inheritdoc />
    public override bool IsZero => true;

    /// <inheritdoc />
    public override void Unit(Span<double> e) => e.Clear();

    /// <summary>0: the zero cone's s is 0 and its dual is free.</summary>
    public override double InteriorShift(ReadOnlySpan<double> v) => 0;

    /// <inheritdoc />
    public override bool Scale(ReadOnlySpan<double> s, ReadOnlySpan<double> z) => true;

    /// <inheritdoc />
    public override void MulH(ReadOnlySpan<double> u, Span<double> hu) => hu[..Rows].Clear();

    /// <inheritdoc />
    public override void MulAbsH(ReadOnlySpan<double> u, Span<double> result) => result[..Rows].Clear();

    /// <summary>Not defined (Hs = 0): the zero rows stay in the reduced KKT matrix instead of being eliminated.</summary>
    public override void MulHinv(ReadOnlySpan<double> u, Span<double> result) =>
        throw new InvalidOperationException("The zero cone's Hs = 0 has no inverse.");

    /// <inheritdoc cref="MulHinv" />
    public override void HalfInverse(ReadOnlySpan<double> a, Span<double> g, int n) =>
        throw new InvalidOperationException("The zero cone's Hs = 0 has no inverse.");

    /// <inheritdoc />
    public override void CombinedShift(ReadOnlySpan<double> s, ReadOnlySpan<double> z, ReadOnlySpan<double> dsAffine,
        ReadOnlySpan<double> dzAffine, double sigmaMu, Span<double> shift) => shift[..Rows].Clear();

    /// <inheritdoc />
    public override double StepToBoundary(ReadOnlySpan<double> v, ReadOnlySpan<double> dv) => double.PositiveInfinity;
}
