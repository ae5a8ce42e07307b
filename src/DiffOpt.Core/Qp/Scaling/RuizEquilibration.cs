using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Diagonal scaling of a batch of QPs (modified Ruiz equilibration, as in OSQP and PIQP): the scaled problem has
/// P̃ = DPD, c̃ = Dc, Ã = E_A·A·D, b̃ = E_A·b, G̃ = E_G·G·D, h̃ = E_G·h, so that every column of the KKT
/// matrix [P Aᵀ Gᵀ; A 0 0; G 0 0] has infinity norm close to 1. Primal variables map as z = D z̃,
/// equality duals as y = E_A ỹ, inequality duals as λ = E_G λ̃ and slacks as s = E_G⁻¹ s̃. The factors are
/// powers of two, so that these maps and the scaled data are exact.
/// </summary>
internal sealed class RuizEquilibration
{
    private const double MinNorm = 1e-4;
    private const double MaxNorm = 1e4;
    private const double ConvergedChange = 0.001;

    private RuizEquilibration(Tensor d, Tensor eA, Tensor eG)
    {
        D = d; EA = eA; EG = eG;
    }

    /// <summary>Column scaling of the variables (B,n).</summary>
    public Tensor D { get; }

    /// <summary>Row scaling of the equality constraints (B,k).</summary>
    public Tensor EA { get; }

    /// <summary>Row scaling of the inequality constraints (B,m).</summary>
    public Tensor EG { get; }

    /// <summary>
    /// Computes the scaling of <paramref name="problem"/> (at most <paramref name="iterations"/> passes, fewer once
    /// every factor of a pass is within 0.1 % of 1, as for data that are equilibrated already; stopping at 5 % saved
    /// a few passes but cost two Maros-Meszaros problems their 1e-9 accuracy) and returns the scaled problem. The
    /// norms of the scaled
    /// matrices are read off |P|, |A|, |G| and the accumulated factors, so the scaled matrices are formed once.
    /// </summary>
    public static (RuizEquilibration Scaling, ScaledQp Scaled) Apply(QpProblem problem, int iterations) =>
        Apply(problem, iterations, useKernel: UsesKernel(problem));

    /// <summary>
    /// As <see cref="Apply(QpProblem, int)"/>, choosing the implementation of the passes: the per-item CPU kernel
    /// (<see cref="RuizKernel"/>) or batched tensor operations (any device). Both compute the same factors, each
    /// item stopping on its own once it converged.
    /// </summary>
    internal static (RuizEquilibration Scaling, ScaledQp Scaled) Apply(QpProblem problem, int iterations, bool useKernel)
    {
        var P = problem.Q; var c = problem.P; var A = problem.A; var G = problem.G;
        var (d, eA, eG) = iterations == 0 ? Identity(problem)
            : useKernel ? KernelFactors(problem, iterations) : TensorFactors(problem, iterations);
        if (iterations > 0)
        {
            (d, eA, eG) = (NearestPowerOfTwo(d), NearestPowerOfTwo(eA), NearestPowerOfTwo(eG));
            (P, A, G) = useKernel
                ? (KernelScaled(P, d, d), KernelScaled(A, eA, d), KernelScaled(G, eG, d))
                : (d.unsqueeze(-1) * P * d.unsqueeze(-2), eA.unsqueeze(-1) * A * d.unsqueeze(-2), eG.unsqueeze(-1) * G * d.unsqueeze(-2));
        }
        var scaling = new RuizEquilibration(d, eA, eG);
        var scaled = new ScaledQp(P, d * c, A, eA * problem.Bvec, G, eG * problem.H);
        return (scaling, scaled);
    }

    /// <summary>
    /// 2^round(log₂ f): scaling by powers of two is exact, so the scaled problem is the original one with shifted
    /// exponents and its residuals are the original residuals under exact (diagonal) maps; arbitrary factors would
    /// round every scaled entry and put an error of ε·|terms| into residuals the solver drives below it. The
    /// equilibration it gives up is at most a factor of √2 per factor.
    /// </summary>
    private static Tensor NearestPowerOfTwo(Tensor factors) => factors.log2().round().exp2();

    /// <summary>Whether <see cref="RuizKernel"/> can run on the problem's data: CPU tensors of float32 or float64.</summary>
    internal static bool UsesKernel(QpProblem problem) =>
        NativeLapack.Serves(problem.Q);

    /// <summary>
    /// The scalings' batch: shared matrices (batch 1) get one scaling for the whole batch, per-item ones one per
    /// item, and an empty batch of per-item matrices none (absent blocks are shared, so they must not count then).
    /// </summary>
    private static long ScalingItems(QpProblem problem)
    {
        long[] items = [problem.Q.shape[0], problem.A.shape[0], problem.G.shape[0]];
        return items.Contains(0) ? 0 : items.Max();
    }

    private static (Tensor D, Tensor EA, Tensor EG) Identity(QpProblem problem)
    {
        long items = ScalingItems(problem);
        var (dtype, device) = (problem.P.dtype, problem.P.device);
        return (ones(items, problem.VariableCount, dtype, device), ones(items, problem.EqualityCount, dtype, device),
            ones(items, problem.InequalityCount, dtype, device));
    }

    /// <summary>The factors from <see cref="RuizKernel"/>, computed in float64 and returned in the problem's dtype.</summary>
    private static unsafe (Tensor D, Tensor EA, Tensor EG) KernelFactors(QpProblem problem, int iterations)
    {
        long items = ScalingItems(problem);
        // The kernel takes the magnitudes as it reads the entries, so |Q|, |A|, |G| are never formed.
        Tensor AsDouble(Tensor t) => t.to_type(ScalarType.Float64).contiguous();
        var (p, a, g) = (AsDouble(problem.Q), AsDouble(problem.A), AsDouble(problem.G));
        var d = ones(items, problem.VariableCount, ScalarType.Float64);
        var eA = ones(items, problem.EqualityCount, ScalarType.Float64);
        var eG = ones(items, problem.InequalityCount, ScalarType.Float64);
        RuizKernel.Equilibrate(BatchMatrices<double>.Of(p), BatchMatrices<double>.Of(a), BatchMatrices<double>.Of(g), items, iterations, MinNorm, MaxNorm, ConvergedChange,
            NativeLapack.Data<double>(d), NativeLapack.Data<double>(eA), NativeLapack.Data<double>(eG));
        GC.KeepAlive(p); GC.KeepAlive(a); GC.KeepAlive(g);
        var dtype = problem.P.dtype;
        return (d.to_type(dtype), eA.to_type(dtype), eG.to_type(dtype));
    }

    /// <summary>
    /// diag(left)·M·diag(right) per item from <see cref="RuizKernel.ScaleRowsAndColumns{T}"/>: one pass that reads M
    /// and writes the result, where the tensor form makes two passes and a temporary of M's size. The factors are
    /// powers of two, so both give the same bits.
    /// </summary>
    private static unsafe Tensor KernelScaled(Tensor matrix, Tensor left, Tensor right)
    {
        var source = matrix.contiguous();
        var (l, r) = (left.contiguous(), right.contiguous());
        var result = empty(left.shape[0], matrix.shape[1], matrix.shape[2], dtype: matrix.dtype);
        if (matrix.dtype == ScalarType.Float64)
            RuizKernel.ScaleRowsAndColumns(BatchMatrices<double>.Of(source), left.shape[0], NativeLapack.Data<double>(l), NativeLapack.Data<double>(r), NativeLapack.Data<double>(result));
        else
            RuizKernel.ScaleRowsAndColumns(BatchMatrices<float>.Of(source), left.shape[0], NativeLapack.Data<float>(l), NativeLapack.Data<float>(r), NativeLapack.Data<float>(result));
        GC.KeepAlive(source); GC.KeepAlive(l); GC.KeepAlive(r);
        return result;
    }

    /// <summary>The factors from batched tensor operations; each item stops once it has converged, as in the kernel.</summary>
    private static (Tensor D, Tensor EA, Tensor EG) TensorFactors(QpProblem problem, int iterations)
    {
        long items = ScalingItems(problem);
        var (d, eA, eG) = Identity(problem);
        var (absP, absG, absA) = problem.Magnitudes;
        // Work buffers, rewritten in place each pass: the matrices are the large tensors of a batch, and fresh
        // allocations of their size cost more in page faults than the arithmetic.
        var workP = empty_like(Batched.ExpandBatch(absP, items));
        var workA = empty_like(Batched.ExpandBatch(absA, items));
        var workG = empty_like(Batched.ExpandBatch(absG, items));
        Tensor Scaled(Tensor work, Tensor magnitude, Tensor factors) => work.copy_(Batched.ExpandBatch(magnitude, items)).mul_(factors);
        var active = ones(items, dtype: ScalarType.Bool, device: d.device);
        for (int i = 0; i < iterations; i++)
        {
            // Column j of D P D has norm d_j max_i d_i |P_ij|; likewise for E A D and E G D.
            var columnNorm = Batched.Max(
                d * Batched.ColumnInfNorms(Scaled(workP, absP, d.unsqueeze(-1))),
                d * Batched.ColumnInfNorms(Scaled(workA, absA, eA.unsqueeze(-1))),
                d * Batched.ColumnInfNorms(Scaled(workG, absG, eG.unsqueeze(-1))));
            var dStep = InverseSqrtOfLimited(columnNorm);
            var eAStep = InverseSqrtOfLimited(eA * Batched.RowInfNorms(Scaled(workA, absA, d.unsqueeze(-2))));
            var eGStep = InverseSqrtOfLimited(eG * Batched.RowInfNorms(Scaled(workG, absG, d.unsqueeze(-2))));
            // Items that converged in an earlier pass keep their factors, as in the kernel, so that an item's scaling
            // does not depend on how long its companions need.
            var moving = active.unsqueeze(-1);
            d = where(moving, d * dStep, d); eA = where(moving, eA * eAStep, eA); eG = where(moving, eG * eGStep, eG);
            var change = Batched.Max(Batched.InfNorm((dStep - 1).flatten(1)), Batched.InfNorm((eAStep - 1).flatten(1)), Batched.InfNorm((eGStep - 1).flatten(1)));
            active = active & (change > ConvergedChange);
            if (!active.any().item<bool>()) break;
        }
        return (d, eA, eG);
    }

    /// <summary>Norms below 1e-4 are treated as 1 (empty rows), norms above 1e4 are capped; returns 1/√norm.</summary>
    private static Tensor InverseSqrtOfLimited(Tensor norm)
    {
        var limited = where(norm < MinNorm, ones_like(norm), norm.clamp_max(MaxNorm));
        return limited.rsqrt();
    }

    /// <summary>The scaling of the items at <paramref name="index"/> (a 1-D int64 tensor of batch positions).</summary>
    public RuizEquilibration Select(Tensor index) =>
        new(Batched.SelectItems(D, index), Batched.SelectItems(EA, index), Batched.SelectItems(EG, index));

    /// <summary>z = D z̃.</summary>
    public Tensor UnscalePrimal(Tensor x) => D * x;

    /// <summary>y = E_A ỹ.</summary>
    public Tensor UnscaleEqualityDual(Tensor y) => EA * y;

    /// <summary>λ = E_G λ̃.</summary>
    public Tensor UnscaleInequalityDual(Tensor z) => EG * z;

    /// <summary>Unscaled equality residual from a scaled one: E_A⁻¹ r̃.</summary>
    public Tensor UnscaleEqualityResidual(Tensor r) => r / EA;

    /// <summary>Unscaled inequality residual (or slack) from a scaled one: E_G⁻¹ r̃.</summary>
    public Tensor UnscaleInequalityResidual(Tensor r) => r / EG;

    /// <summary>Unscaled dual residual from a scaled one: D⁻¹ r̃.</summary>
    public Tensor UnscaleDualResidual(Tensor r) => r / D;

    /// <summary>z̃ = D⁻¹ z.</summary>
    public Tensor ScalePrimal(Tensor x) => x / D;

    /// <summary>ỹ = E_A⁻¹ y.</summary>
    public Tensor ScaleEqualityDual(Tensor y) => y / EA;

    /// <summary>λ̃ = E_G⁻¹ λ.</summary>
    public Tensor ScaleInequalityDual(Tensor z) => z / EG;
}
