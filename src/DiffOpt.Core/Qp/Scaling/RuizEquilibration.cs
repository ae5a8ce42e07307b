using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
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
    /// Computes the scaling of <paramref name="problem"/> (the shared equilibration with the QP's settings,
    /// <see cref="RuizSettings.Qp"/>: at most <paramref name="iterations"/> sweeps, every row its own group) and returns
    /// the scaled problem. The norms of the scaled matrices are read off |P|, |A|, |G| and the accumulated factors, so
    /// the scaled matrices are formed once, P̃ and G̃ in <paramref name="buffers"/> when given (<see cref="QpWorkspace"/>).
    /// </summary>
    public static (RuizEquilibration Scaling, ScaledQp Scaled) Apply(QpProblem problem, int iterations, BufferLease? buffers = null) =>
        Apply(problem, iterations, useKernel: UsesKernel(problem), buffers);

    /// <summary>
    /// As <see cref="Apply(QpProblem, int, BufferLease?)"/>, choosing the implementation of the sweeps: the per-item CPU kernel
    /// (<see cref="RuizKernel"/>) or batched tensor operations (any device). Both compute the same factors, each
    /// item stopping on its own once it converged.
    /// </summary>
    internal static (RuizEquilibration Scaling, ScaledQp Scaled) Apply(QpProblem problem, int iterations, bool useKernel,
        BufferLease? buffers = null)
    {
        var P = problem.Q; var c = problem.P; var A = problem.A; var G = problem.G;
        var (d, rows) = RuizTensor.Factors(P, [(A, RowGroups.Singletons), (G, RowGroups.Singletons)], problem.VariableCount,
            ScalingItems(problem), RuizSettings.Qp(iterations), problem.P, useKernel);
        var (eA, eG) = (rows[0], rows[1]);
        if (iterations > 0)
        {
            Tensor? Destination(QpBuffer slot, Tensor matrix, Tensor left) => buffers is null ? null
                : BufferLease.Empty(buffers, (int)slot, [left.size(0), matrix.size(1), matrix.size(2)], matrix.dtype, matrix.device);
            (P, A, G) = (RuizTensor.Scaled(P, d, d, useKernel, Destination(QpBuffer.ScaledQuadratic, P, d)), RuizTensor.Scaled(A, eA, d, useKernel),
                RuizTensor.Scaled(G, eG, d, useKernel, Destination(QpBuffer.ScaledInequalities, G, eG)));
        }
        var scaling = new RuizEquilibration(d, eA, eG);
        var scaled = new ScaledQp(P, d * c, A, eA * problem.Bvec, G, eG * problem.H);
        return (scaling, scaled);
    }

    /// <summary>Whether <see cref="RuizKernel"/> can run on the problem's data: CPU tensors of float32 or float64.</summary>
    internal static bool UsesKernel(QpProblem problem) =>
        NativeLapack.Serves(problem.Q);

    /// <summary>
    /// The scalings' batch: shared matrices (batch 1) get one scaling for the whole batch, per-item ones one per
    /// item, and an empty batch of per-item matrices none (absent blocks are shared, so they must not count then).
    /// </summary>
    private static long ScalingItems(QpProblem problem)
    {
        long[] items = [problem.Q.size(0), problem.A.size(0), problem.G.size(0)];
        return items.Contains(0) ? 0 : items.Max();
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
