using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ScalarRace;

/// <summary>
/// <c>scalar-race --seconds S [--tensor-path] [--no-collector]</c>: a stress run for the TorchSharp 0.107 scalar race
/// (docs/guides/concepts.md, "Known issue"). One thread solves and differentiates a fixed QP batch and a fixed cone
/// program batch again and again while a second thread forces a collection and runs the pending finalisers without
/// pause, so that any temporary <see cref="Scalar"/> passed to libtorch during a native call is freed under it.
/// Every round's answers are compared with the first round's (taken before the collector starts): a libtorch
/// exception or an answer that moved by more than 1e-4 counts as a failure (rounding alone moves the cone program's
/// answers by a few 1e-6 between rounds: MKL rounds by buffer alignment, and an interior point stopped at gap 1e-8 on
/// the exponential cone is only that close to the optimum). Exit code 1 when any round failed.
/// </summary>
public static class ScalarRaceCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "How long to run.", DefaultValueFactory = _ => 30 };
        var tensorPath = new Option<bool>("--tensor-path") { Description = "Use the batched tensor forms (as on CUDA), not the CPU kernels." };
        var noCollector = new Option<bool>("--no-collector") { Description = "Run without the collecting thread (the control)." };
        var command = new Command("scalar-race", "Solve repeatedly while another thread collects garbage without pause; count failures.")
        {
            seconds, tensorPath, noCollector,
        };
        command.SetAction(parse => Run(parse.GetValue(seconds), parse.GetValue(tensorPath), !parse.GetValue(noCollector)));
        return command;
    }

    private static int Run(double seconds, bool tensorPath, bool collect)
    {
        KernelSwitch.TensorPathOnly = tensorPath;
        manual_seed(5);
        var qp = QpBatch();
        var cone = ConeBatch();
        var reference = Round(qp, cone);
        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        })
        { IsBackground = true };
        if (collect) collector.Start();
        int rounds = 0, exceptions = 0, wrong = 0;
        var largestMove = new double[reference.Length];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            rounds++;
            try
            {
                var answers = Round(qp, cone);
                var moves = answers.Zip(reference, (a, r) => (a - r).abs().max().item<double>()).ToArray();
                double moved = moves.Max();
                for (int i = 0; i < moves.Length; i++) largestMove[i] = Math.Max(largestMove[i], moves[i]);
                if (!(moved <= 1e-4))
                {
                    wrong++;
                    Console.WriteLine($"round {rounds}: an answer moved by {moved:E2}");
                }
            }
            catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
            {
                exceptions++;
                Console.WriteLine($"round {rounds}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }
        stop.Cancel();
        if (collect) collector.Join();
        Console.WriteLine($"scalar-race: {rounds} rounds in {clock.Elapsed.TotalSeconds:F0} s on the {(tensorPath ? "tensor path" : "CPU kernels")}, " +
            $"{Interlocked.Read(ref collections)} forced collections; {exceptions} exceptions, {wrong} rounds with a moved answer");
        Console.WriteLine($"largest moves (QP z, QP dp, cone x, cone dc): {string.Join(", ", largestMove.Select(v => v.ToString("E1")))}");
        return exceptions + wrong == 0 ? 0 : 1;
    }

    private sealed record Qp(Tensor Q, Tensor P, Tensor G, Tensor H, Tensor A, Tensor B);

    private sealed record ConeBatchData(Tensor A, Tensor B, Tensor C, Tensor P, IReadOnlyList<Cone> Cones);

    /// <summary>A strictly convex, feasible batch as in the warm-start command: Q = LLᵀ/n + 0.1 I, h = G z₀ + slack, b = A z₀.</summary>
    private static Qp QpBatch()
    {
        const int batch = 32, n = 20, m = 30, k = 5;
        var l = randn(batch, n, n, dtype: ScalarType.Float64);
        var q = l.bmm(l.mT).DividedBy(n).Plus(eye(n, dtype: ScalarType.Float64).Times(0.1));
        var z0 = randn(batch, n, dtype: ScalarType.Float64);
        var g = randn(batch, m, n, dtype: ScalarType.Float64);
        var h = g.bmm(z0.unsqueeze(-1)).squeeze(-1).Plus(rand(batch, m, dtype: ScalarType.Float64));
        var a = randn(batch, k, n, dtype: ScalarType.Float64);
        return new Qp(q, randn(batch, n, dtype: ScalarType.Float64), g, h, a, a.bmm(z0.unsqueeze(-1)).squeeze(-1));
    }

    /// <summary>minimise ½‖x‖² + cᵀx subject to x in a second-order cone and two exponential cones (x = projection of −c).</summary>
    private static ConeBatchData ConeBatch()
    {
        const int batch = 16, n = 10;
        var cones = new Cone[] { new SecondOrderCone(4), new ExponentialCone(2) };
        var a = eye(n, dtype: ScalarType.Float64).Times(-1.0);
        return new ConeBatchData(a, zeros(batch, n, dtype: ScalarType.Float64), randn(batch, n, dtype: ScalarType.Float64),
            eye(n, dtype: ScalarType.Float64), cones);
    }

    /// <summary>One round: the QP layer forward and backward, then the cone program with its adjoint.</summary>
    private static Tensor[] Round(Qp qp, ConeBatchData cone)
    {
        using var scope = NewDisposeScope();
        var p = qp.P.detach().requires_grad_(true);
        var z = QpFunction.Apply(qp.Q, p, qp.G, qp.H, qp.A, qp.B);
        z.sum().backward();
        var (solution, derivative) = new ConeProgramSolver().SolveWithDerivative(cone.A, cone.B, cone.C, cone.Cones, cone.P);
        var gradients = derivative.Adjoint(ones_like(solution.X), null, null);
        return new[] { z.detach(), p.grad!, solution.X, gradients.C }.Select(t => t.clone().MoveToOuterDisposeScope()).ToArray();
    }
}
