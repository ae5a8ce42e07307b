using DiffOpt.Qp;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static DiffOpt.Tests.TestSupport.KktCertificate;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// Checks that every per-item status of a <see cref="QpSolution"/> tells the truth, by recomputing from the
/// returned tensors and the data actually passed (double precision):
/// <list type="bullet">
/// <item>Solved / Inaccurate: primal residual, dual residual and duality gap meet the contract of
/// <see cref="QpSolverOptions"/> (absolute tolerance, or relative tolerance × the largest term, at least 1; times
/// <see cref="QpSolverOptions.InaccurateToleranceFactor"/> for Inaccurate), λ ≥ 0, and the reported residuals
/// agree with the recomputed ones;</item>
/// <item>PrimalInfeasible: the returned duals are a Farkas certificate (λ ≥ 0, Aᵀν + Gᵀλ ≈ 0, bᵀν + hᵀλ &lt; 0);</item>
/// <item>DualInfeasible: the returned X is a descent ray (Qx ≈ 0, Ax ≈ 0, Gx ≤ ≈0, pᵀx &lt; 0);</item>
/// <item>every item: X, duals and residuals finite.</item>
/// </list>
/// Recomputation differs from the solver's own arithmetic by rounding, allowed for as 8·(n+m+k)·ε(dtype)·scale.
/// </summary>
internal static class StatusHonesty
{
    public static void AssertHonest(QpTensors args, QpSolution solution, QpSolverOptions? options = null)
    {
        options ??= QpSolverOptions.Default;
        var dtype = args.Q.dtype;
        bool single = dtype == torch.ScalarType.Float32;
        double abs = single ? options.Float32Tolerance : options.Tolerance;
        double rel = single ? options.Float32RelativeTolerance : options.RelativeTolerance;
        double infeasibility = single ? Math.Max(options.InfeasibilityTolerance, 1e-5) : options.InfeasibilityTolerance;
        double eps = single ? 1.1920929e-07 : 2.220446049250313e-16;

        Assert.Equal(dtype, solution.X.dtype);
        for (int i = 0; i < solution.BatchSize; i++)
        {
            var qp = args.Item(i);
            var item = SolutionItem.Of(solution, i);
            string where = $"(item {i}, status {item.Status})";
            AssertFinite(item, where);
            double roundoff = 8 * (qp.N + qp.M + qp.K + 1) * eps;
            switch (item.Status)
            {
                case QpStatus.Solved:
                    AssertResidualContract(qp, item, abs, rel, roundoff, where);
                    break;
                case QpStatus.Inaccurate:
                    AssertResidualContract(qp, item, abs * options.InaccurateToleranceFactor, rel * options.InaccurateToleranceFactor, roundoff, where);
                    break;
                case QpStatus.PrimalInfeasible:
                    AssertFarkasCertificate(qp, item, infeasibility, roundoff, where);
                    break;
                case QpStatus.DualInfeasible:
                    AssertDescentRay(qp, item, infeasibility, roundoff, where);
                    break;
            }
        }
    }

    private static void AssertResidualContract(QpInstance qp, SolutionItem s, double abs, double rel, double roundoff, string where)
    {
        var z = s.X;
        var gz = qp.G * z; var az = qp.A * z; var qz = qp.Q * z;
        var constraintForce = qp.G.TransposeThisAndMultiply(s.Lambda) + qp.A.TransposeThisAndMultiply(s.Nu);

        double primal = Math.Max(Norm(az - qp.B), Norm((gz - qp.H).PointwiseMaximum(0)));
        double primalScale = Max(1, Norm(az), Norm(qp.B), Norm(gz), Norm(qp.H), Norm(qp.H - gz) + primal);
        double dual = Norm(qz + qp.P + constraintForce);
        double dualScale = Max(1, Norm(qz), Norm(qp.P), Norm(constraintForce));
        double[] gapTerms = [z.DotProduct(qz), qp.P.DotProduct(z), qp.H.DotProduct(s.Lambda), qp.B.DotProduct(s.Nu)];
        double gap = Math.Abs(gapTerms.Sum());
        double gapScale = Max(1, gapTerms.Select(Math.Abs).ToArray());

        AssertWithin("primal residual", primal, abs, rel, primalScale, roundoff, where);
        AssertWithin("dual residual", dual, abs, rel, dualScale, roundoff, where);
        AssertWithin("duality gap", gap, abs, rel, gapScale, roundoff, where);
        Assert.True(s.Lambda.All(l => l >= 0), $"Negative inequality dual {where}: min λ = {(s.Lambda.Count == 0 ? 0 : s.Lambda.Minimum()):G3}");

        // The reported residuals are the same quantities (the primal one, with slacks, is an upper bound).
        Assert.True(s.PrimalResidual >= primal - roundoff * primalScale, $"Reported primal residual {s.PrimalResidual:G3} < recomputed {primal:G3} {where}");
        Assert.True(Math.Abs(s.DualResidual - dual) <= roundoff * dualScale, $"Reported dual residual {s.DualResidual:G3} ≠ recomputed {dual:G3} {where}");
        Assert.True(Math.Abs(s.DualityGap - gap) <= roundoff * gapScale, $"Reported gap {s.DualityGap:G3} ≠ recomputed {gap:G3} {where}");
    }

    private static void AssertWithin(string what, double value, double abs, double rel, double scale, double roundoff, string where)
    {
        double bound = Math.Max(abs, rel * scale) + roundoff * scale;
        Assert.True(value <= bound, $"{what} {value:G3} exceeds the tolerance contract {bound:G3} (abs {abs:G3}, rel {rel:G3}, scale {scale:G3}) {where}");
    }

    private static void AssertFarkasCertificate(QpInstance qp, SolutionItem s, double epsilon, double roundoff, string where)
    {
        double separation = -(qp.B.DotProduct(s.Nu) + qp.H.DotProduct(s.Lambda));
        double violation = Norm(qp.A.TransposeThisAndMultiply(s.Nu) + qp.G.TransposeThisAndMultiply(s.Lambda));
        double magnitude = Norm(qp.A.PointwiseAbs().TransposeThisAndMultiply(s.Nu.PointwiseAbs()) + qp.G.PointwiseAbs().TransposeThisAndMultiply(s.Lambda.PointwiseAbs()));
        Assert.True(s.Lambda.All(l => l >= 0), $"Farkas certificate with negative λ {where}");
        Assert.True(separation > 0, $"Farkas certificate without separation: −(bᵀν + hᵀλ) = {separation:G3} {where}");
        Assert.True(violation <= epsilon * separation + roundoff * magnitude,
            $"Farkas certificate violated: ‖Aᵀν + Gᵀλ‖ = {violation:G3} > ε·{separation:G3} {where}");
    }

    private static void AssertDescentRay(QpInstance qp, SolutionItem s, double epsilon, double roundoff, string where)
    {
        var x = s.X;
        double separation = -qp.P.DotProduct(x);
        double violation = Max(Norm(qp.Q * x), Norm(qp.A * x), Norm((qp.G * x).PointwiseMaximum(0)));
        double magnitude = Max(Norm(qp.Q.PointwiseAbs() * x.PointwiseAbs()), Norm(qp.A.PointwiseAbs() * x.PointwiseAbs()), Norm(qp.G.PointwiseAbs() * x.PointwiseAbs()));
        Assert.True(separation > 0, $"Unboundedness ray without descent: −pᵀx = {separation:G3} {where}");
        Assert.True(violation <= epsilon * separation + roundoff * magnitude,
            $"Unboundedness ray violated: max(‖Qx‖, ‖Ax‖, ‖(Gx)₊‖) = {violation:G3} > ε·{separation:G3} {where}");
    }

    private static void AssertFinite(SolutionItem s, string where)
    {
        Assert.True(s.X.Concat(s.Lambda).Concat(s.Nu).All(double.IsFinite), $"Non-finite X or duals {where}");
        Assert.True(double.IsFinite(s.PrimalResidual) && double.IsFinite(s.DualResidual) && double.IsFinite(s.DualityGap),
            $"Non-finite residuals {where}: {s.PrimalResidual}, {s.DualResidual}, {s.DualityGap}");
    }

    private static double Max(double first, params double[] rest) => rest.Length == 0 ? first : Math.Max(first, rest.Max());
}
