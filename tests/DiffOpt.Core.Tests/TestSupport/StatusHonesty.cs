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
/// <item>PrimalInfeasible / DualInfeasible: the problem really is infeasible / unbounded, decided independently by
/// <see cref="FeasibilityOracle"/> (<see cref="QpSolution"/> returns the last iterate, not the solver's certificate);</item>
/// <item>every item: X, duals and residuals finite.</item>
/// </list>
/// Recomputation differs from the solver's own arithmetic by rounding, allowed for as 8·(n+m+k)·ε(dtype)·scale.
/// </summary>
internal static class StatusHonesty
{
    /// <param name="args">The arguments as passed to the solver (residuals are recomputed with exactly these data).</param>
    /// <param name="solution">The solver's answer.</param>
    /// <param name="options">The options used (the defaults when null).</param>
    /// <param name="exact">
    /// The double-precision problems the arguments were rounded from, if any: infeasibility claims are judged on them
    /// (rounding to float32 can turn an unbounded problem into a bounded one with a huge solution, which the solver's
    /// relative certificate rightly calls unbounded).
    /// </param>
    public static void AssertHonest(QpTensors args, QpSolution solution, QpSolverOptions? options = null, IReadOnlyList<QpInstance>? exact = null)
    {
        options ??= QpSolverOptions.Default;
        var dtype = args.Q.dtype;
        bool single = dtype == torch.ScalarType.Float32;
        double abs = single ? options.Float32Tolerance : options.Tolerance;
        double rel = single ? options.Float32RelativeTolerance : options.RelativeTolerance;
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
                case SolverStatus.Solved:
                    AssertResidualContract(qp, item, abs, rel, roundoff, where);
                    break;
                case SolverStatus.Inaccurate:
                    AssertResidualContract(qp, item, abs * options.InaccurateToleranceFactor, rel * options.InaccurateToleranceFactor, roundoff, where);
                    break;
                case SolverStatus.PrimalInfeasible:
                    Assert.True(FeasibilityOracle.IsInfeasible(exact?[i] ?? qp), $"Reported primal infeasible, but the problem is feasible {where}");
                    break;
                case SolverStatus.DualInfeasible:
                    Assert.True(FeasibilityOracle.IsUnbounded(exact?[i] ?? qp), $"Reported unbounded, but the problem is not (feasible and bounded, or infeasible) {where}");
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

    private static void AssertFinite(SolutionItem s, string where)
    {
        Assert.True(s.X.Concat(s.Lambda).Concat(s.Nu).All(double.IsFinite), $"Non-finite X or duals {where}");
        Assert.True(double.IsFinite(s.PrimalResidual) && double.IsFinite(s.DualResidual) && double.IsFinite(s.DualityGap),
            $"Non-finite residuals {where}: {s.PrimalResidual}, {s.DualResidual}, {s.DualityGap}");
    }

    private static double Max(double first, params double[] rest) => rest.Length == 0 ? first : Math.Max(first, rest.Max());
}
