namespace DiffOpt.Cones;

/// <summary>
/// Per triple of an exponential cone, the conjugate point t = −∇f*(z) with ψ(t), log(t_z/t_y), f*(z)
/// (<see cref="ExponentialTriple.Conjugate"/>) and ∇²f*(z) = [∇²f(t)]⁻¹, held for the z they were computed at
/// (compared bitwise), so that the same z's Wright-omega solve is not repeated.
/// </summary>
internal sealed class ExponentialConjugates(int count)
{
    private readonly double[] _z = Enumerable.Repeat(double.NaN, 3 * count).ToArray(), _point = new double[3 * count],
        _dualHessian = new double[9 * count], _psi = new double[count], _ratio = new double[count], _value = new double[count];

    /// <summary>Whether the triple at row <paramref name="t"/> is held for this z (NaN never matches).</summary>
    public bool Holds(ReadOnlySpan<double> z, int t) => z[0] == _z[t] && z[1] == _z[t + 1] && z[2] == _z[t + 2];

    /// <summary>Computes and holds the triple at row <paramref name="t"/> for z; false (nothing held) outside int K_exp*.</summary>
    public bool Compute(ReadOnlySpan<double> z, int t)
    {
        int k = t / 3;
        _z[t] = double.NaN;
        if (!ExponentialTriple.Conjugate(z, _point.AsSpan(t, 3), out _psi[k], out _ratio[k], out _value[k])) return false;
        ExponentialTriple.InverseHessian(_point.AsSpan(t, 3), _psi[k], _ratio[k], _dualHessian.AsSpan(3 * t, 9));
        z.CopyTo(_z.AsSpan(t, 3));
        return true;
    }

    /// <summary>Holds <paramref name="other"/>'s triple at row <paramref name="t"/>.</summary>
    public void CopyFrom(ExponentialConjugates other, int t)
    {
        int k = t / 3;
        other._z.AsSpan(t, 3).CopyTo(_z.AsSpan(t, 3));
        other._point.AsSpan(t, 3).CopyTo(_point.AsSpan(t, 3));
        other._dualHessian.AsSpan(3 * t, 9).CopyTo(_dualHessian.AsSpan(3 * t, 9));
        (_psi[k], _ratio[k], _value[k]) = (other._psi[k], other._ratio[k], other._value[k]);
    }

    /// <summary>t = −∇f*(z) of the triple at row <paramref name="t"/>.</summary>
    public ReadOnlySpan<double> Point(int t) => _point.AsSpan(t, 3);

    /// <summary>∇²f*(z) of the triple at row <paramref name="t"/> (3 × 3 row-major).</summary>
    public ReadOnlySpan<double> DualHessian(int t) => _dualHessian.AsSpan(3 * t, 9);

    /// <summary>ψ(t) of the triple at row <paramref name="t"/>.</summary>
    public double Psi(int t) => _psi[t / 3];

    /// <summary>log(t_z/t_y) of the triple at row <paramref name="t"/>.</summary>
    public double Ratio(int t) => _ratio[t / 3];

    /// <summary>f*(z) of the triple at row <paramref name="t"/>.</summary>
    public double Value(int t) => _value[t / 3];
}
