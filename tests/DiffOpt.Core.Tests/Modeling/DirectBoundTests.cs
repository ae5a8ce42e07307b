using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// Bounds f(x) ≤ r and g(x) ≥ r (and their mirrored forms) written in their atoms' direct cone forms, without an
/// epigraph variable, on the projection x* = argmin ‖x − y‖² s.t. the bound: the canonical program's columns and
/// rows, the layer's x*, gradients and duals against closed forms with the bound inactive and active, central
/// differences of every parameter's gradient, and the derivative path (the cone route's derivative system is
/// nonsingular: no least-squares fallback). Bounds that keep auxiliary variables are in <see cref="AuxiliaryBoundTests"/>.
/// </summary>
public class DirectBoundTests
{
    /// <summary>A bound on x (3 entries) by the scalar parameter r, the projection's closed form, and points where it is inactive and active.</summary>
    internal sealed record BoundCase(Func<Variable, Parameter, Constraint> Bound, Func<Tensor, Tensor, Tensor>? Projection, double R,
        double[] Inactive, double[] Active, bool Linear = false, bool NonnegativeR = false);

    private static Tensor Clip(Tensor y, Tensor bound) => minimum(maximum(y, -bound), bound);

    private static Tensor Shrink(Tensor y, Tensor radius) => y * minimum(ones_like(radius), radius / (y * y).sum().sqrt());

    private static readonly double[] Small = [0.3, -0.2, 0.1];
    private static readonly double[] Large = [3, -0.2, 0.1];

    /// <summary>
    /// The cases; a null projection means no closed form: the reference is then the same bound through its atom's
    /// epigraph variable (<see cref="Epigraph"/>), a different cone program.
    /// </summary>
    internal static readonly Dictionary<string, BoundCase> Cases = new()
    {
        ["Abs(x) <= r"] = new((x, r) => Abs(x) <= r, Clip, 1, Small, [3, -2, 0.1], Linear: true),
        ["r >= Abs(x)"] = new((x, r) => r >= Abs(x), Clip, 1, Small, [3, -2, 0.1], Linear: true),
        ["-Abs(x) >= -r"] = new((x, r) => -Abs(x) >= -r, Clip, 1, Small, [3, -2, 0.1], Linear: true),
        ["NormInf(x) <= r"] = new((x, r) => NormInf(x) <= r, Clip, 1, Small, Large, Linear: true),
        ["Maximum(x, -1) <= r"] = new((x, r) => Maximum(x, -1) <= r, (y, r) => minimum(y, r), 1, Small, Large, Linear: true),
        ["Pos(x) <= r"] = new((x, r) => Pos(x) <= r, (y, r) => minimum(y, r), 1, Small, Large, Linear: true),
        ["Neg(x) <= r"] = new((x, r) => Neg(x) <= r, (y, r) => maximum(y, -r), 1, Small, [-3, -0.2, 0.1], Linear: true),
        ["Minimum(x, 5) >= r"] = new((x, r) => Minimum(x, 5) >= r, (y, r) => maximum(y, r), 0.5, [1, 2, 0.6], [-3, 2, 0.6], Linear: true),
        ["-Minimum(x, 5) <= -r"] = new((x, r) => -Minimum(x, 5) <= -r, (y, r) => maximum(y, r), 0.5, [1, 2, 0.6], [-3, 2, 0.6], Linear: true),
        ["Norm2(x) <= r"] = new((x, r) => Norm2(x) <= r, (y, r) => Shrink(y, r), 1, Small, Large),
        ["Square(x) <= r"] = new((x, r) => Square(x) <= r, (y, r) => Clip(y, r.sqrt()), 2, Small, Large),
        ["SumSquares(x) <= r"] = new((x, r) => SumSquares(x) <= r, (y, r) => Shrink(y, r.sqrt()), 1, Small, Large),
        ["r >= SumSquares(x)"] = new((x, r) => r >= SumSquares(x), (y, r) => Shrink(y, r.sqrt()), 1, Small, Large),
        ["QuadOverLin(x, 2) <= r"] = new((x, r) => QuadOverLin(x, 2) <= r, (y, r) => Shrink(y, r.Times(2.0).sqrt()), 1, Small, Large),
        ["Exp(x) <= r"] = new((x, r) => Exp(x) <= r, (y, r) => minimum(y, r.log()), 2, Small, Large),
        ["Log(x) >= r"] = new((x, r) => Log(x) >= r, (y, r) => maximum(y, r.exp()), 0, [2, 1.5, 3], [0.5, 1.5, 3]),
        ["-Log(x) <= -r"] = new((x, r) => -Log(x) <= -r, (y, r) => maximum(y, r.exp()), 0, [2, 1.5, 3], [0.5, 1.5, 3]),
        ["Sqrt(x) >= r, r ≥ 0"] = new((x, r) => Sqrt(x) >= r, (y, r) => maximum(y, r * r), 0.5, [1, 0.5, 2], [0.1, 0.5, 2], NonnegativeR: true),
        ["Entropy(x) >= r"] = new((x, r) => Entropy(x) >= r, null, 0.2, [0.5, 0.3, 0.4], [0.9, 0.3, 0.4]),
        ["KlDiv(x, 1) <= r"] = new((x, r) => KlDiv(x, new double[] { 1, 1, 1 }) <= r, null, 0.1, [1, 0.9, 1.2], [2, 0.9, 1.2]),
    };

    /// <summary>The same bound with its atom behind an affine "+ 0", which keeps the atom's epigraph variable.</summary>
    private static readonly Dictionary<string, Func<Variable, Parameter, Constraint>> Epigraph = new()
    {
        ["Entropy(x) >= r"] = (x, r) => Entropy(x) + 0 >= r,
        ["KlDiv(x, 1) <= r"] = (x, r) => KlDiv(x, new double[] { 1, 1, 1 }) + 0 <= r,
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    public static TheoryData<string, bool> NamesAndRoutes
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var (name, c) in Cases)
            {
                data.Add(name, false);
                if (c.Linear) data.Add(name, true);
            }
            return data;
        }
    }

    private static (Problem Problem, Variable X, Parameter Y, Parameter R, Constraint Bound) Projection(Func<Variable, Parameter, Constraint> bound, bool nonnegativeR)
    {
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var r = new Parameter("r", nonnegative: nonnegativeR);
        var constraint = bound(x, r);
        return (Problem.Minimize(SumSquares(x - y), constraint), x, y, r, constraint);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CanonicalProgram_HasNoAuxiliaryColumn(string name)
    {
        var c = Cases[name];
        var program = Projection(c.Bound, c.NonnegativeR).Problem.Compile();

        // The columns are x's 3 entries (SumSquares(x − y) in the objective is a P block on x itself).
        Assert.Equal(3, program.VariableCount);
        Assert.Equal(c.Linear, program.IsQp);
        if (Epigraph.TryGetValue(name, out var epigraph))
            Assert.True(Projection(epigraph, c.NonnegativeR).Problem.Compile().VariableCount > 3, "the reference keeps its epigraph variable");
    }

    [Fact]
    public void EveryAtomWithADirectBound_HasACase()
    {
        var (x, r) = (new Variable(3), new Parameter("r"));
        static IEnumerable<Expression> Walk(Expression e) => e.Args.SelectMany(Walk).Prepend(e);
        var covered = Cases.Values.SelectMany(c => c.Bound(x, r).Expressions).SelectMany(Walk).Select(e => e.GetType()).ToHashSet();
        Assert.Empty(Dcp2ConeRegistry.BoundTypes.Where(t => !covered.Contains(t)).Select(t => t.Name));
        Assert.All(Dcp2ConeRegistry.BoundTypes, t => Assert.Contains(t, Dcp2ConeRegistry.AtomTypes));
    }

    [Fact]
    public void AbsBound_IsTwoRowsPerEntry_AndItsMirroredFormsCompileToTheSameData()
    {
        // |x_i| ≤ r as s = r − x ≥ 0 and s = r + x ≥ 0; with Ax + s = b: A = [I; −I], b = [r; r].
        var values = new[] { tensor(Small, float64), tensor(1.5, float64) };
        Tensor[] Data(string name)
        {
            var program = Projection(Cases[name].Bound, false).Problem.Compile();
            Assert.Equal(new Cone[] { new NonnegativeCone(6) }, program.Cones);
            var theta = ParameterBatch.Create(program.Parameters, values).Theta1;
            return [program.A.Apply(theta).reshape(6, 3), program.B.Apply(theta).reshape(6)];
        }
        var plain = Data("Abs(x) <= r");
        var identity = eye(3, dtype: float64);
        Assert.True(plain[0].allclose(cat([identity, -identity], 0)), plain[0].Show());
        Assert.True(plain[1].allclose(tensor(Enumerable.Repeat(1.5, 6).ToArray(), float64)));
        foreach (var mirrored in new[] { "r >= Abs(x)", "-Abs(x) >= -r" })
        {
            var data = Data(mirrored);
            Assert.True((data[0] - plain[0]).abs().max().item<double>() == 0 && (data[1] - plain[1]).abs().max().item<double>() == 0, mirrored);
        }
    }

    [Fact]
    public void ExpAndLogBounds_AreOneExponentialConePerEntry()
    {
        foreach (var name in new[] { "Exp(x) <= r", "Log(x) >= r", "-Log(x) <= -r", "Entropy(x) >= r", "KlDiv(x, 1) <= r" })
        {
            var program = Projection(Cases[name].Bound, false).Problem.Compile();
            Assert.Equal(new Cone[] { new ExponentialCone(3) }, program.Cones);
        }
        Assert.Equal(new Cone[] { new SecondOrderCone(3), new SecondOrderCone(3), new SecondOrderCone(3) },
            Projection(Cases["Square(x) <= r"].Bound, false).Problem.Compile().Cones);
        Assert.Equal(new Cone[] { new SecondOrderCone(5) }, Projection(Cases["SumSquares(x) <= r"].Bound, false).Problem.Compile().Cones);
    }

    [Fact]
    public void SqrtBound_NeedsAKnownNonnegativeR_ForItsDirectForm()
    {
        // t² ≤ x is √x ≥ t only for t ≥ 0 (t = −2, x = 1 satisfies √x ≥ t, not t² ≤ x): a sign-unknown r keeps the hypograph variable.
        Assert.Equal(3, Projection(Cases["Sqrt(x) >= r, r ≥ 0"].Bound, true).Problem.Compile().VariableCount);
        var (problem, x, y, r, _) = Projection(Cases["Sqrt(x) >= r, r ≥ 0"].Bound, false);
        Assert.Equal(6, problem.Compile().VariableCount);
        using var layer = new ConvexLayer(problem, [y, r], [x], LayerChecks.Tight);
        var got = layer.forward(tensor(new double[] { 1, 0.5, -2 }, float64), tensor(-2.0, float64))[0];
        Assert.True((got - tensor(new double[] { 1, 0.5, 0 }, float64)).abs().max().item<double>() < 1e-6, got.Show());
    }

    [Theory]
    [MemberData(nameof(NamesAndRoutes))]
    public void Layer_MatchesTheClosedForm_InactiveAndActive_WithoutLeastSquares(string name, bool qpRoute)
    {
        var c = Cases[name];
        var (problem, x, y, r, _) = Projection(c.Bound, c.NonnegativeR);
        using var layer = new ConvexLayer(problem, [y, r], [x], LayerChecks.Tight with { UseQpSolver = qpRoute });
        foreach (var (point, active) in new[] { (c.Inactive, false), (c.Active, true) })
        {
            var values = new[] { tensor(point, float64), tensor(c.R, float64) };
            var (expected, expectedGradients) = Reference(name, values);
            Assert.Equal(active, (expected - values[0]).abs().max().item<double>() > 1e-3);

            var leaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
            var got = layer.forward(leaves)[0];
            (got * Weights).sum().backward();

            Assert.Equal(SolverStatus.Solved, layer.LastStatus[0]);
            Assert.True((got - expected).abs().max().item<double>() < 1e-7, $"{name} (active: {active}): x {got.Show()}, expected {expected.Show()}");
            // The epigraph reference solves a different program, less accurately (central differences below decide at 1e-5).
            double gradientTolerance = c.Projection is null ? 1e-4 : 1e-6;
            for (int i = 0; i < 2; i++)
                Assert.True((leaves[i].grad! - expectedGradients[i]).abs().max().item<double>() < gradientTolerance,
                    $"{name} (active: {active}): gradient {i} {leaves[i].grad!.Show()}, expected {expectedGradients[i].Show()}");
            if (qpRoute)
            {
                // The QP route's backward KKT solve: below the retry tolerance at once, so no second factorisation.
                Assert.Empty(layer.LastLeastSquares);
                Assert.True(layer.LastQpReport!.BackwardResidual![0] <= LayerChecks.Tight.Qp.BackwardTolerance, $"{layer.LastQpReport.BackwardResidual[0]:E2}");
                Assert.Equal(new[] { true }, layer.LastQpReport.GradientTrusted);
            }
            else Assert.Equal(new[] { false }, layer.LastLeastSquares);
            LayerChecks.FiniteDifferencesMatch(layer, values, seed: 7, tolerance: 1e-5, step: 1e-3, fourthOrder: true);
        }
    }

    /// <summary>
    /// min ‖x − y‖² + λᵀ(f(x) − r) at points where the bound is active in its first entry: |x| ≤ r gives
    /// λ = 2(|y| − r)₊ per entry, max|x_i| ≤ r their sum, e^x ≤ r λ = 2(y − log r)₊/r, log x ≥ r λ = 2e^r(e^r − y)₊,
    /// min(x, 5) ≥ r λ = 2(r − y)₊, ‖x‖² ≤ r λ = (‖y‖/√r − 1)₊.
    /// </summary>
    private static readonly Dictionary<string, (double[] Y, double R, Func<Tensor, Tensor, Tensor> Dual)> Duals = new()
    {
        ["Abs(x) <= r"] = ([3, -2, 0.1], 1, (y, r) => PositivePart(y.abs() - r).Times(2.0)),
        ["-Abs(x) >= -r"] = ([3, -2, 0.1], 1, (y, r) => PositivePart(y.abs() - r).Times(2.0)),
        ["NormInf(x) <= r"] = ([3, -2, 0.1], 1, (y, r) => PositivePart(y.abs() - r).sum().Times(2.0)),
        ["Exp(x) <= r"] = ([3, -0.2, 0.1], 2, (y, r) => PositivePart(y - r.log()).Times(2.0) / r),
        ["Log(x) >= r"] = ([0.5, 1.5, 3], 0, (y, r) => (PositivePart(r.exp() - y) * r.exp()).Times(2.0)),
        ["-Log(x) <= -r"] = ([0.5, 1.5, 3], 0, (y, r) => (PositivePart(r.exp() - y) * r.exp()).Times(2.0)),
        ["Minimum(x, 5) >= r"] = ([-3, 2, 0.6], 0.5, (y, r) => PositivePart(r - y).Times(2.0)),
        ["SumSquares(x) <= r"] = ([3, -0.2, 0.1], 1, (y, r) => PositivePart(((y * y).sum().sqrt() / r.sqrt()).Plus(-1.0))),
    };

    private static Tensor PositivePart(Tensor v) => maximum(v, zeros_like(v));

    public static TheoryData<string> DualNames => new(Duals.Keys);

    [Theory]
    [MemberData(nameof(DualNames))]
    public void Dual_MatchesTheClosedForm_AndItsGradient(string name)
    {
        var (point, rValue, closedForm) = Duals[name];
        var (problem, _, y, r, bound) = Projection(Cases[name].Bound, false);
        using var layer = new ConvexLayer(problem, [y, r], [], LayerChecks.Tight, duals: [bound]);
        var values = new[] { tensor(point, float64), tensor(rValue, float64) };
        var leaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
        var refLeaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
        var got = layer.forward(leaves)[0];
        var expected = closedForm(refLeaves[0], refLeaves[1]);
        Assert.Equal(expected.shape, got.shape);
        Assert.True(expected.reshape(-1)[0].item<double>() > 0.5, "the bound is active");
        // Exponential-cone solutions are less accurate (to about 1e-8 on the tensor path): their tolerances are 10× wider.
        bool exponential = problem.Compile().Cones.Any(k => k is ExponentialCone);
        double tolerance = exponential ? 1e-5 : 1e-6;
        Assert.True((got - expected).abs().max().item<double>() < tolerance, $"{name}: dual {got.Show()}");
        var w = expected.dim() == 0 ? tensor(0.8, float64) : Weights;
        (got * w).sum().backward();
        (expected * w).sum().backward();
        for (int i = 0; i < 2; i++)
            Assert.True((leaves[i].grad! - refLeaves[i].grad!).abs().max().item<double>() < tolerance,
                $"{name}: gradient {i} {leaves[i].grad!.Show()}, expected {refLeaves[i].grad!.Show()}");
        // An exponential-cone point at tolerance 1e-11 is up to about 0.3·√1e-11 ≈ 1e-6 off along the flat boundary; the
        // fourth-order difference's weights (Σ|w| = 1.5) turn that into 1.5e-6/h, so h = 1e-2 resolves only 1.5e-4
        // (measured once on the tensor path: 1.07e-4 relative). h = 5e-2 resolves 3e-5 and keeps the bound active.
        LayerChecks.FiniteDifferencesMatch(layer, values, seed: 9, tolerance: 10 * tolerance, step: exponential ? 5e-2 : 1e-2, fourthOrder: true);
    }

    [Fact]
    public void DcpRefusals_AreUnchanged()
    {
        var x = new Variable(3, "x");
        var r = new Parameter("r");
        Assert.False(Problem.Minimize(Sum(x), Abs(x) >= r).IsDcp());
        Assert.False(Problem.Minimize(Sum(x), -Abs(x) <= -r).IsDcp());
        Assert.False(Problem.Minimize(Sum(x), Log(x) <= r).IsDcp());
        Assert.False(Problem.Minimize(Sum(x), r >= Minimum(x, 5)).IsDcp());
        Assert.True(Problem.Minimize(Sum(x), r >= Maximum(x, 5)).IsDcp());
    }

    private static readonly Tensor Weights = tensor(new double[] { 0.3, -0.7, 1.1 }, float64);

    /// <summary>x* and the gradients of Σ w∘x* in (y, r): autograd through the closed form, or the epigraph form's layer.</summary>
    private static (Tensor X, Tensor[] Gradients) Reference(string name, Tensor[] values)
    {
        var c = Cases[name];
        var leaves = values.Select(v => v.clone().requires_grad_(true)).ToArray();
        Tensor x;
        if (c.Projection is { } projection) x = projection(leaves[0], leaves[1]);
        else
        {
            var (problem, variable, y, r, _) = Projection(Epigraph[name], c.NonnegativeR);
            using var layer = new ConvexLayer(problem, [y, r], [variable], LayerChecks.Tight);
            x = layer.forward(leaves)[0];
        }
        (x * Weights).sum().backward();
        return (x.detach(), leaves.Select(l => l.grad!.clone()).ToArray());
    }
}
