using DiffOpt.Modeling;
using static TorchSharp.torch;

namespace DiffOpt.ML.Convex;

/// <summary>
/// Works around a lifetime issue of DiffOpt.Core (to be fixed there): a compiled problem builds and caches its
/// sparse float64 data maps on first use, and when that first use happens inside a caller's dispose scope (as
/// every per-batch scope here is) the cached tensors are disposed with the scope and later solves fail with
/// "Tensor invalid". One solve outside any scope, at zero parameter values, builds them for good.
/// </summary>
internal static class ProblemWarmUp
{
    /// <summary>Builds the float64 CPU data maps of <paramref name="problem"/>; its result (even a failure) does not matter.</summary>
    public static void BuildDataMaps(Problem problem, ConvexLayerOptions options)
    {
        var zero = problem.Parameters.ToDictionary(p => p, p => zeros([1, .. p.Shape.Dimensions], ScalarType.Float64));
        try
        {
            problem.Solve(zero, options with
            {
                Cone = options.Cone with { MaxIterations = 1, ThrowOnFailure = false },
                Qp = options.Qp with { MaxIterations = 1, ThrowOnFailure = false },
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
        {
            // Only the side effect matters.
        }
    }
}
