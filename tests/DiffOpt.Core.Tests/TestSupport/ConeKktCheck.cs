using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Relative optimality measures of (x, y, s) for  minimize cᵀx + ½xᵀPx  s.t.  Ax + s = b, s ∈ K  (SCS convention):
/// Px + Aᵀy + c = 0, Ax + s = b, s ∈ K, y ∈ K*, sᵀy = 0. Each is an ∞-norm over 1 + the size of its terms.
/// </summary>
/// <param name="Primal">‖Ax + s − b‖ / (1 + max(‖Ax‖, ‖s‖, ‖b‖)).</param>
/// <param name="Dual">‖Px + Aᵀy + c‖ / (1 + max(‖Px‖, ‖Aᵀy‖, ‖c‖)).</param>
/// <param name="Complementarity">|sᵀy| / (1 + |cᵀx + xᵀPx| + |bᵀy|).</param>
/// <param name="Gap">|cᵀx + xᵀPx + bᵀy| / (1 + |cᵀx + xᵀPx| + |bᵀy|): the duality gap.</param>
/// <param name="SCone">How far s is outside K, over 1 + ‖s‖ (a zero-cone row counts |sᵢ|).</param>
/// <param name="YDualCone">How far y is outside K*, over 1 + ‖y‖ (zero-cone rows are free).</param>
internal sealed record ConeKktResiduals(double Primal, double Dual, double Complementarity, double Gap, double SCone, double YDualCone)
{
    /// <summary>The largest of the measures.</summary>
    public double Worst => new[] { Primal, Dual, Complementarity, Gap, SCone, YDualCone }.Max();
}

/// <summary>KKT conditions and infeasibility certificates of cone programs in our (SCS) convention, written independently of the solver.</summary>
internal static class ConeKktCheck
{
    /// <summary>The relative KKT measures of (x, y, s) for the problem of <paramref name="problem"/>.</summary>
    public static ConeKktResiduals Residuals(ConeReferenceCase problem, double[] x, double[] y, double[] s)
    {
        var ax = Multiply(problem.A, x);
        var aty = MultiplyTransposed(problem.A, y);
        var px = problem.P is null ? new double[x.Length] : Multiply(problem.P, x);
        var primal = ax.Select((v, i) => v + s[i] - problem.B[i]).ToArray();
        var dual = px.Select((v, j) => v + aty[j] + problem.C[j]).ToArray();
        double quadratic = Dot(problem.C, x) + Dot(x, px), by = Dot(problem.B, y);
        double scale = 1 + Math.Abs(quadratic) + Math.Abs(by);
        return new ConeKktResiduals(
            Norm(primal) / (1 + Max(Norm(ax), Norm(s), Norm(problem.B))),
            Norm(dual) / (1 + Max(Norm(px), Norm(aty), Norm(problem.C))),
            Math.Abs(Dot(s, y)) / scale,
            Math.Abs(quadratic + by) / scale,
            ConeViolation(problem.Cones, s, dual: false) / (1 + Norm(s)),
            ConeViolation(problem.Cones, y, dual: true) / (1 + Norm(y)));
    }

    /// <summary>
    /// The largest violation of v ∈ K (or v ∈ K* when <paramref name="dual"/>): −vᵢ on nonnegative rows, ‖u‖ − t on a
    /// second-order block (t, u), −λ_min(smat(v)) on a PSD block, |vᵢ| on zero-cone rows of a primal vector; 0 inside.
    /// </summary>
    public static double ConeViolation(IReadOnlyList<ReferenceCone> cones, double[] v, bool dual)
    {
        double worst = 0;
        int row = 0;
        foreach (var cone in cones)
        {
            var block = v.AsSpan(row, cone.Rows).ToArray();
            double violation = cone.Type switch
            {
                "zero" => dual ? 0 : Norm(block),
                "nonnegative" => -block.DefaultIfEmpty(0).Min(),
                "soc" => Math.Sqrt(block.Skip(1).Sum(u => u * u)) - block[0],
                "psd" => -SmallestEigenvalue(Smat(block, cone.Size)),
                _ => throw new InvalidDataException($"unknown cone type '{cone.Type}'"),
            };
            worst = Math.Max(worst, violation);
            row += cone.Rows;
        }
        if (row != v.Length) throw new ArgumentException($"the cones have {row} rows, the vector {v.Length}");
        return worst;
    }

    /// <summary>The symmetric k×k matrix of an svec vector (lower triangle column by column, off-diagonal entries times √2).</summary>
    public static double[,] Smat(double[] svec, int order)
    {
        if (svec.Length != order * (order + 1) / 2) throw new ArgumentException($"svec of order {order} has {order * (order + 1) / 2} entries, not {svec.Length}");
        var matrix = new double[order, order];
        int r = 0;
        for (int j = 0; j < order; j++)
            for (int i = j; i < order; i++, r++)
                matrix[i, j] = matrix[j, i] = i == j ? svec[r] : svec[r] / Math.Sqrt(2);
        return matrix;
    }

    /// <summary>The smallest eigenvalue of a symmetric matrix (MathNet's symmetric eigensolver).</summary>
    public static double SmallestEigenvalue(double[,] symmetric) =>
        Matrix<double>.Build.DenseOfArray(symmetric).Evd(Symmetricity.Symmetric).EigenValues.Min(e => e.Real);

    /// <summary>A·v.</summary>
    public static double[] Multiply(double[,] a, double[] v)
    {
        var result = new double[a.GetLength(0)];
        for (int i = 0; i < result.Length; i++)
            for (int j = 0; j < v.Length; j++) result[i] += a[i, j] * v[j];
        return result;
    }

    /// <summary>Aᵀ·v.</summary>
    public static double[] MultiplyTransposed(double[,] a, double[] v)
    {
        var result = new double[a.GetLength(1)];
        for (int i = 0; i < v.Length; i++)
            for (int j = 0; j < result.Length; j++) result[j] += a[i, j] * v[i];
        return result;
    }

    /// <summary>uᵀv.</summary>
    public static double Dot(double[] u, double[] v) => u.Zip(v, (a, b) => a * b).Sum();

    /// <summary>‖v‖∞ (0 for an empty vector).</summary>
    public static double Norm(IEnumerable<double> v) => v.Select(Math.Abs).DefaultIfEmpty(0).Max();

    /// <summary>The largest |aᵢⱼ|.</summary>
    public static double Norm(double[,] a) => Norm(a.Cast<double>());

    private static double Max(params double[] values) => values.Max();
}
