using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>The interior start point of a warm start (<see cref="ConeWarmStart"/>) for one item, in the equilibrated scale.</summary>
internal static class WarmStartPoint
{
    /// <summary>
    /// The warm start point of <see cref="ConeWarmStart"/> for a previous (x, y, s): x̂ = x/E, ŝ = Ds, ẑ = σy/D, each
    /// cone's blocks of ŝ and ẑ moved along its unit element e by the shift that reaches the cone plus
    /// <paramref name="margin"/> (exponential cones: the margin doubled until both are interior), τ = 1, κ = μ.
    /// </summary>
    public static ItemPoint Create(KernelCone[] cones, double[] d, double[] e, double costScale, ReadOnlySpan<double> x,
        ReadOnlySpan<double> y, ReadOnlySpan<double> s, double margin)
    {
        int n = e.Length, m = d.Length;
        var point = new ItemPoint(n, m);
        for (int j = 0; j < n; j++) point.X[j] = x[j] / e[j];
        for (int i = 0; i < m; i++)
        {
            point.S[i] = d[i] * s[i];
            point.Z[i] = costScale * y[i] / d[i];
        }
        var unit = new double[m];
        foreach (var cone in cones)
        {
            var sBlock = point.S.AsSpan(cone.Offset, cone.Rows);
            var zBlock = point.Z.AsSpan(cone.Offset, cone.Rows);
            var direction = unit.AsSpan(cone.Offset, cone.Rows);
            cone.Unit(direction);
            if (cone.IsZero)
            {
                sBlock.Clear();
                continue;
            }
            if (cone is KernelExponentialCone exponential)
            {
                double theta = margin;
                var trialS = sBlock.ToArray();
                var trialZ = zBlock.ToArray();
                for (int k = 0; k < 60; k++, theta *= 2)
                {
                    for (int i = 0; i < cone.Rows; i++)
                    {
                        trialS[i] = sBlock[i] + theta * direction[i];
                        trialZ[i] = zBlock[i] + theta * direction[i];
                    }
                    if (exponential.InDomains(trialS, trialZ)) break;
                }
                trialS.CopyTo(sBlock);
                trialZ.CopyTo(zBlock);
                continue;
            }
            double shiftS = Math.Max(cone.InteriorShift(sBlock), 0) + margin, shiftZ = Math.Max(cone.InteriorShift(zBlock), 0) + margin;
            for (int i = 0; i < cone.Rows; i++)
            {
                sBlock[i] += shiftS * direction[i];
                zBlock[i] += shiftZ * direction[i];
            }
        }
        point.Tau = 1;
        point.Kappa = Math.Max(SpanKernels.Dot(point.S, point.Z) / Math.Max(cones.Sum(c => c.Degree), 1), margin * margin);
        return point;
    }

}
