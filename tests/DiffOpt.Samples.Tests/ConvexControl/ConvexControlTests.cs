using ConvexControl.Control;
using DiffOpt.Native;
using DiffOpt.Samples.Tests.Common;
using static TorchSharp.torch;
using Program = ConvexControl.Program;

namespace DiffOpt.Samples.Tests.ConvexControl;

[Collection(ConsoleCollection.Name)]
public class ConvexControlTests
{
    [Fact]
    public void TheRiccatiSolution_SatisfiesTheEquation()
    {
        var s = LinearSystem.Generate(seed: 1);
        var p = s.RiccatiSolution();
        var gain = linalg.solve(s.R.Plus(s.B.t().matmul(p).matmul(s.B)), s.B.t().matmul(p).matmul(s.A));
        var residual = s.Q.Plus(s.A.t().matmul(p).matmul(s.A)) - s.A.t().matmul(p).matmul(s.B).matmul(gain) - p;
        Assert.True(residual.abs().max().item<double>() < 1e-8 * p.abs().max().item<double>());
    }

    [Fact]
    public void TheLqrInitialisedPolicy_IsTheLqrControl_InsideTheBall()
    {
        // With P_sqrt = (R + BᵀPB)^½, P₂₁ = AᵀPB, q = 0 the unconstrained minimiser is u = −(R + BᵀPB)⁻¹BᵀPA x.
        var s = LinearSystem.Generate(seed: 1);
        using var policy = new AdpPolicy(s.N, s.M);
        var parameters = PolicyParameters.Lqr(s);
        var p = s.RiccatiSolution();
        using var noGrad = no_grad();
        var gain = linalg.solve(s.R.Plus(s.B.t().matmul(p).matmul(s.B)), s.B.t().matmul(p).matmul(s.A));
        var x = tensor(new double[] { 3, -2, -5, 4 }, [2, 2], ScalarType.Float64);
        x = x.Times(0.6 / gain.matmul(x.t()).norm(0).max().item<double>()); // the LQR controls then have norm ≤ 0.6 < 1
        var expected = -gain.matmul(x.t()).t();
        var u = policy.Act(x, parameters);
        Assert.True((u - expected).abs().max().item<double>() < 1e-5, $"max difference {(u - expected).abs().max().item<double>()}");
    }

    [Fact]
    public void TheBallConstraint_BindsForLargeStates()
    {
        var s = LinearSystem.Generate(seed: 1);
        using var policy = new AdpPolicy(s.N, s.M);
        using var noGrad = no_grad();
        var u = policy.Act(tensor(new double[] { 400, -300 }, [1, 2], ScalarType.Float64), PolicyParameters.Lqr(s));
        Assert.True(Math.Abs(u.norm().item<double>() - 1) < 1e-5);
    }

    [Fact]
    public void TheRolloutCostGradient_AgreesWithCentralDifferences()
    {
        var s = LinearSystem.Generate(seed: 2);
        using var policy = new AdpPolicy(s.N, s.M);
        var parameters = PolicyParameters.Lqr(s);
        // Move q so that the ball constraint is active on some steps and the cost depends on q visibly.
        using (no_grad()) parameters.Q.PlusInPlace(tensor(new double[] { 0.3, -0.2, 0.1 }, ScalarType.Float64));
        var noise = randn([2, 4, s.N], dtype: ScalarType.Float64, generator: new Generator(7)).Times(20L);
        parameters.Q.requires_grad_(true);
        var cost = RolloutTraining.AverageCost(s, policy, parameters, noise);
        cost.backward();
        var gradient = parameters.Q.grad!.clone();
        const double h = 1e-4;
        using var noGrad = no_grad();
        for (int j = 0; j < s.M; j++)
        {
            var step = zeros(s.M, dtype: ScalarType.Float64);
            step[j] = h;
            double Cost(Tensor q) => RolloutTraining.AverageCost(s, policy, parameters with { Q = q }, noise).item<double>();
            double fd = (Cost(parameters.Q.Plus(step)) - Cost(parameters.Q - step)) / (2 * h);
            double g = gradient[j].item<double>();
            Assert.True(Math.Abs(g - fd) <= 1e-3 * Math.Max(1, Math.Abs(fd)), $"dcost/dq[{j}]: autograd {g}, central differences {fd}");
        }
    }

    [Fact]
    public void TheDemo_OnASmallSetup_PrintsTheCosts_AndWritesThePlot()
    {
        using var folder = new TempFolder();
        var (code, output, error) = ConsoleCapture.Run(Program.Main, "--output", folder.Path, "--iterations", "2", "--rollouts", "2", "--horizon", "3");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var lines = ConsoleCapture.Lines(output);
        Assert.Contains(lines, l => l.StartsWith("iteration 2: average cost "));
        Assert.Contains(lines, l => l.StartsWith("ML.NET pipeline"));
        Assert.Matches(@"^average cost: ours \d+\.\d{3} -> \d+\.\d{3}, published 1\.519 -> 0\.91$", lines[^1]);
        Assert.True(new FileInfo(folder.File("cost.png")).Length > 1000);
        var bad = ConsoleCapture.Run(Program.Main, "--output", folder.Path, "--rollouts", "0");
        Assert.Equal(1, bad.ExitCode);
    }
}
