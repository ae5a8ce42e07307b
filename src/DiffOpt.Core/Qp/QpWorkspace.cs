using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Work memory of the QP solver kept across calls: the equilibrated P and G and the Schur form's H (with its factor),
/// V = G L⁻ᵀ, V Vᵀ and S, each of the batch's size (B × n × n and alike). Give one workspace to the calls of one layer or
/// training loop (<see cref="QpFunction.Apply"/>, <see cref="QpSolver(QpSolverOptions?, QpWorkspace?)"/>;
/// <see cref="Layers.QpLayer"/> owns one) and the second and later calls of a shape reuse the first call's memory
/// instead of mapping fresh pages (at B = 128, n = 100 every such matrix is 10 MB, which glibc maps anew and faults in
/// page by page unless its heap has grown to serve it). Results are those without a workspace up to the last bits,
/// which MKL rounds by its operands' memory alignment.
/// </summary>
/// <remarks>
/// A call leases its shape's set of buffers; the set is free again when the result no longer needs it: at once after
/// <see cref="QpSolver.Solve(Tensor, Tensor, Tensor?, Tensor?, Tensor?, Tensor?)"/>, and, for <see cref="QpFunction"/>,
/// once the tensors of the result's backward state are disposed (the dispose scope around the call ends) or collected.
/// A call that finds its shape's set in use (a concurrent call, or an earlier result whose backward pass may still
/// run) takes fresh memory, so results never share buffers. Sets are kept for at most <see cref="MaximumShapes"/>
/// shapes (a new shape replaces the least recently used free one); <see cref="Dispose"/> frees them. Problems whose
/// largest batch matrix is below 2 MiB do not use the workspace: the allocator's heap serves those without page faults.
/// </remarks>
public sealed class QpWorkspace : IDisposable
{
    /// <summary>The number of problem shapes whose idle buffers are kept: 2.</summary>
    public const int MaximumShapes = 2;

    private readonly BufferPool<QpShape> _pool = new(MaximumShapes);

    /// <summary>
    /// The buffers of <paramref name="qp"/>'s shape for one call; null when they are in use, the workspace is disposed,
    /// or the problem's largest batch matrix is below <see cref="FreshPages.MinimumBytes"/> (the allocator's heap serves
    /// such blocks without fresh pages, so keeping them would only cost bookkeeping).
    /// </summary>
    internal BufferLease? Lease(QpProblem qp)
    {
        long n = qp.VariableCount, m = qp.G.size(-2), side = Math.Max(n, m);
        if (qp.BatchSize * side * side * qp.Q.ElementSize < FreshPages.MinimumBytes) return null;
        return _pool.Lease(new QpShape(qp.BatchSize, n, m, qp.A.size(-2), qp.DType, qp.Q.device_type, qp.Q.device_index));
    }

    /// <summary>The number of shapes whose buffers are kept now (for tests).</summary>
    internal int KeptShapes => _pool.Count;

    /// <summary>How many calls reused buffers kept from an earlier call (for tests).</summary>
    internal int Reuses => _pool.Reuses;

    /// <summary>Frees the kept buffers; a call still holding a set frees it when its result is disposed.</summary>
    public void Dispose() => _pool.Dispose();

    private readonly record struct QpShape(long Batch, long N, long M, long P, ScalarType DType, TorchSharp.DeviceType Device, int DeviceIndex);
}

/// <summary>The buffers a <see cref="QpWorkspace"/> keeps, one slot each.</summary>
internal enum QpBuffer
{
    /// <summary>The equilibrated quadratic term P̃ = D P D (B,n,n).</summary>
    ScaledQuadratic,
    /// <summary>The equilibrated inequality matrix G̃ = E_G G D (B,m,n).</summary>
    ScaledInequalities,
    /// <summary>H = P̃ + ÃᵀÃ/δ₀ + ρ₀I of the Schur form and its factor L (B,n,n).</summary>
    SchurHessian,
    /// <summary>V = G̃ L⁻ᵀ of the Schur form (B,m,n).</summary>
    SchurRows,
    /// <summary>G̃ H⁻¹ G̃ᵀ = V Vᵀ of the Schur form (B,m,m).</summary>
    SchurGram,
    /// <summary>The Schur complement S and its factor (B,m,m).</summary>
    SchurComplement,
}
