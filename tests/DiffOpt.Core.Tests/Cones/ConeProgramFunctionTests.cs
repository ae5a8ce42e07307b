using DiffOpt.Cones;
using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones;

/// <summary>
/// <see cref="ConeProgramFunction"/>'s gradients against central differences of re-solved programs, and the derivative
/// handle of <see cref="ConeProgramSolver.SolveWithDerivative"/>: the adjoint identity, zero derivative for unsolved items.
/// </summary>
public class ConeProgramFunctionTests(ITestOutputHelper output)
{
    /// <summary>Central-difference step; the re-solves are exact to ~1e-13 on these sharp (orthant) programs.</summary>
    private const double Step = 1e-5;

    private static readonly ConeProgramSolverOptions Tight = new() { Tolerance = 1e-12, RelativeTolerance = 1e-12 };

    /// <summary>A QP over a zero and a nonnegative cone, n = 5 ≥ the 5 active rows, so the solution map is smooth there.</summary>
    private static ConeProgramPoint Point() =>
        PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(6)], variables: 5, batch: 2, seed: 21, sharedA: true, sharedP: true);

    [Fact]
    public void ConcurrentCalls_GiveTheGradientsOfASequentialCall()
    {
        // Calls from several threads at once (ML.NET prediction engines, parallel training) share only the kernel's
        // workspace pool and libtorch: each must get the gradients a call alone gets.
        var point = PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(6)], variables: 5, batch: 2, seed: 22);
        var weights = Random(point.X, new Random(4));
        Tensor[] Gradients()
        {
            using var scope = NewDisposeScope();
            Tensor[] l = [point.A.detach().clone().requires_grad_(true), point.B.detach().clone().requires_grad_(true),
                point.C.detach().clone().requires_grad_(true), point.P!.detach().clone().requires_grad_(true)];
            (weights * ConeProgramFunction.Apply(l[0], l[1], l[2], point.Cones, l[3], Tight).X).sum().backward();
            return l.Select(t => t.grad!.detach().clone().MoveToOuterDisposeScope()).ToArray();
        }
        var expected = Gradients();
        var results = new Tensor[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Gradients());
        // Relative to the largest gradient entry: c's gradient is at rounding level here (about 1e-16), and threads may
        // round differently (MKL), so each gradient's own scale would turn that noise into a large relative error.
        double scale = expected.Max(g => g.abs().max().item<double>());
        for (int i = 0; i < 8; i++)
            for (int k = 0; k < 4; k++)
            {
                double error = (results[i][k] - expected[k]).abs().max().item<double>() / scale;
                output.WriteLine($"call {i} input {k}: {error:E2}");
                Assert.True(error < 1e-9, $"call {i} input {k}: {error:E2}");
            }
    }

    [Fact]
    public void LeafGradients_AreExactlyThoseAutogradGradReturns_AndAccumulate()
    {
        // Apply hands views of its arguments to autograd (GradientHandOff), so that leaves take the gradients without a
        // copy: what the leaves receive must still be exactly the gradients, and a second pass must add to them.
        var point = PlantedConePrograms.Plant([new ZeroCone(2), new NonnegativeCone(6)], variables: 5, batch: 2, seed: 22);
        var random = new Random(4);
        var weights = Random(point.X, random);
        Tensor[] Leaves() => [point.A.detach().clone().requires_grad_(true), point.B.detach().clone().requires_grad_(true),
            point.C.detach().clone().requires_grad_(true), point.P!.detach().clone().requires_grad_(true)];
        Tensor Loss(Tensor[] l) => (weights * ConeProgramFunction.Apply(l[0], l[1], l[2], point.Cones, l[3], Tight).X).sum();

        var leaves = Leaves();
        var expected = autograd.grad(new List<Tensor> { Loss(leaves) }, leaves);
        var accumulated = Leaves();
        Loss(accumulated).backward();
        var once = accumulated.Select(l => l.grad!.detach().clone()).ToArray();
        Loss(accumulated).backward();
        // Each call solves again, and the dense KKT path's MKL calls round by buffer alignment (see
        // SparseProgramRouteTests), so separate solves agree to rounding, not bitwise; a lost or doubled hand-off would
        // be off by the gradient itself.
        double scale = expected.Max(g => g.abs().max().item<double>()); // c's gradient is at rounding level here
        double Relative(Tensor a, Tensor b) => (a - b).abs().max().item<double>() / scale;
        for (int i = 0; i < leaves.Length; i++)
        {
            output.WriteLine($"input {i}: one pass {Relative(once[i], expected[i]):E2}, two {Relative(accumulated[i].grad!, expected[i].Times(2.0)):E2}");
            Assert.True(Relative(once[i], expected[i]) < 1e-9, $"input {i}: leaf gradient differs from autograd.grad");
            Assert.True(Relative(accumulated[i].grad!, expected[i].Times(2.0)) < 1e-9, $"input {i}: two passes");
        }
    }

    [Theory]
    [InlineData("A")]
    [InlineData("b")]
    [InlineData("c")]
    [InlineData("P")]
    public void Backward_MatchesCentralDifferences_ForEachInput(string argument)
    {
        var point = Point();
        var random = new Random(3);
        var (wx, wy, ws) = (Random(point.X, random), Random(point.Y, random), Random(point.S, random));
        double Loss(Tensor a, Tensor b, Tensor c, Tensor p)
        {
            using var _ = no_grad();
            var (x, y, s) = ConeProgramFunction.Apply(a, b, c, point.Cones, p, Tight);
            return (wx * x).sum().Plus((wy * y).sum()).Plus((ws * s).sum()).item<double>();
        }

        var inputs = new Dictionary<string, Tensor> { ["A"] = point.A, ["b"] = point.B, ["c"] = point.C, ["P"] = point.P! }
            .ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().requires_grad_(kv.Key == argument));
        var (xs, ys, ss) = ConeProgramFunction.Apply(inputs["A"], inputs["b"], inputs["c"], point.Cones, inputs["P"], Tight);
        (wx * xs).sum().Plus((wy * ys).sum()).Plus((ws * ss).sum()).backward();
        foreach (var (name, input) in inputs)
            Assert.True(name == argument ? input.grad is not null : input.grad is null, $"{name}: gradient presence");
        var gradient = inputs[argument].grad!;
        Assert.Equal(inputs[argument].shape, gradient.shape);

        var direction = Random(inputs[argument], random);
        if (argument == "P") direction = direction.Plus(direction.transpose(-1, -2));
        double analytic = (gradient * direction).sum().item<double>();
        Tensor Shift(string name, double t) => name == argument ? inputs[name].detach().Plus(direction.Times(t)) : inputs[name].detach();
        double numeric = (Loss(Shift("A", Step), Shift("b", Step), Shift("c", Step), Shift("P", Step))
            - Loss(Shift("A", -Step), Shift("b", -Step), Shift("c", -Step), Shift("P", -Step))) / (2 * Step);
        double error = Math.Abs(analytic - numeric) / Math.Max(1e-3, Math.Abs(numeric));
        output.WriteLine($"{argument}: analytic {analytic:G12}, central difference {numeric:G12}, relative error {error:E2}");
        Assert.True(error <= 1e-5, $"{argument}: relative error {error:E2}");
    }

    [Fact]
    public void Derivative_SatisfiesTheAdjointIdentity()
    {
        var point = Point();
        var (solution, derivative) = new ConeProgramSolver(Tight).SolveWithDerivative(point.A, point.B, point.C, point.Cones, point.P);
        Assert.True(solution.AllSolved);
        var random = new Random(5);
        var (dA, db, dc, dP) = (Random(point.A, random), Random(point.B, random), Random(point.C, random), Random(point.P!, random));
        dP = dP.Plus(dP.T);
        var (vx, vy, vs) = (Random(point.X, random), Random(point.Y, random), Random(point.S, random));
        var (dx, dy, ds) = derivative.Forward(dA, db, dc, dP);
        var (gA, gb, gc, gP) = derivative.Adjoint(vx, vy, vs);
        double left = (gA * dA).sum().item<double>() + (gb * db).sum().item<double>() + (gc * dc).sum().item<double>() + (gP! * dP).sum().item<double>();
        double right = (vx * dx).sum().item<double>() + (vy * dy).sum().item<double>() + (vs * ds).sum().item<double>();
        output.WriteLine($"⟨Adjoint(v), d⟩ = {left:G15}, ⟨v, Forward(d)⟩ = {right:G15}");
        Assert.True(Math.Abs(left - right) <= 1e-10 * Math.Max(1, Math.Abs(left)));
    }

    [Fact]
    public void Adjoint_SumsTheGradientOverTheBatch_ForVectorsGivenWithoutABatchDimension()
    {
        var point = Point();
        var b = point.B[0];
        var c = point.C[0];
        var batchedA = point.A.unsqueeze(0).expand(2, -1, -1).contiguous();
        var (_, shared) = new ConeProgramSolver(Tight).SolveWithDerivative(batchedA, b, c, point.Cones, point.P);
        var (_, batched) = new ConeProgramSolver(Tight).SolveWithDerivative(batchedA, b.expand(2, -1), c.expand(2, -1), point.Cones, point.P);
        var random = new Random(8);
        var gx = Random(zeros(2, point.Variables, dtype: ScalarType.Float64), random);
        var (_, gb, gc, _) = shared.Adjoint(gx, null, null);
        var (_, gbBatched, gcBatched, _) = batched.Adjoint(gx, null, null);
        Assert.Equal(new[] { point.Rows }, gb.shape);
        Assert.Equal(new[] { point.Variables }, gc.shape);
        Assert.True((gb - gbBatched.sum(dim: 0)).abs().max().item<double>() <= 1e-12);
        Assert.True((gc - gcBatched.sum(dim: 0)).abs().max().item<double>() <= 1e-12);
    }

    [Fact]
    public void Backward_GivesZeroGradient_ToAnItemThatIsNotSolved()
    {
        var problem = ConeReferenceCases.Get("lp_primal_infeasible");
        var (a, b, c, _) = ConeReferenceTensors.Data(problem);
        var point = PlantedConePrograms.Plant(ConeReferenceTensors.Cones(problem), variables: problem.Variables, batch: 1, seed: 9);
        var bs = stack([b, (point.B[0] - point.A[0].matmul(point.X[0])).Plus(a.matmul(point.X[0]))]).requires_grad_(true);
        var cs = stack([c, -a.T.matmul(point.Y[0])]);
        var (x, _, _) = ConeProgramFunction.Apply(a, bs, cs, point.Cones, null, Tight);
        x.sum().backward();
        var status = new ConeProgramSolver(Tight).Solve(a, bs.detach(), cs, point.Cones).Status;
        Assert.Equal([SolverStatus.PrimalInfeasible, SolverStatus.Solved], status);
        Assert.Equal(0, bs.grad![0].abs().max().item<double>());
        Assert.True(bs.grad[1].abs().max().item<double>() > 0);
    }

    private static Tensor Random(Tensor like, Random random) =>
        tensor(Enumerable.Range(0, (int)like.numel()).Select(_ => random.NextDouble() * 2 - 1).ToArray(), like.shape, like.dtype);
}
