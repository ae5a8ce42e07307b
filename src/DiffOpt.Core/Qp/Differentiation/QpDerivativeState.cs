using DiffOpt.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// What the implicit derivative of a solve needs: the problem the solver worked on (normalised to unit size by
/// <paramref name="Normalization"/>, null when that changed nothing), its scaling, the scaled final iterate, the last
/// KKT factorisation, which items have a usable solution (the others get zero gradient) and the lease of the
/// <see cref="QpWorkspace"/> buffers some of its tensors live in (null without one; see <see cref="BufferLease.IsReleased"/>).
/// </summary>
internal sealed record QpDerivativeState(
    QpProblem Problem,
    ProblemNormalization? Normalization,
    ScaledQp Scaled,
    RuizEquilibration Scaling,
    KktSolver Kkt,
    QpIterate ScaledIterate,
    Tensor Usable,
    BufferLease? Lease = null)
{
    /// <summary>Every tensor this state owns that was created during the solve.</summary>
    public IEnumerable<IDisposable> Tensors()
    {
        var list = new List<IDisposable?>
        {
            Scaling.D, Scaling.EA, Scaling.EG,
            ScaledIterate.X, ScaledIterate.Y, ScaledIterate.Z, ScaledIterate.S,
            Usable,
        };
        return list.Where(t => t is not null).Concat(Kkt.Tensors()).Concat(Scaled.Tensors())
            .Concat(Normalization?.Tensors() ?? []).Concat(Normalization is null ? [] : Problem.Tensors())!;
    }
}
