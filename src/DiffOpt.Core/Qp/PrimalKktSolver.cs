using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// Eliminates dy and dz and factorises the n×n matrix
/// Φ = P + ρI + AᵀA/δ + Gᵀ W⁻¹ G = P + ρI + Cᵀ R⁻¹ C  (C = [A; G], R = diag(δ·1, w)),
/// symmetric positive definite for ρ, δ &gt; 0 and P ⪰ 0 (PIQP's dense KKT solver). Works for singular P
/// (linear programs) and any number of constraints; costs one (B,n,k+m)·(B,k+m,n) product per factorisation.
/// </summary>
internal sealed class PrimalKktSolver : KktSolver
{
    private readonly Tensor _c;        // (B,k+m,n) = [A; G]
    private readonly Tensor _cT;       // (B,n,k+m), contiguous
    private readonly Tensor _scaledC;  // (B,k+m,n) work buffer
    private Tensor? _cholesky;

    public PrimalKktSolver(ScaledQp qp) : base(qp)
    {
        _c = cat(new[] { qp.A, qp.G }, 1).contiguous();
        _cT = cat(new[] { qp.AT, qp.GT }, 2).contiguous();
        _scaledC = empty_like(_c);
    }

    public override (Tensor Rho, Tensor Delta)? FixedRegularization => null;

    public override KktSolver Select(Tensor index, ScaledQp qp) => new PrimalKktSolver(qp);

    public override Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        var inverseR = cat(new[] { (1.0 / parameters.Delta).unsqueeze(-1).expand(-1, Qp.EqualityCount), 1.0 / parameters.W }, 1);
        _scaledC.copy_(_c).mul_(inverseR.unsqueeze(-1));
        // (TorchSharp 0.107's Tensor.baddbmm passes its operands to native code in the wrong order, so the sum is spelled out.)
        var phi = _cT.bmm(_scaledC).add_(Qp.P);
        phi.diagonal(0, -2, -1).add_((parameters.Rho + staticShift).unsqueeze(-1));
        var (factor, failed) = CholeskyOrIdentity(phi);
        _cholesky = factor;
        Factored = parameters with { Rho = parameters.Rho + staticShift };
        return failed;
    }

    protected override KktVector SolveFactored(KktVector rhs)
    {
        var p = Factored ?? throw new InvalidOperationException("Factor must be called before Solve.");
        var invDelta = Batched.PerItem(1.0 / p.Delta);
        var rhsX = rhs.X + Qp.ATy(rhs.Y * invDelta) + Qp.GTz(rhs.Z / p.W);
        var dx = Batched.CholeskySolve(_cholesky!, rhsX);
        var dy = (Qp.Ax(dx) - rhs.Y) * invDelta;
        var dz = (Qp.Gx(dx) - rhs.Z) / p.W;
        return new KktVector(dx, dy, dz);
    }

    public override IEnumerable<Tensor> Tensors()
    {
        yield return _c; yield return _cT; yield return _scaledC;
        if (_cholesky is not null) yield return _cholesky;
        if (Factored is not null) { yield return Factored.Rho; yield return Factored.Delta; yield return Factored.W; }
    }
}
