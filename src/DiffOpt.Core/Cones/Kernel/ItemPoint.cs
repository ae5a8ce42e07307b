namespace DiffOpt.Cones;

/// <summary>A point (x, s, z, τ, κ) of one item's homogeneous embedding, or a direction (<see cref="HomogeneousIterate"/>), in float64 arrays.</summary>
internal sealed class ItemPoint(int n, int m)
{
    /// <summary>x̂ (n).</summary>
    public double[] X { get; } = new double[n];

    /// <summary>ŝ (m).</summary>
    public double[] S { get; } = new double[m];

    /// <summary>ẑ (m).</summary>
    public double[] Z { get; } = new double[m];

    /// <summary>τ.</summary>
    public double Tau { get; set; }

    /// <summary>κ.</summary>
    public double Kappa { get; set; }

    /// <summary>Sets every entry to 0.</summary>
    public void Clear()
    {
        Array.Clear(X);
        Array.Clear(S);
        Array.Clear(Z);
        Tau = Kappa = 0;
    }

    /// <summary>Copies <paramref name="other"/> into this point.</summary>
    public void CopyFrom(ItemPoint other)
    {
        other.X.CopyTo(X, 0);
        other.S.CopyTo(S, 0);
        other.Z.CopyTo(Z, 0);
        Tau = other.Tau;
        Kappa = other.Kappa;
    }

    /// <summary>This point := <paramref name="point"/> + α·<paramref name="direction"/>.</summary>
    public void SetStep(ItemPoint point, ItemPoint direction, double alpha)
    {
        for (int i = 0; i < X.Length; i++) X[i] = point.X[i] + alpha * direction.X[i];
        for (int i = 0; i < S.Length; i++)
        {
            S[i] = point.S[i] + alpha * direction.S[i];
            Z[i] = point.Z[i] + alpha * direction.Z[i];
        }
        Tau = point.Tau + alpha * direction.Tau;
        Kappa = point.Kappa + alpha * direction.Kappa;
    }

    /// <summary>
    /// Rows [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="rows"/>) of s and z :=
    /// <paramref name="point"/>'s + α·<paramref name="direction"/>'s; the other entries are left as they are.
    /// </summary>
    public void SetStep(ItemPoint point, ItemPoint direction, double alpha, int offset, int rows)
    {
        for (int i = offset; i < offset + rows; i++)
        {
            S[i] = point.S[i] + alpha * direction.S[i];
            Z[i] = point.Z[i] + alpha * direction.Z[i];
        }
    }

    /// <summary>Whether every entry is finite.</summary>
    public bool IsFinite() => Numerics.SpanKernels.AllFinite(X) && Numerics.SpanKernels.AllFinite(S)
        && Numerics.SpanKernels.AllFinite(Z) && double.IsFinite(Tau) && double.IsFinite(Kappa);
}
