using DiffOpt.Modeling;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DiffOpt.Benchmarks.ConvexLayerCase;

/// <summary>A case's problem written with the modeling API: its parameters (with the case's names) and variables (x* first).</summary>
public sealed record LayerCaseProblem(Problem Problem, IReadOnlyList<Parameter> Parameters, IReadOnlyList<Variable> Variables);

/// <summary>The six problems of the peer's <c>layer_cases.py</c> (its docstring defines them), written as cvxpy writes them there.</summary>
public static class LayerCaseProblems
{
    /// <summary>Builds the problem <paramref name="name"/> with the case's constants.</summary>
    /// <exception cref="InvalidDataException">Unknown problem or missing constant.</exception>
    public static LayerCaseProblem Build(string name, IReadOnlyDictionary<string, Tensor> constants)
    {
        Tensor Constant(string key) => constants.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"Case '{name}' lacks the constant '{key}'.");
        switch (name)
        {
            case "relu":
            case "sparsemax":
                {
                    int n = name == "relu" ? 20 : 50;
                    var x = new Variable(n, "x");
                    var y = new Parameter(n, "y");
                    var problem = name == "relu"
                        ? Problem.Minimize(SumSquares(x - y), x >= 0)
                        : Problem.Minimize(SumSquares(x - y), Sum(x) == 1, x >= 0);
                    return new(problem, [y], [x]);
                }
            case "softmax":
                {
                    var x = new Variable(20, "x");
                    var y = new Parameter(20, "y");
                    return new(Problem.Minimize(-(y * x) - Sum(Entropy(x)), Sum(x) == 1), [y], [x]);
                }
            case "nnls":
                {
                    var x = new Variable(20, "x");
                    var A = new Parameter(30, 20, "A");
                    var b = new Parameter(30, "b");
                    return new(Problem.Minimize(SumSquares(A * x - b), x >= 0), [A, b], [x]);
                }
            case "logistic":
                {
                    var theta = new Variable(10, "theta");
                    var beta = new Variable("beta");
                    var X = new Parameter(100, 10, "X");
                    var labels = new Modeling.Constant(Constant("labels"));
                    var objective = Sum(Logistic(-Multiply(labels, X * theta + beta))) / 100 + 0.1 * Norm1(theta) + 0.1 * SumSquares(theta);
                    return new(Problem.Minimize(objective), [X], [theta, beta]);
                }
            case "portfolio":
                {
                    var F = new Modeling.Constant(Constant("F"));
                    var w = new Variable(50, "w");
                    var mu = new Parameter(50, "mu");
                    var problem = Problem.Maximize(mu * w - SumSquares(F * w), Sum(w) == 1, w >= 0, Norm2(F * w) <= 0.5);
                    return new(problem, [mu], [w]);
                }
            default:
                throw new InvalidDataException($"Unknown layer case problem '{name}'.");
        }
    }
}
