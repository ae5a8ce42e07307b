using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Qp;

/// <summary>
/// The regularised KKT system of one interior-point iteration, for a whole batch, in condensed form:
/// <code>
///   [ P + ρI   Aᵀ    Gᵀ  ] [dx]   [rx]
///   [ A       −δI    0   ] [dy] = [ry]
///   [ G        0    −W   ] [dz]   [rz]      W = diag(w), w &gt; 0
/// </code>
/// Eliminating dy and dz leaves Φ dx = rx + Aᵀry/δ + Gᵀ(rz/w) with
/// Φ = P + ρI + AᵀA/δ + Gᵀ W⁻¹ G, symmetric positive definite for ρ, δ &gt; 0 and P ⪰ 0 (PIQP, §4).
/// Φ is factorised by one batched Cholesky; solves are refined iteratively against a target operator that
/// may differ from the factorised one (a smaller regularisation, or the unregularised system of the backward pass).
/// </summary>
internal sealed class KktSystem
{
    private readonly ScaledQp _qp;
    private readonly Tensor _aTa;

    /// <summary>AᵀA (B,n,n), formed once.</summary>
    public Tensor ATA => _aTa;

    public KktSystem(ScaledQp qp)
    {
        _qp = qp;
        _aTa = qp.A.transpose(-1, -2).bmm(qp.A);
    }

    /// <summary>The factor L of Φ = LLᵀ from the last <see cref="Factor"/>.</summary>
    public Tensor? Cholesky { get; private set; }

    /// <summary>The operator parameters Φ was built from.</summary>
    public KktParameters? Factored { get; private set; }

    /// <summary>
    /// Forms and factorises Φ for the operator <paramref name="parameters"/> plus a static diagonal
    /// <paramref name="staticShift"/> (B,). Returns a (B,) bool tensor: true where the factorisation failed.
    /// </summary>
    public Tensor Factor(KktParameters parameters, Tensor staticShift)
    {
        var phi = _qp.P + (1.0 / parameters.Delta).view(-1, 1, 1) * _aTa;
        if (_qp.InequalityCount > 0)
            phi = phi + _qp.G.transpose(-1, -2).bmm(_qp.G / parameters.W.unsqueeze(-1));
        phi = Batched.AddDiagonal(phi, (parameters.Rho + staticShift).unsqueeze(-1).expand_as(_qp.C));
        var (factor, info) = linalg.cholesky_ex(phi);
        var failed = (info != 0) | ~isfinite(factor).flatten(1).all(-1);
        Cholesky = where(failed.view(-1, 1, 1), eye(_qp.N, dtype: phi.dtype, device: phi.device).expand_as(phi), factor);
        Factored = parameters with { Rho = parameters.Rho + staticShift };
        return failed;
    }

    /// <summary>
    /// Solves the system of <paramref name="target"/> for the right-hand side <paramref name="rhs"/>, using the
    /// current factorisation as a preconditioner for at most <paramref name="refinementSteps"/> refinement steps.
    /// </summary>
    public KktVector Solve(KktParameters target, KktVector rhs, int refinementSteps)
    {
        var solution = SolveFactored(rhs);
        for (int step = 0; step < refinementSteps; step++)
        {
            var residual = rhs - Multiply(target, solution);
            var correction = SolveFactored(residual);
            solution = solution + correction;
        }
        return solution;
    }

    /// <summary>
    /// Like <see cref="Solve"/>, but refines until every item's residual is at most <paramref name="relativeTolerance"/>
    /// times its right-hand side norm (or <paramref name="maxSteps"/> is reached); returns the solution and the
    /// per-item residual norm.
    /// </summary>
    public (KktVector Solution, Tensor Residual) SolveAccurately(KktParameters target, KktVector rhs, int maxSteps, double relativeTolerance)
    {
        var rhsNorm = rhs.InfNorm();
        var solution = SolveFactored(rhs);
        var residual = rhs - Multiply(target, solution);
        var residualNorm = residual.InfNorm();
        for (int step = 0; step < maxSteps; step++)
        {
            if ((residualNorm <= relativeTolerance * rhsNorm).all().item<bool>()) break;
            var candidate = solution + SolveFactored(residual);
            var candidateResidual = rhs - Multiply(target, candidate);
            var candidateNorm = candidateResidual.InfNorm();
            // Keep, per item, whichever of the two is better: refinement must never make a solution worse.
            var better = candidateNorm < residualNorm;
            solution = Select(better, candidate, solution);
            residual = Select(better, candidateResidual, residual);
            residualNorm = where(better, candidateNorm, residualNorm);
        }
        return (solution, residualNorm);
    }

    private static KktVector Select(Tensor mask, KktVector a, KktVector b)
    {
        var m = mask.unsqueeze(-1);
        return new KktVector(where(m, a.X, b.X), where(m, a.Y, b.Y), where(m, a.Z, b.Z));
    }

    /// <summary>Applies the operator <paramref name="parameters"/> to <paramref name="v"/>.</summary>
    public KktVector Multiply(KktParameters parameters, KktVector v)
    {
        var x = Batched.MatVec(_qp.P, v.X) + Batched.PerItem(parameters.Rho) * v.X
                + Batched.MatTVec(_qp.A, v.Y) + Batched.MatTVec(_qp.G, v.Z);
        var y = Batched.MatVec(_qp.A, v.X) - Batched.PerItem(parameters.Delta) * v.Y;
        var z = Batched.MatVec(_qp.G, v.X) - parameters.W * v.Z;
        return new KktVector(x, y, z);
    }

    private KktVector SolveFactored(KktVector rhs)
    {
        var p = Factored ?? throw new InvalidOperationException("Factor must be called before Solve.");
        var invDelta = Batched.PerItem(1.0 / p.Delta);
        var zOverW = rhs.Z / p.W;
        var rhsX = rhs.X + Batched.MatTVec(_qp.A, rhs.Y * invDelta) + Batched.MatTVec(_qp.G, zOverW);
        var dx = cholesky_solve(rhsX.unsqueeze(-1), Cholesky!).squeeze(-1);
        var dy = (Batched.MatVec(_qp.A, dx) - rhs.Y) * invDelta;
        var dz = (Batched.MatVec(_qp.G, dx) - rhs.Z) / p.W;
        return new KktVector(dx, dy, dz);
    }
}

/// <summary>Parameters of the condensed KKT operator: ρ (B,), δ (B,) and the inequality diagonal w (B,m).</summary>
internal sealed record KktParameters(Tensor Rho, Tensor Delta, Tensor W);

/// <summary>A vector of the condensed KKT space: x (B,n), y (B,k), z (B,m).</summary>
internal sealed record KktVector(Tensor X, Tensor Y, Tensor Z)
{
    public static KktVector operator +(KktVector a, KktVector b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static KktVector operator -(KktVector a, KktVector b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Infinity norm over all three blocks, per item (B,).</summary>
    public Tensor InfNorm() => Batched.Max(Batched.InfNorm(X), Batched.InfNorm(Y), Batched.InfNorm(Z));
}
