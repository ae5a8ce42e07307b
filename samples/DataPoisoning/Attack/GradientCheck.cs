using DataPoisoning.Data;
using DataPoisoning.Model;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DataPoisoning.Attack;

/// <summary>The test loss's gradient with respect to the training features, and its central finite-difference check.</summary>
public static class GradientCheck
{
    /// <summary>The test loss at the clean training data and its gradient (N, n) with respect to the training features.</summary>
    public static (double Loss, Tensor Gradient) Gradient(LogisticLayer layer, Tensor trainFeatures, LabelledSet test)
    {
        using var scope = NewDisposeScope();
        var x = trainFeatures.detach().clone().requires_grad_(true);
        var (theta, beta) = layer.Fit(x);
        var loss = LogisticLayer.Loss(theta, beta, test);
        loss.backward();
        return (loss.item<double>(), x.grad!.detach().clone().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Central differences (L(X + h·eᵢⱼ) − L(X − h·eᵢⱼ)) / 2h for every entry, solved as one batch of 2·N·n problems.
    /// </summary>
    public static Tensor FiniteDifferences(LogisticLayer layer, Tensor trainFeatures, LabelledSet test, double h)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = trainFeatures.numel();
        var steps = eye(n, dtype: ScalarType.Float64).Times(h).reshape([n, .. trainFeatures.shape]);
        var batch = cat([trainFeatures.unsqueeze(0).Plus(steps), trainFeatures.unsqueeze(0) - steps], 0);
        var (theta, beta) = layer.Fit(batch);
        var losses = LogisticLayer.Loss(theta, beta, test);
        return (losses.narrow(0, 0, n) - losses.narrow(0, n, n)).DividedBy(2 * h).reshape(trainFeatures.shape).MoveToOuterDisposeScope();
    }

    /// <summary>‖a − b‖ / ‖b‖ over all entries.</summary>
    public static double RelativeError(Tensor a, Tensor b) => (a - b).norm().item<double>() / Math.Max(b.norm().item<double>(), 1e-300);
}
