using DiffOpt.Layers;
using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Modeling;

/// <summary>
/// <see cref="ConvexLayer"/>'s duals against closed forms in cvxpy's conventions (the values cvxpy 1.4 prints for the
/// same problems are quoted), and their gradients against central differences.
/// </summary>
public class ConvexLayerDualTests
{
    [Fact]
    public void InequalityDual_Is2TimesTheClippedExcess_AndDifferentiable()
    {
        // minimize ‖x − y‖² s.t. x ≤ p: x = min(y, p), and 2(x − y) + λ = 0 gives λ = 2(y − p)₊.
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var p = new Parameter(3, "p");
        var bound = x <= p;
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), bound), [y, p], [x], LayerChecks.Tight, duals: [bound]);
        var values = new[] { tensor(new double[] { 3, 0, -1 }, float64), tensor(new double[] { 1, 1, 0.5 }, float64) };
        var outputs = layer.forward(values);
        Assert.Equal(2, outputs.Length);
        AssertClose([1, 0, -1], outputs[0], 1e-8);
        AssertClose([4, 0, 0], outputs[1], 1e-6);
        using var dualsOnly = new ConvexLayer(Problem.Minimize(SumSquares(x - y), bound), [y, p], [], LayerChecks.Tight, duals: [bound]);
        LayerChecks.FiniteDifferencesMatch(dualsOnly, [tensor(new double[] { 3, 0.5, 2 }, float64), tensor(new double[] { 1, 1, 0.5 }, float64)], seed: 3);
    }

    [Fact]
    public void Norm2Bound_IsOneConeWithoutAnEpigraphVariable_AndItsDualIsTheScalarMultiplier()
    {
        // minimize ‖x − y‖² s.t. ‖x‖₂ ≤ r: x = y·min(1, r/‖y‖); 2(x − y) + λx/‖x‖ = 0 gives λ = 2(‖y‖ − r)₊.
        var x = new Variable(3, "x");
        var y = new Parameter(3, "y");
        var r = new Parameter(1, "r");
        var bound = Norm2(x) <= r[0];
        var problem = Problem.Minimize(SumSquares(x - y), bound);
        var program = problem.Compile();
        Assert.Single(program.Cones.OfType<DiffOpt.Cones.SecondOrderCone>());
        Assert.Equal(3, program.VariableCount);   // x alone: no epigraph variable of the norm
        using var layer = new ConvexLayer(problem, [y, r], [x], LayerChecks.Tight, duals: [bound]);
        var outside = layer.forward(tensor(new double[] { 3, 0, 4 }, float64), tensor(new double[] { 2 }, float64));
        AssertClose([1.2, 0, 1.6], outside[0], 1e-7);
        Assert.Equal(Array.Empty<long>(), outside[1].shape);
        AssertClose([6], outside[1].reshape(1), 1e-6);
        var inside = layer.forward(tensor(new double[] { 0.3, 0, 0.4 }, float64), tensor(new double[] { 2 }, float64));
        AssertClose([0.3, 0, 0.4], inside[0], 1e-7);
        AssertClose([0], inside[1].reshape(1), 1e-7);
        using var dualsOnly = new ConvexLayer(problem, [y, r], [], LayerChecks.Tight, duals: [bound]);
        LayerChecks.FiniteDifferencesMatch(dualsOnly, [tensor(new double[] { 3, 0.5, 4 }, float64), tensor(new double[] { 2 }, float64)], seed: 5);
    }

    [Fact]
    public void EqualityDual_FollowsCvxpysSign()
    {
        // minimize ‖x − y‖² s.t. Sum(x) == s: 2(x − y) + ν·1 = 0 gives ν = 2(Σy − s)/n (cvxpy: (x − 2)² with x == 1 gives ν = 2).
        var x = new Variable(4, "x");
        var y = new Parameter(4, "y");
        var s = new Parameter(1, "s");
        var total = Sum(x) == s[0];
        using var layer = new ConvexLayer(Problem.Minimize(SumSquares(x - y), total), [y, s], [], LayerChecks.Tight, duals: [total]);
        var dual = layer.forward(tensor(new double[] { 1, 2, 3, 4 }, float64), tensor(new double[] { 2 }, float64))[0];
        AssertClose([2 * (10 - 2) / 4.0], dual.reshape(-1), 1e-6);
        LayerChecks.FiniteDifferencesMatch(layer, [tensor(new double[] { 1, 2, 3, 4 }, float64), tensor(new double[] { 2 }, float64)], seed: 4);
    }

    [Fact]
    public void SecondOrderConeDual_MatchesCvxpy()
    {
        // minimize t − 2y₀ − y₁ s.t. ‖y‖ ≤ t, t ≤ 1: cvxpy 1.4 prints the cone's dual as (2.23607, −2, −1) = (√5, −c).
        var t = new Variable(1, "t");
        var v = new Variable(2, "v");
        var c = new Parameter(2, "c");
        var cone = Constraint.SecondOrderCone(t[0], v);
        var problem = Problem.Minimize(t[0] - Sum(Multiply(c, v)), cone, t[0] <= 1);
        using var layer = new ConvexLayer(problem, [c], [v], LayerChecks.Tight, duals: [cone]);
        var outputs = layer.forward(tensor(new double[] { 2, 1 }, float64));
        AssertClose([2 / Math.Sqrt(5), 1 / Math.Sqrt(5)], outputs[0], 1e-6);
        AssertClose([Math.Sqrt(5), -2, -1], outputs[1], 1e-6);
    }

    [Fact]
    public void PsdDual_IsCMinusItsSmallestEigenvalue()
    {
        // minimize ⟨C, X⟩ s.t. X ⪰ 0, tr X = 1: C − Z + νI = 0 with ZX = 0, so Z = C − λ_min(C)·I.
        var X = new Variable(2, 2, "X");
        var C = new Parameter(2, 2, "C");
        var psd = Constraint.Psd(X);
        var problem = Problem.Minimize(Trace(C * X), psd, Trace(X) == 1);
        using var layer = new ConvexLayer(problem, [C], [X], LayerChecks.Tight, duals: [psd]);
        var outputs = layer.forward(tensor(new double[] { 2, 1, 1, 3 }, float64).reshape(2, 2));
        double smallest = (5 - Math.Sqrt(5)) / 2;
        Assert.Equal([2L, 2L], outputs[1].shape);
        AssertClose([2 - smallest, 1, 1, 3 - smallest], outputs[1].reshape(-1), 1e-6);
    }

    [Fact]
    public void ADualOfAConstraintOutsideTheProblem_IsRefusedNamingDuals()
    {
        var x = new Variable(2, "x");
        var y = new Parameter(2, "y");
        var inside = x >= 0;
        var error = Assert.Throws<ArgumentException>(() =>
            new ConvexLayer(Problem.Minimize(SumSquares(x - y), inside), [y], [x], duals: [x <= 1]));
        Assert.Equal("duals", error.ParamName);
        Assert.Contains("x <= 1", error.Message);
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        var values = actual.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"entry {i}: expected {expected[i]:R}, got {values[i]:R}");
    }
}
