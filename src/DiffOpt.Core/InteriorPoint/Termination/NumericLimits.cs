using TorchSharp;

namespace DiffOpt.InteriorPoint;

/// <summary>Precision-dependent constants of the interior-point method (PIQP's defaults for float64).</summary>
/// <param name="MachineEpsilon">Unit roundoff of the dtype.</param>
/// <param name="RegularizationFloor">Smallest proximal regularisation ρ, δ.</param>
/// <param name="FinetuneRegularizationFloor">Lower floor used once progress stalls at <paramref name="RegularizationFloor"/>.</param>
/// <param name="StaticRegularization">Diagonal shift added where a factorisation fails.</param>
/// <param name="DerivativeWeightFloor">Smallest s/λ used in the derivative's KKT operator (keeps it finite on active rows).</param>
/// <param name="SchurDualRegularization">Fixed δ of <see cref="Qp.InequalitySchurKktSolver"/>.</param>
/// <param name="StrongConvexity">Modulus τ above which a batch counts as strongly convex (P − τI ≻ 0, scaled data).</param>
internal sealed record NumericLimits(double MachineEpsilon, double RegularizationFloor, double FinetuneRegularizationFloor,
    double StaticRegularization, double DerivativeWeightFloor, double SchurDualRegularization, double StrongConvexity)
{
    private static readonly NumericLimits Double = new(2.220446049250313e-16, 1e-10, 1e-13, 1e-8, 1e-12, 1e-4, 1e-5);
    private static readonly NumericLimits Single = new(1.1920929e-07, 1e-6, 1e-7, 1e-5, 1e-5, 1e-2, 1e-3);

    public static NumericLimits For(torch.ScalarType dtype) => dtype == torch.ScalarType.Float32 ? Single : Double;
}
