using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Native;
using DiffOpt.InteriorPoint;
using DiffOpt.LinearAlgebra;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// The regularised KKT system of one interior-point iteration for a whole batch, in condensed form:
/// <code>
///   [ P + ρI   Aᵀ    Gᵀ  ] [dx]   [rx]
///   [ A       −δI    0   ] [dy] = [ry]
///   [ G        0    −W   ] [dz]   [rz]      W = diag(w), w &gt; 0
/// </code>
/// Implementations differ in which Schur complement they factorise (see <see cref="PrimalKktSolver"/> and
/// <see cref="InequalitySchurKktSolver"/>). Solves are refined iteratively against a target operator that may
/// differ from the factorised one (a static shift, or the unregularised system of the backward pass).
/// </summary>
internal abstract class KktSolver
{
    protected KktSolver(ScaledQp qp)
    {
        Qp = qp;
    }

    /// <summary>The scaled problem whose KKT systems are solved.</summary>
    public ScaledQp Qp { get; }

    /// <summary>The operator of the last <see cref="Factor"/> (ρ including any static shift).</summary>
    public KktParameters? Factored { get; protected set; }

    /// <summary>
    /// When not null, the regularisation (ρ, δ) this solver is bound to: its factorisations depend on it, so the
    /// interior-point method must keep it fixed.
    /// </summary>
    public abstract (Tensor Rho, Tensor Delta)? FixedRegularization { get; }

    /// <summary>Factorises the operator <paramref name="parameters"/> plus a static diagonal shift (B,) on its first block; returns a (B,) bool tensor, true where it failed.</summary>
    public abstract Tensor Factor(KktParameters parameters, Tensor staticShift);

    /// <summary>
    /// The <see cref="PhaseTimer"/> phase that books <see cref="Factor"/>: forms whose per-iteration work differs in
    /// order (the n × n operator against the m × m Schur complement) are booked apart, so a cost model can tell them apart.
    /// </summary>
    public virtual string FactorisationPhase => "KKT factorisation";

    /// <summary>Solves with the current factorisation only.</summary>
    protected abstract KktVector SolveFactored(KktVector rhs);

    /// <summary>A solver for the items at <paramref name="index"/> (1-D int64 batch positions) of <paramref name="qp"/>, the matching subset of this solver's problem.</summary>
    public abstract KktSolver Select(Tensor index, ScaledQp qp);

    /// <summary>Every tensor the solver owns (for dispose-scope bookkeeping).</summary>
    public abstract IEnumerable<Tensor> Tensors();

    /// <summary>
    /// Solves the system of <paramref name="target"/> for <paramref name="rhs"/>, using the current factorisation
    /// as a preconditioner for <paramref name="refinementSteps"/> refinement steps, taken only by the items where
    /// <paramref name="refined"/> (B,) is true (by all when null); the others keep the plain solve.
    /// </summary>
    public KktVector Solve(KktParameters target, KktVector rhs, int refinementSteps, Tensor? refined = null)
    {
        using var phase = PhaseTimer.Measure("KKT solves", rhs.X.size(0));
        var solution = SolveFactored(rhs);
        for (int step = 0; step < refinementSteps; step++)
        {
            var corrected = solution + SolveFactored(rhs - Multiply(target, solution));
            solution = refined is null ? corrected : KktVector.Select(refined, corrected, solution);
        }
        return solution;
    }

    /// <summary>
    /// Like <see cref="Solve"/>, but refines each item until its residual is at most <paramref name="relativeTolerance"/>
    /// times its right-hand side norm, refinement stops improving it, or <paramref name="maxSteps"/> is reached; a step
    /// that does not improve an item is discarded for that item (<see cref="RefinementRule"/>). Returns the solution and
    /// the per-item residual norm. Each item stops on its own, so what it gets does not depend on how long its batch
    /// companions refine. The residuals are formed on the host (<see cref="RefinementResiduals"/>) when it can read the
    /// data, item by item with the solves when the solver has a kernel for them (<see cref="RefineItems"/>), and as
    /// tensors otherwise; the decisions are taken on the host, so every form gives the same bits.
    /// </summary>
    public (KktVector Solution, Tensor Residual) SolveAccurately(KktParameters target, KktVector rhs, int maxSteps, double relativeTolerance)
    {
        using var phase = PhaseTimer.Measure("KKT solves refined to accuracy", rhs.X.size(0));
        var rule = RefinementRule.WithSteps(maxSteps);
        bool onHost = RefinementResiduals.Applies(Qp, target, rhs);
        var rhsNorms = onHost ? RefinementResiduals.InfNorms(rhs) : TensorCopy.ToDoubles(rhs.InfNorm());
        var limit = RefinementRule.Limits(rhsNorms, relativeTolerance, Qp.P.dtype == ScalarType.Float32);
        if (onHost && RefineItems(target, rhs, limit, rule) is { } refined)
            return (refined.Solution, HostTensors.Of(refined.Norms, Qp.P.dtype, rhs.X.device));

        (KktVector Residual, double[] Norms) Residual(KktVector v)
        {
            if (onHost) return RefinementResiduals.Evaluate(Qp, target, rhs, v);
            var r = rhs - Multiply(target, v);
            return (r, TensorCopy.ToDoubles(r.InfNorm()));
        }

        var solution = SolveFactored(rhs);
        var (residual, norms) = Residual(solution);
        var items = norms.Select((norm, i) => rule.Start(norm, limit[i])).ToArray();
        for (int step = 0; step < rule.MaxSteps && items.Any(item => item.Active); step++)
        {
            var candidate = solution + SolveFactored(residual);
            var (candidateResidual, candidateNorms) = Residual(candidate);
            var better = new bool[items.Length];
            for (int i = 0; i < items.Length; i++)
                better[i] = items[i].Active && items[i].Offer(candidateNorms[i]);
            if (!better.Contains(true)) continue;
            var mask = better.All(b => b) ? null : HostTensors.Of(better, rhs.X.device);
            solution = mask is null ? candidate : KktVector.Select(mask, candidate, solution);
            residual = mask is null ? candidateResidual : KktVector.Select(mask, candidateResidual, residual);
        }
        return (solution, HostTensors.Of(items.Select(item => item.Norm).ToArray(), Qp.P.dtype, rhs.X.device));
    }

    /// <summary>
    /// <see cref="SolveAccurately"/> item by item in one kernel, when the solver has one (the same steps and bits);
    /// null otherwise. <paramref name="limit"/> holds each item's residual limit.
    /// </summary>
    protected virtual (KktVector Solution, double[] Norms)? RefineItems(KktParameters target, KktVector rhs, double[] limit,
        RefinementRule rule) => null;

    /// <summary>Applies the operator <paramref name="parameters"/> to <paramref name="v"/>.</summary>
    public KktVector Multiply(KktParameters parameters, KktVector v)
    {
        var (px, ax, gx, force) = Qp.ResidualProducts(v.X, v.Y, v.Z);
        var x = px.Plus(Batched.PerItem(parameters.Rho) * v.X).Plus(force);
        var y = ax - Batched.PerItem(parameters.Delta) * v.Y;
        var z = gx - parameters.W * v.Z;
        return new KktVector(x, y, z);
    }

    /// <summary>Factorises each (B,k,k) matrix of <paramref name="matrix"/>; returns the factor (identity where it failed) and the failure mask.</summary>
    protected static (Tensor Factor, Tensor Failed) CholeskyOrIdentity(Tensor matrix) => BatchedCholesky.Factor(matrix, overwrite: true);
}

/// <summary>Parameters of the condensed KKT operator: ρ (B,), δ (B,) and the inequality diagonal w (B,m).</summary>
internal sealed record KktParameters(Tensor Rho, Tensor Delta, Tensor W);

/// <summary>A vector of the condensed KKT space: x (B,n), y (B,k), z (B,m).</summary>
internal sealed record KktVector(Tensor X, Tensor Y, Tensor Z)
{
    public static KktVector operator +(KktVector a, KktVector b) => new(a.X.Plus(b.X), a.Y.Plus(b.Y), a.Z.Plus(b.Z));
    public static KktVector operator -(KktVector a, KktVector b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Infinity norm over all three blocks, per item (B,).</summary>
    public Tensor InfNorm() => HostRowNorms.InfNorm(X, Y, Z) ?? Batched.Max(Batched.InfNorm(X), Batched.InfNorm(Y), Batched.InfNorm(Z));

    /// <summary>Per item: <paramref name="a"/> where <paramref name="mask"/> (B,) is true, else <paramref name="b"/>.</summary>
    public static KktVector Select(Tensor mask, KktVector a, KktVector b)
    {
        // A host mask that is all true or all false (always at B = 1) picks a whole vector.
        if (HostMask.OnHost(mask)) { if (HostMask.All(mask)) return a; if (!HostMask.Any(mask)) return b; }
        var m = mask.unsqueeze(-1);
        return new KktVector(where(m, a.X, b.X), where(m, a.Y, b.Y), where(m, a.Z, b.Z));
    }
}
