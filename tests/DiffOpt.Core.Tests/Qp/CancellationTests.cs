using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Qp;

/// <summary>Solves inside a <see cref="SolveCancellation"/> scope stop between iterations once its token is canceled.</summary>
public class CancellationTests
{
    [Fact]
    public void Solve_Throws_WhenTheScopeIsAlreadyCanceled()
    {
        var args = QpTensors.Single(new ProblemGenerator(81).Feasible(6, 5, 1).Problem);
        using var source = new CancellationTokenSource();
        source.Cancel();

        using (SolveCancellation.Scope(source.Token))
            Assert.Throws<OperationCanceledException>(() => args.Solve());
        Assert.Equal(SolverStatus.Solved, args.Solve().Status[0]); // outside the scope, solves run as usual
    }

    [Fact]
    public void ConeSolve_Throws_WhenTheScopeIsAlreadyCanceled()
    {
        // minimize 1ᵀx subject to x ≥ 0 (A = −I, b = 0): solved at x = 0 outside the scope.
        var (a, b, c) = (-eye(3, dtype: ScalarType.Float64), zeros(3, dtype: ScalarType.Float64), ones(3, dtype: ScalarType.Float64));
        var cones = new DiffOpt.Cones.Cone[] { new DiffOpt.Cones.NonnegativeCone(3) };
        using var source = new CancellationTokenSource();
        source.Cancel();

        using (SolveCancellation.Scope(source.Token))
            Assert.Throws<OperationCanceledException>(() => new DiffOpt.Cones.ConeProgramSolver().Solve(a, b, c, cones));
        Assert.Equal(SolverStatus.Solved, new DiffOpt.Cones.ConeProgramSolver().Solve(a, b, c, cones).Status[0]);
    }

    [Fact]
    public void Apply_Throws_WhenCanceledDuringALongSolve()
    {
        // A batch that takes seconds to solve, canceled 20 ms in: the solve stops at its next iteration (it would
        // otherwise return normally, long after the cancellation).
        var random = new ProblemGenerator(82);
        var args = QpTensors.Stack(Enumerable.Range(0, 192).Select(_ => random.Feasible(150, 150, 20).Problem).ToList()).Leaves(QpArg.P);
        using var source = new CancellationTokenSource();
        var canceller = new Thread(() => { Thread.Sleep(20); source.Cancel(); });

        using (SolveCancellation.Scope(source.Token))
        {
            canceller.Start();
            Assert.ThrowsAny<OperationCanceledException>(() => args.Apply());
        }
        canceller.Join();
    }
}
