using DiffOpt;
using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.ML;
using DiffOpt.Native;
using DataPoisoning.Data;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace DataPoisoning.Model;

/// <summary>
/// ℓ1 + ℓ2 regularised logistic regression as a convex layer whose parameter is the training feature matrix X:
/// <code>
///   (θ*, β*) = argmin (1/N) Σᵢ logistic(−lᵢ (xᵢᵀθ + β)) + λ‖θ‖₁ + μ‖θ‖²₂
/// </code>
/// (cvxpylayers, sec. 6; the labels l are constants). Differentiating (θ*, β*) through the layer gives the
/// gradient of any loss of the classifier with respect to every training point.
/// </summary>
public sealed class LogisticLayer : IDisposable
{
    /// <summary>Builds the problem for <paramref name="labels"/> (±1) and <paramref name="features"/> features.</summary>
    public LogisticLayer(Tensor labels, int features, double l1, double l2)
    {
        int n = (int)labels.shape[0];
        X = new Parameter(n, features, "X");
        Theta = new Variable(features, "theta");
        Beta = new Variable("beta");
        var l = labels.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var margins = Multiply(new Constant(l.Select(v => -v).ToArray()), X * Theta + Beta);
        Problem = Problem.Minimize(1.0 / n * Sum(Logistic(margins)) + l1 * Norm1(Theta) + l2 * SumSquares(Theta));
        // Tight tolerances: the finite-difference check divides solution differences by 2h.
        var cone = DiffOpt.Cones.ConeProgramSolverOptions.Default with { Tolerance = 1e-10, RelativeTolerance = 1e-10, MaxIterations = 200 };
        Layer = new ConvexLayer(Problem, [X], [Theta, Beta], new ConvexLayerOptions { Cone = cone });
        L1 = l1;
        L2 = l2;
    }

    /// <summary>The training features (a parameter).</summary>
    public Parameter X { get; }

    /// <summary>The weights.</summary>
    public Variable Theta { get; }

    /// <summary>The intercept.</summary>
    public Variable Beta { get; }

    /// <summary>The problem.</summary>
    public Problem Problem { get; }

    /// <summary>The layer (X) → (θ*, β*).</summary>
    public ConvexLayer Layer { get; }

    /// <summary>λ of ‖θ‖₁.</summary>
    public double L1 { get; }

    /// <summary>μ of ‖θ‖².</summary>
    public double L2 { get; }

    /// <summary>Fits the classifier to <paramref name="features"/> (N, n), or a batch (B, N, n); differentiable.</summary>
    public (Tensor Theta, Tensor Beta) Fit(Tensor features)
    {
        var result = Layer.forward(features);
        if (Layer.LastStatus.Any(s => !s.HasSolution()))
            throw new InvalidOperationException($"The logistic regression was not solved: {string.Join(", ", Layer.LastStatus.Distinct())}.");
        return (result[0], result[1]);
    }

    /// <summary>The mean logistic loss of the classifier (θ, β) on <paramref name="set"/> (a batch when θ is (B, n)).</summary>
    public static Tensor Loss(Tensor theta, Tensor beta, LabelledSet set)
    {
        var scores = theta.dim() == 1 ? set.Features.matmul(theta).Plus(beta) : theta.matmul(set.Features.t()).Plus(beta.unsqueeze(-1));
        return (-set.Labels * scores).Softplus().mean([-1]);
    }

    /// <inheritdoc/>
    public void Dispose() => Layer.Dispose();
}
