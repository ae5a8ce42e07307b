using DataPoisoning.Data;
using DataPoisoning.Model;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DataPoisoning.Attack;

/// <summary>The outcome of an attack: which points moved, by how much, and the test loss before and after.</summary>
public sealed record AttackResult(int[] Points, Tensor Poisoned, double LossBefore, double LossPredicted, double LossRealised);

/// <summary>
/// Moves the <c>k</c> training points with the largest test-loss gradient by projected gradient ascent, each within
/// a Euclidean ball of radius <c>budget</c> around its original position (the labels stay). The first-order
/// prediction is L(X) + ⟨∇L(X), δ⟩ with the gradient at the clean data.
/// </summary>
public static class PoisoningAttack
{
    /// <summary>Runs the attack with <paramref name="steps"/> ascent steps of length budget/steps·2 per point.</summary>
    public static AttackResult Run(LogisticLayer layer, LabelledSet train, LabelledSet test, int k, double budget, int steps)
    {
        if (k < 1 || k > train.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {train.Count}].");
        if (!(budget > 0)) throw new ArgumentOutOfRangeException(nameof(budget), budget, "The budget must be positive.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one step is needed.");
        var (before, gradient) = GradientCheck.Gradient(layer, train.Features, test);
        var norms = gradient.norm(1).cpu().data<double>().ToArray();
        var points = Enumerable.Range(0, norms.Length).OrderByDescending(i => norms[i]).Take(k).OrderBy(i => i).ToArray();
        var mask = zeros(train.Count, 1, dtype: ScalarType.Float64);
        foreach (var i in points) mask[i, 0] = 1;
        var delta = zeros_like(train.Features);
        double step = 2 * budget / steps;
        for (int s = 0; s < steps; s++)
        {
            var (_, g) = GradientCheck.Gradient(layer, train.Features.Plus(delta), test);
            using (no_grad())
            {
                var direction = g * mask / g.norm(1, keepdim: true).Plus(1e-12);
                delta = Project(delta.Plus(direction.Times(step)), budget);
            }
        }
        double predicted = before + (gradient * delta).sum().item<double>();
        var poisoned = train.Features.Plus(delta);
        double realised;
        using (no_grad())
        {
            var (theta, beta) = layer.Fit(poisoned);
            realised = LogisticLayer.Loss(theta, beta, test).item<double>();
        }
        return new AttackResult(points, poisoned, before, predicted, realised);
    }

    /// <summary>Scales each row of <paramref name="delta"/> back into the ball of radius <paramref name="radius"/>.</summary>
    private static Tensor Project(Tensor delta, double radius) =>
        delta * delta.norm(1, keepdim: true).Plus(1e-300).Into(radius).AtMost(1.0);
}
