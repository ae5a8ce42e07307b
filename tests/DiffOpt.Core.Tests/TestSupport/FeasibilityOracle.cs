using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Independent answers to "is this QP feasible, and is it bounded?", from <see cref="ReferenceQpSolver"/>:
/// the phase-1 linear program
/// <code>
///   minimize t   s.t.   Gz − t·1 ≤ h,   Az − b ≤ t·1,   −(Az − b) ≤ t·1,   −t ≤ 0
/// </code>
/// (feasible start z = 0 with t large) has optimal value t* = min_z max(‖(Gz − h)₊‖∞, ‖Az − b‖∞), zero exactly when
/// the QP is feasible; from its minimiser the reference then decides boundedness.
/// </summary>
internal static class FeasibilityOracle
{
    /// <summary>The least constraint violation t* and a point attaining it.</summary>
    public static (double Violation, Vector<double> Point) LeastViolation(QpInstance qp)
    {
        int n = qp.N;
        var minusOne = (int rows) => Matrix<double>.Build.Dense(rows, 1, -1.0);
        var g = qp.G.Append(minusOne(qp.M))
            .Stack(qp.A.Append(minusOne(qp.K)))
            .Stack((-qp.A).Append(minusOne(qp.K)))
            .Stack(Matrix<double>.Build.Dense(1, n + 1, (_, j) => j == n ? -1.0 : 0.0));
        var h = Vector<double>.Build.DenseOfEnumerable(qp.H.Concat(qp.B).Concat(-qp.B).Concat([0.0]));
        var phase1 = new QpInstance(Matrix<double>.Build.Dense(n + 1, n + 1), Vector<double>.Build.Dense(n + 1, j => j == n ? 1.0 : 0.0),
            g, h, QpInstance.Empty(n + 1), Vector<double>.Build.Dense(0));
        double start = 1 + new[] { 0.0 }.Concat(-qp.H).Concat(qp.B.PointwiseAbs()).Max();
        var result = ReferenceQpSolver.Solve(phase1, Vector<double>.Build.Dense(n + 1, j => j == n ? start : 0.0));
        return (result.X[n], result.X.SubVector(0, n));
    }

    /// <summary>True when the least violation is clearly positive (relative to the data).</summary>
    public static bool IsInfeasible(QpInstance qp) => LeastViolation(qp).Violation > 1e-7 * Scale(qp);

    /// <summary>True when the QP is feasible and the reference, started at a feasible point, finds a descent ray.</summary>
    public static bool IsUnbounded(QpInstance qp)
    {
        var (violation, point) = LeastViolation(qp);
        if (violation > 1e-10 * Scale(qp)) return false;
        return ReferenceQpSolver.Solve(qp, point).Unbounded;
    }

    private static double Scale(QpInstance qp) => 1 + Math.Max(KktCertificate.Norm(qp.H), KktCertificate.Norm(qp.B));
}
