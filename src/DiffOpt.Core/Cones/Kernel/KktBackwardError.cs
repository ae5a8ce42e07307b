namespace DiffOpt.Cones;

/// <summary>
/// The componentwise backward error of a solution (Δx, Δz) of one item's K[Δx; Δz] = [top; bottom],
/// K = [P̂, Âᵀ; Â, −Hs]: ω = maxᵢ |rᵢ| / (|K|·|[Δx; Δz]| + |rhs|)ᵢ for the residual r (Oettli–Prager; the BERR of
/// LAPACK's iterative refinement, Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §7.2 and §12.1).
/// (Δx, Δz) solves exactly a system whose every entry is within a relative ω of K's and the right-hand side's. Unlike
/// the residual relative to ‖rhs‖∞, ω does not grow with the spread of Hs (its eigenvalues reach 10^±10 near the
/// optimum), so it tells a solve that lost information from one as accurate as the data of K allow.
/// </summary>
internal sealed class KktBackwardError
{
    private readonly KernelCone[] _cones;
    private readonly int _n, _m;
    private readonly bool _native;
    private readonly double[] _absA, _absX, _absZ, _top, _bottom;
    private double[]? _absP;
    private ItemProgram? _source;
    private double[]? _matrix;   // the Â whose magnitudes _absA holds

    /// <summary>Workspace for an item with the cones <paramref name="cones"/>, n variables and m rows.</summary>
    public KktBackwardError(KernelCone[] cones, int n, int m, bool native)
    {
        _cones = cones;
        _n = n;
        _m = m;
        _native = native;
        _absA = new double[m * n];
        (_absX, _top) = (new double[n], new double[n]);
        (_absZ, _bottom) = (new double[m], new double[m]);
    }

    /// <summary>Forgets the item whose |Â| and |P̂| are held (the next <see cref="Measure"/> forms them again).</summary>
    public void Reset() => _source = null;

    /// <summary>
    /// ω for the solution (<paramref name="dx"/>, <paramref name="dz"/>) of <paramref name="data"/>'s K at the cones'
    /// current scalings, with its residual [<paramref name="residualTop"/>; <paramref name="residualBottom"/>];
    /// +∞ when a residual entry is not finite or is nonzero where its denominator is 0.
    /// </summary>
    public double Measure(ItemProgram data, ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, ReadOnlySpan<double> dx,
        ReadOnlySpan<double> dz, ReadOnlySpan<double> residualTop, ReadOnlySpan<double> residualBottom)
    {
        int n = _n, m = _m;
        if (!ReferenceEquals(_source, data)) Absolute(data);
        for (int j = 0; j < n; j++) _absX[j] = Math.Abs(dx[j]);
        for (int i = 0; i < m; i++) _absZ[i] = Math.Abs(dz[i]);
        // |top| + |P̂||Δx| + |Â|ᵀ|Δz| and |bottom| + |Â||Δx| + |Hs||Δz|.
        for (int j = 0; j < n; j++) _top[j] = Math.Abs(top[j]);
        if (_absP is not null) DenseProducts.Multiply(_absP, n, n, transpose: false, 1, _absX, 1, _top, _native);
        foreach (var cone in _cones) cone.MulAbsH(_absZ.AsSpan(cone.Offset, cone.Rows), _bottom.AsSpan(cone.Offset, cone.Rows));
        for (int i = 0; i < m; i++) _bottom[i] += Math.Abs(bottom[i]);
        DenseProducts.MultiplyBoth(_absA, m, n, 1, _absX, _bottom, _absZ, _top, _native);
        return Math.Max(Ratio(residualTop, _top), Ratio(residualBottom, _bottom));
    }

    private void Absolute(ItemProgram data)
    {
        // A batch's shared Â is never written, so its magnitudes hold for every item reading it.
        if (!data.Reuses(_matrix, data.DenseScaledA))
            for (int k = 0; k < _absA.Length; k++) _absA[k] = Math.Abs(data.DenseScaledA[k]);
        _matrix = data.DenseScaledA;
        if (data.ScaledP is { } p)
        {
            _absP ??= new double[_n * _n];
            for (int k = 0; k < _absP.Length; k++) _absP[k] = Math.Abs(p[k]);
        }
        else _absP = null;
        _source = data;
    }

    private static double Ratio(ReadOnlySpan<double> residual, ReadOnlySpan<double> denominator)
    {
        double worst = 0;
        for (int i = 0; i < residual.Length; i++)
        {
            double r = Math.Abs(residual[i]);
            if (r == 0) continue;
            double ratio = r / denominator[i];
            if (!(ratio <= double.MaxValue)) return double.PositiveInfinity;
            worst = Math.Max(worst, ratio);
        }
        return worst;
    }
}
