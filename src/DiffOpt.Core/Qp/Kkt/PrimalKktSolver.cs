using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Eliminates dy and dz and factorises the n×n matrix
/// Φ = P + ρI + AᵀA/δ + Gᵀ W⁻¹ G = P + ρI + Cᵀ R⁻¹ C  (C = [A; G], R = diag(δ·1, w)),
/// symmetric positive definite for ρ, δ &gt; 0 and P ⪰ 0 (PIQP's dense KKT solver). Works for singular P
/// (linear programs) and any number of constraints; costs one (B,n,k+m)·(B,k+m,n) product per factorisation.
/// </summary>
internal sealed class PrimalKktSolver : KktSolver
{
    private readonly Tensor _c;        // (B|1,k+m,n) = [A; G]
    private readonly Tensor _cT;       // (B|1,n,k+m), contiguous
    private Tensor? _cholesky;
    private Tensor? _scaledC;          // (B,k+m,n) buffer for [A; G] scaled by R⁻¹

    public PrimalKktSolver(ScaledQp qp) : base(qp)
    {
        long items = Math.Max(qp.A.size(0), qp.G.size(0));
        _c = cat(new[] { Batched.ExpandBatch(qp.A, items), Batched.ExpandBatch(qp.G, items) }, 1).contiguous();
        _cT = _c.transpose(-1, -2).contiguous();
    }

    public override (Tensor Rho, Tensor Delta)? FixedRegularization => null;

    public override KktSolver Select(Tensor index, ScaledQp qp) => new PrimalKktSolver(qp);

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        var inverseR = cat(new[] { parameters.Delta.Into(1.0).unsqueeze(-1).expand(-1, Qp.EqualityCount), parameters.W.Into(1.0) }, 1);
        _scaledC ??= empty(Qp.BatchSize, _c.size(1), _c.size(2), _c.dtype, _c.device);
        var scaledC = _scaledC.copy_(Batched.ExpandBatch(_c, Qp.BatchSize)).mul_(inverseR.unsqueeze(-1));
        // matmul broadcasts a shared [A; G] over the batch. (TorchSharp 0.107's Tensor.baddbmm passes its operands
        // to native code in the wrong order, so the sum is spelled out.)
        var phi = _cT.matmul(scaledC).PlusInPlace(Qp.P);
        phi.diagonal(0, -2, -1).PlusInPlace(parameters.Rho.Plus(staticShift).unsqueeze(-1));
        var (factor, failed) = CholeskyOrIdentity(phi);
        _cholesky = factor;
        Factored = parameters with { Rho = parameters.Rho.Plus(staticShift) };
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        var p = Factored ?? throw new InvalidOperationException("Factor must be called before Solve.");
        var invDelta = Batched.PerItem(p.Delta.Into(1.0));
        var rhsX = rhs.X.Plus(Qp.ATy(rhs.Y * invDelta)).Plus(Qp.GTz(rhs.Z / p.W));
        var dx = Batched.CholeskySolve(_cholesky!, rhsX);
        var dy = (Qp.Ax(dx) - rhs.Y) * invDelta;
        var dz = (Qp.Gx(dx) - rhs.Z) / p.W;
        return new KktVector(dx, dy, dz);
    }

    public override IEnumerable<Tensor> Tensors()
    {
        yield return _c; yield return _cT;
        if (_scaledC is not null) yield return _scaledC;
        if (_cholesky is not null) yield return _cholesky;
        if (Factored is not null) { yield return Factored.Rho; yield return Factored.Delta; yield return Factored.W; }
    }
}
