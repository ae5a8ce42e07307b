using System.Diagnostics;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.MarosMeszaros;

/// <summary>Solves one Maros-Meszaros problem in this process (batch of 1, float64) and judges it by the README.</summary>
public static class ProblemRunner
{
    /// <summary>Solver settings of a run.</summary>
    /// <param name="Tolerance">Absolute tolerance, handed to the solver and used to judge success.</param>
    /// <param name="MaxIterations">Solver iteration limit.</param>
    /// <param name="TimeLimit">Seconds; a slower solve is a failure.</param>
    public sealed record Settings(double Tolerance, int MaxIterations, double TimeLimit);

    /// <summary>
    /// Solves a tiny QP once so that JIT compilation and libtorch's lazy set-up are not charged to the first problem.
    /// </summary>
    public static void WarmUp()
    {
        using var scope = NewDisposeScope();
        var q = eye(2, dtype: ScalarType.Float64);
        var p = tensor(new[] { 1.0, 1.0 }, dtype: ScalarType.Float64);
        var g = tensor(new[] { 1.0, 0.0 }, dtype: ScalarType.Float64).view(1, 2);
        var h = tensor(new[] { 1.0 }, dtype: ScalarType.Float64);
        var a = tensor(new[] { 1.0, 1.0 }, dtype: ScalarType.Float64).view(1, 2);
        var b = tensor(new[] { 0.0 }, dtype: ScalarType.Float64);
        new QpSolver().Solve(q, p, g, h, a, b);
    }

    /// <summary>
    /// Converts the problem (bounds as rows of G), solves it with <c>Tolerance = tol, RelativeTolerance = 0</c>, maps
    /// the duals back and computes the README residuals. The time covers building the tensors, the solve and
    /// reading the solution back.
    /// </summary>
    public static ProblemResult Solve(MarosMeszarosProblem problem, Settings settings)
    {
        var dense = BoxedDenseQp.From(problem);
        var options = new QpSolverOptions
        {
            Tolerance = settings.Tolerance,
            RelativeTolerance = 0,
            MaxIterations = settings.MaxIterations,
        };
        var result = new ProblemResult
        {
            Name = problem.Name, N = problem.N, M = dense.InequalityRows, P = dense.EqualityRows, Status = "Error",
        };

        QpSolution solution;
        double[] x, stackedZ, stackedY;
        var watch = Stopwatch.StartNew();
        try
        {
            using var scope = NewDisposeScope();
            solution = SolveDense(dense, options);
            x = Values(solution.X);
            stackedZ = Values(solution.InequalityDuals);
            stackedY = Values(solution.EqualityDuals);
        }
        catch (Exception e)
        {
            // Any failure of the solve (bad data, native error) is recorded against the problem; the run goes on.
            return result with { Seconds = watch.Elapsed.TotalSeconds, Message = $"{e.GetType().Name}: {e.Message}" };
        }
        double seconds = watch.Elapsed.TotalSeconds;

        var (z, y, zBox) = dense.SplitDuals(stackedZ, stackedY);
        var residuals = QpbenchmarkResiduals.Compute(problem, x, z, y, zBox);
        var status = solution.Status[0];
        bool meets = residuals.Meet(settings.Tolerance);
        return result with
        {
            Status = status.ToString(),
            Iterations = solution.Iterations[0],
            Seconds = seconds,
            PrimalResidual = residuals.Primal,
            DualResidual = residuals.Dual,
            DualityGap = residuals.Gap,
            PrimalTermScale = residuals.PrimalTermScale,
            DualTermScale = residuals.DualTermScale,
            GapTermScale = residuals.GapTermScale,
            Success = meets && seconds <= settings.TimeLimit,
            Dishonest = status == SolverStatus.Solved && !meets,
            SolverPrimalResidual = solution.PrimalResidual[0],
            SolverDualResidual = solution.DualResidual[0],
            SolverDualityGap = solution.DualityGap[0],
            X = x,
            Z = z,
            Y = y,
            ZBox = zBox,
        };
    }

    private static QpSolution SolveDense(BoxedDenseQp qp, QpSolverOptions options)
    {
        long n = qp.N;
        var q = tensor(qp.P, [n, n], ScalarType.Float64);
        var p = tensor(qp.Q, [n], ScalarType.Float64);
        Tensor? g = null, h = null, a = null, b = null;
        if (qp.InequalityRows > 0)
        {
            g = tensor(qp.G, [qp.InequalityRows, n], ScalarType.Float64);
            h = tensor(qp.H, [qp.InequalityRows], ScalarType.Float64);
        }
        if (qp.EqualityRows > 0)
        {
            a = tensor(qp.A, [qp.EqualityRows, n], ScalarType.Float64);
            b = tensor(qp.B, [qp.EqualityRows], ScalarType.Float64);
        }
        var solution = new QpSolver(options).Solve(q, p, g, h, a, b);
        return solution;
    }

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().reshape(-1).data<double>().ToArray();
}
