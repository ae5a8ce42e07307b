using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// Bounds whose cone form needs auxiliary variables (Norm1, a sum of atoms, LogSumExp, Huber), on the projection
/// x* = argmin ‖x − y‖² s.t. the bound. With the bound inactive the auxiliaries are not determined (a set of optimal
/// points): the cone route's derivative system is singular and takes the minimum-norm least-squares path (the QP
/// route's active-set derivative drops the inactive rows and needs no fallback), and x*'s part of the derivative is
/// still exact because x* is unique. Checked against closed forms (or the KKT conditions)
/// and central differences, inactive and active.
/// </summary>
public class AuxiliaryBoundTests
{
    private static readonly Tensor Weights = tensor(new double[] { 0.3, -0.7, 1.1 }, float64);

    /// <summary>The ℓ1-ball projection for a known support S: x_S = sign(y)(|y| − τ) with τ = (Σ_S |y| − r)/|S|.</summary>
    private static Tensor L1Projection(Tensor y, Tensor r, double[] support)
    {
        var mask = tensor(support, float64);
        var tau = ((y.abs() * mask).sum() - r) / mask.sum();
        return y.sign() * (y.abs() - tau) * mask;
    }

    private static Func<Tensor, Tensor, Tensor>? Projection(double[] support, bool active) => (y, r) => active ? L1Projection(y, r, support) : y.clone();

    public static TheoryData<string, bool> Norm1Cases => new()
    {
        { "Norm1(x) <= r", false }, { "Norm1(x) <= r", true }, { "Sum(Abs(x)) <= r", false }, { "Sum(Abs(x)) <= r", true },
    };

    [Theory]
    [MemberData(nameof(Norm1Cases))]
    public void Norm1Bound_MatchesTheL1Projection_InactiveAndActive(string name, bool qpRoute)
    {
        Func<Variable, Parameter, Constraint> bound = name.StartsWith("Norm1", StringComparison.Ordinal) ? (x, r) => Norm1(x) <= r : (x, r) => Sum(Abs(x)) <= r;
        // Inactive: x = y. Active: y = (2, −1.8, 0.1), r = 1 has support {0, 1} and τ = 1.4, so x = (0.6, −0.4, 0).
        var points = new (double[] Y, double[] Support, bool Active)[] { ([0.3, -0.2, 0.1], [1, 1, 1], false), ([2, -1.8, 0.1], [1, 1, 0], true) };
        Check(bound, qpRoute, points.Select(p => (p.Y, 1.0, p.Active, Projection(p.Support, p.Active))).ToArray());
    }

    [Fact]
    public void HuberBound_MatchesTheBallProjection_WhereEveryEntryIsQuadratic()
    {
        // Σ huber(x_i, 2) = ‖x‖² where every |x_i| ≤ 2: the projection is y·min(1, √r/‖y‖) (|x_i| ≤ 1 here, far from the kink).
        Check((x, r) => Sum(Huber(x, 2)) <= r, qpRoute: false,
        [
            ([0.3, -0.2, 0.1], 1, false, (y, r) => y.clone()),
            ([3, -0.2, 0.1], 1, true, (y, r) => y * minimum(ones_like(r), r.sqrt() / (y * y).sum().sqrt())),
        ], tolerance: 1e-10);
    }

    [Fact]
    public void LogSumExpBound_SatisfiesItsKktConditions_InactiveAndActive()
    {
        // Active: 2(x − y) + λ·softmax(x) = 0 with λ ≥ 0 the same for every entry, and log Σ e^x = r.
        var results = Check((x, r) => LogSumExp(x) <= r, qpRoute: false,
        [
            ([0.3, -0.2, 0.1], 3, false, (y, r) => y.clone()),
            ([3, -0.2, 0.1], 2, true, null),
        ]);
        var (x, y) = (results[1], tensor(new double[] { 3, -0.2, 0.1 }, float64));
        Assert.True(Math.Abs(x.logsumexp(0).item<double>() - 2) < 1e-8);
        var lambda = (y - x).Times(2.0) / x.softmax(0);
        Assert.True(lambda.min().item<double>() > 0);
        Assert.True((lambda.max() - lambda.min()).item<double>() < 1e-5 * lambda.max().item<double>(), lambda.Show());
    }

    /// <summary>
    /// Solves at each point, compares x* (and the gradients of Σ w∘x*, by autograd through the closed form) with the
    /// reference where there is one, checks central differences, and that an inactive bound takes the least-squares
    /// path on the cone route; returns the solutions.
    /// </summary>
    private static Tensor[] Check(Func<Variable, Parameter, Constraint> bound, bool qpRoute,
        (double[] Y, double R, bool Active, Func<Tensor, Tensor, Tensor>? Reference)[] points, double tolerance = 1e-11)
    {
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var r = new Parameter("r");
        var problem = Problem.Minimize(SumSquares(x - y), bound(x, r));
        Assert.True(problem.Compile().VariableCount > 3, "the bound keeps auxiliary variables");
        using var layer = new ConvexLayer(problem, [y, r], [x], LayerChecks.Tight with
        {
            UseQpSolver = qpRoute,
            Cone = LayerChecks.Tight.Cone with { Tolerance = tolerance, RelativeTolerance = tolerance },
        });
        var solutions = new List<Tensor>();
        foreach (var (point, rValue, active, reference) in points)
        {
            var values = new[] { tensor(point, float64), tensor(rValue, float64) };
            var leaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
            var got = layer.forward(leaves)[0];
            (got * Weights).sum().backward();
            Assert.True(layer.LastStatus[0] == SolverStatus.Solved, $"active: {active}, status {layer.LastStatus[0]}, iterations {layer.LastIterations[0]}");
            Assert.Equal(active, (got - values[0]).abs().max().item<double>() > 1e-3);
            if (!qpRoute) Assert.Equal(new[] { !active }, layer.LastLeastSquares);
            else
            {
                // The QP route's derivative drops inactive rows, so an undetermined auxiliary costs it no retry.
                Assert.True(layer.LastQpReport!.BackwardResidual![0] <= LayerChecks.Tight.Qp.BackwardTolerance, $"{layer.LastQpReport.BackwardResidual[0]:E2}");
                Assert.Equal(new[] { true }, layer.LastQpReport.GradientTrusted);
            }
            if (reference is not null)
            {
                var refLeaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
                var expected = reference(refLeaves[0], refLeaves[1]);
                (expected * Weights).sum().backward();
                Assert.True((got - expected).abs().max().item<double>() < 1e-7, $"x {got.Show()}, expected {expected.Show()}");
                for (int i = 0; i < 2; i++)
                {
                    var expectedGradient = refLeaves[i].grad ?? zeros_like(values[i]);
                    Assert.True((leaves[i].grad! - expectedGradient).abs().max().item<double>() < 1e-6,
                        $"gradient {i}: {leaves[i].grad!.Show()}, expected {expectedGradient.Show()}");
                }
            }
            // The auxiliaries cost accuracy (exponential-cone solutions to about 1e-7): a larger step, still away from every
            // kink, and a relative tolerance of 1e-4 (the closed forms above check the gradients to 1e-6 where there are any).
            LayerChecks.FiniteDifferencesMatch(layer, values, seed: 21, tolerance: 1e-4, step: 1e-2, fourthOrder: true);
            solutions.Add(got.detach());
        }
        return [.. solutions];
    }
}
