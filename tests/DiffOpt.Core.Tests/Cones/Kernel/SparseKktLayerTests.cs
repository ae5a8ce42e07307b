using DiffOpt.Cones;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Tests.Modeling;
using Xunit.Abstractions;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Cones.Kernel;

/// <summary>
/// A layer whose cone program takes the sparse KKT path by the automatic choice: the cvxpylayers paper's
/// data-poisoning model (ℓ1 + ℓ2 regularised logistic regression, X a parameter; hundreds of exponential cones in
/// the large case), small enough here for central finite differences.
/// </summary>
public class SparseKktLayerTests(ITestOutputHelper output)
{
    [Fact]
    public void LogisticLayer_TakesTheSparsePath_AndItsGradientMatchesCentralDifferences()
    {
        const int m = 40, n = 5;
        var theta = new Variable(n, "theta");
        var beta = new Variable("beta");
        var X = new Parameter(m, n, "X");
        var random = new Random(41);
        var labels = Enumerable.Range(0, m).Select(_ => random.NextDouble() < 0.5 ? 0.0 : 1.0).ToArray();
        var z = X * theta + beta;
        var objective = (Sum(Logistic(z)) - Sum(Multiply(labels, z))) / m + 0.05 * Norm1(theta) + 0.05 * SumSquares(theta);
        var problem = Problem.Minimize(objective);
        var values = LayerChecks.Randn(random, 2, m, n);

        var program = problem.Compile();
        var parameterBatch = ParameterBatch.Create(program.Parameters, [values]).Theta1;
        var a = program.A.Apply(parameterBatch).reshape(2, program.RowCount, program.VariableCount).contiguous();
        var p = program.P?.Apply(parameterBatch).reshape(-1).contiguous(); // shared by the items
        var choice = SparseKktPattern.Choose(program.Cones, 2, program.RowCount, program.VariableCount, a.data<double>().ToArray(),
            p?.data<double>().ToArray(), KktPath.Auto);
        Assert.NotNull(choice);
        output.WriteLine($"n = {program.VariableCount}, m = {program.RowCount}: |K| {choice?.Symbolic.Entries}, |L| {choice?.Symbolic.FactorEntries}");

        using var layer = new ConvexLayer(problem, [X], [theta, beta], LayerChecks.Tight with { UseQpSolver = false });
        // Exponential-cone solutions are accurate to about √gap (1e-6 here): a step of 1e-5 would leave differences of noise.
        LayerChecks.FiniteDifferencesMatch(layer, [values], seed: 42, tolerance: 1e-4, step: 1e-3);
    }
}
