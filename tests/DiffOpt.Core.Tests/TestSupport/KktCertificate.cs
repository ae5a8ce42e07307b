using MathNet.Numerics.LinearAlgebra;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Optimality certificate of a primal-dual point (z, λ, ν) of  minimize ½zᵀQz + pᵀz  s.t.  Gz ≤ h, Az = b, in
/// the manner of cvxpy's SolverTestHelper: primal feasibility, dual feasibility (λ ≥ 0), complementarity and
/// stationarity of the Lagrangian ½zᵀQz + pᵀz + λᵀ(Gz − h) + νᵀ(Az − b). Each measure is relative: divided
/// by 1 + the largest magnitude among the terms it is made of. Together they prove z optimal (convexity).
/// </summary>
internal sealed record KktCertificate(double PrimalFeasibility, double DualFeasibility, double Complementarity, double Stationarity)
{
    public double Worst => new[] { PrimalFeasibility, DualFeasibility, Complementarity, Stationarity }.Max();

    public static KktCertificate Evaluate(QpInstance qp, Vector<double> z, Vector<double> lambda, Vector<double> nu)
    {
        var gz = qp.G * z;
        var az = qp.A * z;
        var qz = qp.Q * z;
        var gTl = qp.G.TransposeThisAndMultiply(lambda);
        var aTn = qp.A.TransposeThisAndMultiply(nu);

        double primal = Math.Max(Norm(az - qp.B), Norm((gz - qp.H).PointwiseMaximum(0.0)))
                        / (1 + Max(Norm(az), Norm(qp.B), Norm(gz), Norm(qp.H)));
        double dual = Norm((-lambda).PointwiseMaximum(0.0)) / (1 + Norm(lambda));
        double complementarity = Norm(lambda.PointwiseMultiply(qp.H - gz)) / (1 + Norm(lambda) * Max(Norm(qp.H), Norm(gz)));
        double stationarity = Norm(qz + qp.P + gTl + aTn) / (1 + Max(Norm(qz), Norm(qp.P), Norm(gTl), Norm(aTn)));
        return new KktCertificate(primal, dual, complementarity, stationarity);
    }

    /// <summary>Asserts that every measure is at most <paramref name="tolerance"/>.</summary>
    public void AssertHolds(double tolerance, string context = "")
    {
        Assert.True(Worst <= tolerance, $"KKT certificate fails at tolerance {tolerance:G3} {context}: {this}");
    }

    /// <summary>∞-norm; 0 for an empty vector.</summary>
    public static double Norm(Vector<double> v) => v.Count == 0 ? 0.0 : v.InfinityNorm();

    private static double Max(params double[] values) => values.Max();
}
