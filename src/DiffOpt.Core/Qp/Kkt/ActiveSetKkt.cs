using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The KKT operator at a (nearly) converged point, with the point's active set deciding the inequality block: an
/// active row (multiplier above its slack, in the scaled space) keeps a small weight w, an inactive row gets
/// <see cref="InactiveWeight"/> and so drops out (its multiplier is forced to 0), as at an exact, strictly
/// complementary solution. Polishing (<see cref="Polishing"/>) and the backward pass (<see cref="QpSensitivity"/>)
/// both solve with it.
/// </summary>
internal static class ActiveSetKkt
{
    /// <summary>The weight that removes an inactive row from the system.</summary>
    public const double InactiveWeight = 1e30;

    private const int MaxShiftRetries = 8;

    /// <summary>(B,m) bool: the rows whose scaled multiplier exceeds their scaled slack.</summary>
    public static Tensor ActiveRows(QpIterate it) => it.Z > it.S;

    /// <summary>The inequality weights: <paramref name="activeWeight"/> on active rows, <see cref="InactiveWeight"/> elsewhere.</summary>
    public static Tensor Weights(Tensor active, Tensor activeWeight) =>
        where(active, activeWeight, activeWeight.FullLike(InactiveWeight));

    /// <summary>
    /// Whether <paramref name="kkt"/>'s current factorisation is that of <see cref="Factor"/> for these weights and
    /// regularisation (no static shift was needed), so that it can be reused as it is. A solver with fixed
    /// regularisation (the Schur form) ignores the requested one, so only the weights decide there.
    /// </summary>
    public static bool HoldsFactorization(KktSolver kkt, Tensor w, Tensor regularization) =>
        kkt.Factored is { } factored && Same(factored.W, w)
        && (kkt.FixedRegularization is not null || (Same(factored.Rho, regularization) && Same(factored.Delta, regularization)));

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (HostValues.Equal(a, b) ?? (a == b).all().item<bool>());

    /// <summary>
    /// Factorises the operator with inequality weights <paramref name="w"/> and regularisation
    /// <paramref name="regularization"/> (B,) in both other blocks; where the factorisation fails, a static shift is
    /// raised a hundredfold, up to <see cref="MaxShiftRetries"/> times. The interior-point method's last
    /// factorisation cannot serve: PIQP's dual regularisation puts w + δ in the inequality block, and where w ≪ δ
    /// (the active rows of a converged point) refinement from it stalls.
    /// </summary>
    public static void Factor(KktSolver kkt, Tensor w, Tensor regularization)
    {
        using var phase = PhaseTimer.Measure("active-set " + kkt.FactorisationPhase, w.size(0));
        var shift = zeros_like(regularization);
        var parameters = new KktParameters(regularization, regularization, w);
        var failed = kkt.Factor(parameters, shift);
        for (int retry = 0; retry < MaxShiftRetries && HostMask.Any(failed); retry++)
        {
            shift = where(failed, maximum(shift.Times(100L), regularization), shift);
            failed = kkt.Factor(parameters, shift);
        }
    }
}
