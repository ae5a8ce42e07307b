using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary><see cref="ConvexLayer"/> against independent solutions, and its batch, dtype and error behaviour.</summary>
public class ConvexLayerTests
{
    [Fact]
    public void EqualityConstrainedLeastSquares_MatchesKktSolution_AndFiniteDifferences()
    {
        var x = new Variable(5, "x");
        var A = new Parameter(8, 5, "A");
        var b = new Parameter(8, "b");
        var C = new Parameter(2, 5, "C");
        var d = new Parameter(2, "d");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(A * x - b), C * x == d), [A, b, C, d], [x], LayerChecks.Tight);
        var random = new Random(11);
        var values = new[] { LayerChecks.Randn(random, 3, 8, 5), LayerChecks.Randn(random, 3, 8), LayerChecks.Randn(random, 2, 5), LayerChecks.Randn(random, 2) };

        var got = layer.forward(values)[0];

        // [2AᵀA Cᵀ; C 0][x; ν] = [2Aᵀb; d] per item, solved directly.
        for (int k = 0; k < 3; k++)
        {
            var (Ak, bk) = (values[0][k], values[1][k]);
            var kkt = cat([cat([Ak.t().mm(Ak).Times(2L), values[2].t()], 1), cat([values[2], zeros(2, 2, dtype: float64)], 1)], 0);
            var rhs = cat([Ak.t().mv(bk).Times(2L), values[3]]);
            var expected = linalg.solve(kkt, rhs)[..5];
            Assert.True((got[k] - expected).abs().max().item<double>() < 1e-8);
        }
        LayerChecks.FiniteDifferencesMatch(layer, values, seed: 12);
    }

    [Fact]
    public void NonnegativeLeastSquares_SatisfiesKkt_AndFiniteDifferences()
    {
        var x = new Variable(6, "x");
        var A = new Parameter(9, 6, "A");
        var b = new Parameter(9, "b");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(A * x - b), x >= 0), [A, b], [x], LayerChecks.Tight);
        var random = new Random(13);
        var values = new[] { LayerChecks.Randn(random, 4, 9, 6), LayerChecks.Randn(random, 4, 9) };

        var got = layer.forward(values)[0];

        // KKT of NNLS: x ≥ 0, g = 2Aᵀ(Ax − b) ≥ 0, xᵢgᵢ = 0.
        var g = bmm(values[0].transpose(1, 2), bmm(values[0], got.unsqueeze(2)) - values[1].unsqueeze(2)).squeeze(2).Times(2L);
        Assert.True(got.min().item<double>() > -1e-9);
        Assert.True(g.min().item<double>() > -1e-7);
        Assert.True((got * g).abs().max().item<double>() < 1e-7);
        LayerChecks.FiniteDifferencesMatch(layer, values, seed: 14);
    }

    [Fact]
    public void LogisticRegression_AndItsGradient_MatchNewtonsMethod()
    {
        const int m = 30, n = 4;
        var theta = new Variable(n, "theta");
        var beta = new Variable("beta");
        var X = new Parameter(m, n, "X");
        var random = new Random(15);
        var labels = Enumerable.Range(0, m).Select(_ => random.NextDouble() < 0.5 ? -1.0 : 1.0).ToArray();
        var objective = Sum(Logistic(-Multiply(labels, X * theta + beta))) / m + 0.1 * SumSquares(theta);
        using var layer = new ConvexLayer(Problem.Minimize(objective), [X], [theta, beta], LayerChecks.Tight);
        var Xv = LayerChecks.Randn(random, m, n);
        var leaf = Xv.clone().requires_grad_(true);

        var outputs = layer.forward(leaf);
        var w = LayerChecks.Randn(random, n);
        (outputs[0] * w).sum().backward();

        var expected = NewtonLogistic(Xv, tensor(labels), 0.1);
        Assert.True((outputs[0] - expected[..n]).abs().max().item<double>() < 1e-6, $"{(outputs[0] - expected[..n]).abs().max().item<double>()}");
        Assert.True(Math.Abs(outputs[1].item<double>() - expected[n].item<double>()) < 1e-6);
        // The gradient along a random direction against central differences of Newton's (machine-precision) solution.
        var D = LayerChecks.Randn(random, m, n);
        const double t = 1e-5;
        double numeric = ((NewtonLogistic(Xv.Plus(D.Times(t)), tensor(labels), 0.1)[..n] - NewtonLogistic(Xv - D.Times(t), tensor(labels), 0.1)[..n]) * w).sum().item<double>() / (2 * t);
        double analytic = (leaf.grad! * D).sum().item<double>();
        Assert.True(Math.Abs(analytic - numeric) < 1e-5 * Math.Max(1, Math.Abs(numeric)), $"analytic {analytic:G10}, Newton central difference {numeric:G10}");
    }

    [Fact]
    public void LayerSolve_EqualsTheCanonicalConeProgramSolvedDirectly_AndTheQpRoute()
    {
        var x = new Variable(4, "x");
        var y = new Parameter(4, "y");
        var problem = Problem.Minimize(SumSquares(x - y) + Norm1(x), Sum(x) <= 1, x >= -1);
        using var viaQp = new ConvexLayer(problem, [y], [x], LayerChecks.Tight);
        using var viaCone = new ConvexLayer(problem, [y], [x], LayerChecks.Tight with { UseQpSolver = false });
        var yv = LayerChecks.Randn(new Random(16), 3, 4);

        var a = viaQp.forward(yv)[0];
        var b = viaCone.forward(yv)[0];

        var program = problem.Compile();
        var theta = ParameterBatch.Create(program.Parameters, [yv]).Theta1;
        var direct = new ConeProgramSolver(LayerChecks.Tight.Cone).Solve(program.A.Apply(theta).reshape(program.RowCount, program.VariableCount),
            program.B.Apply(theta), program.C.Apply(theta).reshape(-1, program.VariableCount).expand(3, -1), program.Cones, program.P!.Apply(theta).reshape(program.VariableCount, program.VariableCount));
        Assert.True(viaQp.IsQp);
        Assert.True((b - direct.X[.., ..4]).abs().max().item<double>() < 1e-12);
        Assert.True((a - b).abs().max().item<double>() < 1e-7);
    }

    [Fact]
    public void SharedAndBatchedValues_GiveTheSumRuleGradient()
    {
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var s = new Parameter("s");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), Sum(x) == s, x >= 0), [y, s], [x], LayerChecks.Tight);
        var ys = LayerChecks.Randn(new Random(17), 2, 3);
        var shared = tensor(1.5, float64).requires_grad_(true);
        (layer.forward(ys, shared)[0].sum(dim: 0) * tensor(new[] { 1.0, -2.0, 0.5 })).sum().backward();

        var perItem = tensor(new[] { 1.5, 1.5 }, float64).requires_grad_(true);
        (layer.forward(ys, perItem)[0].sum(dim: 0) * tensor(new[] { 1.0, -2.0, 0.5 })).sum().backward();

        Assert.Equal(perItem.grad!.sum().item<double>(), shared.grad!.item<double>(), 10);
        Assert.Equal([3L], layer.forward(ys[0], shared)[0].shape);
    }

    [Fact]
    public void InfeasibleItem_GetsStatusAndZeroGradient_RestUntouched()
    {
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var s = new Parameter("s");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), Sum(x) == s, x >= 0), [y, s], [x], LayerChecks.Tight);
        var ys = LayerChecks.Randn(new Random(18), 2, 3);
        var w = tensor(new[] { 1.0, -2.0, 0.5 });
        var both = ys.clone().requires_grad_(true);
        (layer.forward(both, tensor(new[] { 1.0, -1.0 }, float64))[0] * w).sum().backward();
        var status = layer.LastStatus;
        var alone = ys[..1].clone().requires_grad_(true);
        (layer.forward(alone, tensor(new[] { 1.0 }, float64))[0] * w).sum().backward();

        Assert.Equal(SolverStatus.Solved, status[0]);
        Assert.Equal(SolverStatus.PrimalInfeasible, status[1]);
        Assert.Equal(0.0, both.grad![1].abs().max().item<double>());
        Assert.True((both.grad![0] - alone.grad![0]).abs().max().item<double>() < 1e-9);
    }

    [Fact]
    public void Float32Values_GiveFloat32Outputs()
    {
        var x = new Variable(4, "x");
        var y = new Parameter(4, "y");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), x >= 0), [y], [x]);
        var yv = LayerChecks.Randn(new Random(19), 2, 4).to(float32);
        var got = layer.forward(yv)[0];
        Assert.Equal(ScalarType.Float32, got.dtype);
        Assert.True((got - yv.AtLeast(0L)).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Float32Values_OnTheConeRoute_GiveFloat32Outputs()
    {
        var x = new Variable(4, "x");
        var y = new Parameter(4, "y");
        using var layer = new ConvexLayer(Problem.Minimize(-(y * x) - Sum(Entropy(x)), Sum(x) == 1), [y], [x]);
        var yv = LayerChecks.Randn(new Random(20), 2, 4).to(float32).requires_grad_(true);
        var got = layer.forward(yv)[0];
        got.sum().backward();
        Assert.Equal(ScalarType.Float32, got.dtype);
        Assert.All(layer.LastStatus, s => Assert.True(s.HasSolution(), s.ToString()));
        Assert.True((got - softmax(yv.detach(), 1)).abs().max().item<float>() < 1e-2);
        // Σ softmax = 1, so the gradient of Σx* is zero.
        Assert.True(yv.grad!.abs().max().item<float>() < 1e-2);
    }

    [Fact]
    public void WrongShapeOrCount_ThrowsArgumentException_NamingTheParameter()
    {
        var x = new Variable(4, "x");
        var y = new Parameter(4, "y");
        var s = new Parameter("s");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), Sum(x) == s), [y, s], [x]);
        var e = Assert.Throws<ArgumentException>(() => layer.forward(zeros(2, 5, dtype: float64), tensor(1.0, float64)));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("(B, 4)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => layer.forward(zeros(2, 4, dtype: float64), zeros(3, dtype: float64)));
        Assert.Equal("s", e2.ParamName);
        Assert.Throws<ArgumentException>(() => layer.forward(zeros(4, dtype: float64)));
        Assert.Throws<ArgumentException>(() => new ConvexLayer(Problem.Minimize(SumSquares(x - y), Sum(x) == s), [y], [x]));
        Assert.Throws<ArgumentException>(() => new ConvexLayer(Problem.Minimize(Sum(y)), [y], []));
    }

    [Fact]
    public void ForwardInsideDisposeScopes_KeepsTheCompiledMaps()
    {
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), x >= 0), [y], [x]);
        var yv = tensor(new[] { 1.0, -2.0, 3.0 });
        for (int i = 0; i < 2; i++)
        {
            using var scope = NewDisposeScope();
            Assert.Equal(1.0, layer.forward(yv)[0][0].item<double>(), 7);
        }
    }

    [Fact]
    public void ProblemSolve_ReportsOptimalValueAndVariables()
    {
        var x = new Variable(2, "x");
        var c = new Parameter(2, "c");
        var problem = Problem.Maximize(c * x - SumSquares(x), Sum(x) <= 1);
        var solution = problem.Solve(new Dictionary<Parameter, Tensor> { [c] = tensor(new[] { 1.0, 0.4 }) });
        // Unconstrained maximiser c/2 = (0.5, 0.2) is feasible; value ‖c‖²/4.
        Assert.Equal(SolverStatus.Solved, solution.Status[0]);
        Assert.True((solution.Value(x) - tensor(new[] { 0.5, 0.2 })).abs().max().item<double>() < 1e-7);
        Assert.Equal(0.29, solution.OptimalValue[0], 7);

        // An expanded squared norm ‖x − y‖² keeps its θ-quadratic constant ‖y‖² out of the affine map but in the value.
        var y = new Parameter(2, "y");
        var projection = Problem.Minimize(SumSquares(x - y), Sum(x) == 1).Solve(new Dictionary<Parameter, Tensor> { [y] = tensor(new[] { 2.0, 3.0 }) });
        Assert.True((projection.Value(x) - tensor(new[] { 0.0, 1.0 })).abs().max().item<double>() < 1e-7);
        Assert.Equal(8.0, projection.OptimalValue[0], 6);
    }

    [Fact]
    public void A100By100LeastSquaresLayer_SolvesTheNormalEquations()
    {
        // The build time of this layer (goal < 100 ms; cvxpylayers #33: 42 s) is measured by the benchmark CLI's
        // layer-build command, not here; this checks what the build produces.
        var x = new Variable(100, "x");
        var A = new Parameter(100, 100, "A");
        var b = new Parameter(100, "b");
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(A * x - b)), [A, b], [x], LayerChecks.Tight);
        var generator = new TorchSharp.torch.Generator(33);
        var a = randn(100, 100, dtype: float64, generator: generator).PlusScaled(eye(100, dtype: float64), 10);
        var rhs = randn(100, dtype: float64, generator: generator);
        var solved = layer.forward(a, rhs)[0];
        var expected = linalg.solve(a, rhs);
        double error = (solved - expected).abs().max().item<double>() / expected.abs().max().item<double>();
        Assert.True(error < 1e-8, $"relative error {error:G3}");
    }

    /// <summary>Newton's method on (1/m) Σ log(1 + exp(−lᵢ(xᵢᵀθ + β))) + λ‖θ‖², an independent reference.</summary>
    private static Tensor NewtonLogistic(Tensor X, Tensor labels, double lambda)
    {
        long m = X.shape[0], n = X.shape[1];
        var Z = cat([X, ones(m, 1, dtype: float64)], 1) * labels.unsqueeze(1);
        var reg = diag(cat([ScalarSafeOperations.With(2 * lambda, value => full(n, value, dtype: float64)), zeros(1, dtype: float64)]));
        var w = zeros(n + 1, dtype: float64);
        for (int it = 0; it < 50; it++)
        {
            var s = sigmoid(-Z.mv(w));
            var grad = (-Z.t().mv(s)).DividedBy(m).Plus(reg.mv(w));
            var H = Z.t().mm(Z * (s * s.SubtractedFrom(1L)).unsqueeze(1)).DividedBy(m).Plus(reg).Plus(eye(n + 1, dtype: float64).Times(1e-14));
            w = w - linalg.solve(H, grad);
        }
        return w;
    }
}
