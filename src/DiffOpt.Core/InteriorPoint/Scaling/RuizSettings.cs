using System.Runtime.Intrinsics;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.InteriorPoint;

/// <summary>
/// The parameters of the Ruiz equilibration shared by the QP and cone solvers (<see cref="RuizKernel"/>,
/// <see cref="RuizTensor"/>). Each sweep multiplies every factor by 1/√(limited norm) of its scaled column or row
/// group (Ruiz, "A scaling algorithm to equilibrate both rows and columns norms in matrices", 2001).
/// </summary>
/// <param name="Sweeps">The largest number of sweeps.</param>
/// <param name="MinNorm">Norms below this are treated as 1 or raised to it (<paramref name="RaiseSmallNorms"/>).</param>
/// <param name="MaxNorm">Norms above this are capped.</param>
/// <param name="ConvergedChange">An item stops once no factor of its sweep moved by more than this (0: only once none moved).</param>
/// <param name="RaiseSmallNorms">
/// False: a norm below <paramref name="MinNorm"/> leaves its factor (the QP's rule, as OSQP and PIQP). True: a zero norm
/// leaves its factor and other norms are clamped to [<paramref name="MinNorm"/>, <paramref name="MaxNorm"/>] (Clarabel's rule).
/// </param>
/// <param name="PowersOfTwo">Whether the final factors are rounded to the nearest power of two (exact scaling, see <see cref="RuizTensor.NearestPowerOfTwo"/>).</param>
/// <param name="ScaleCost">Whether the cost gets its own factor σ (<see cref="CostScale"/>).</param>
internal sealed record RuizSettings(int Sweeps, double MinNorm, double MaxNorm, double ConvergedChange, bool RaiseSmallNorms,
    bool PowersOfTwo, bool ScaleCost)
{
    /// <summary>
    /// The QP solver's equilibration: at most <paramref name="sweeps"/> sweeps, stopping once every factor of a sweep is
    /// within 0.1 % of 1 (stopping at 5 % saved a few sweeps but cost two Maros-Meszaros problems their 1e-9
    /// accuracy), powers of two, no cost scale.
    /// </summary>
    public static RuizSettings Qp(int sweeps) => new(sweeps, 1e-4, 1e4, 1e-3, RaiseSmallNorms: false, PowersOfTwo: true, ScaleCost: false);

    /// <summary>
    /// The cone solver's equilibration: 15 sweeps (Clarabel's default is 10), norms clamped to [1e-4, 1e4] as Clarabel's scaling
    /// bounds, a cost scale.
    /// </summary>
    public static RuizSettings Cone { get; } = new(15, 1e-4, 1e4, 0, RaiseSmallNorms: true, PowersOfTwo: false, ScaleCost: true);

    /// <summary>The norm a factor's step is taken from (its step is 1/√ of it).</summary>
    public double Limit(double norm) => RaiseSmallNorms
        ? norm == 0 ? 1 : Math.Clamp(norm, MinNorm, MaxNorm)
        : norm < MinNorm ? 1 : Math.Min(norm, MaxNorm);

    /// <summary><see cref="Limit(double)"/> in each lane of finite <paramref name="norms"/> (the native minimum and maximum are the minimum and maximum there).</summary>
    public Vector256<double> Limit(Vector256<double> norms)
    {
        var (one, min, max) = (Vector256.Create(1.0), Vector256.Create(MinNorm), Vector256.Create(MaxNorm));
        return RaiseSmallNorms
            ? Vector256.ConditionalSelect(Vector256.Equals(norms, Vector256<double>.Zero), one, Vector256.MinNative(Vector256.MaxNative(norms, min), max))
            : Vector256.ConditionalSelect(Vector256.LessThan(norms, min), one, Vector256.MinNative(norms, max));
    }

    /// <summary><see cref="Limit(double)"/> elementwise.</summary>
    public Tensor Limit(Tensor norms) => RaiseSmallNorms
        ? where(norms.EqualTo(0L), ones_like(norms), norms.Clamped(MinNorm, MaxNorm))
        : where(norms.LessThan(MinNorm), ones_like(norms), norms.AtMost(MaxNorm));
}
