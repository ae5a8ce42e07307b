using DiffOpt.Layers;
using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace ConvexControl.Control;

/// <summary>
/// The approximate-dynamic-programming policy of the paper: with the value function of the next state modelled as a
/// convex quadratic, minimising stage cost plus next-state value over u reduces (after dropping terms constant in u)
/// to
/// <code>
///   u(x) = argmin ½‖P_sqrt u‖² + xᵀ P₂₁ u + qᵀu   subject to  ‖u‖₂ ≤ 1
/// </code>
/// with learned P_sqrt (m × m), P₂₁ (n × m) and q (m); written with an auxiliary y = P₂₁u so that the product of the
/// parameters x and P₂₁ stays DPP. The LQR initialisation is P_sqrt = (R + BᵀPB)^½, P₂₁ = AᵀPB, q = 0 with P the
/// Riccati solution.
/// </summary>
public sealed class AdpPolicy : IDisposable
{
    private readonly ConvexLayer _layer;

    /// <summary>Builds the policy's problem for <paramref name="n"/> states and <paramref name="m"/> controls.</summary>
    public AdpPolicy(int n, int m)
    {
        X = new Parameter(n, "x");
        PSqrt = new Parameter(m, m, "P_sqrt");
        P21 = new Parameter(n, m, "P21");
        Q = new Parameter(m, "q");
        U = new Variable(m, "u");
        var y = new Variable(n, "y");
        Problem = Problem.Minimize(0.5 * SumSquares(PSqrt * U) + X * y + Q * U, Norm2(U) <= 1, y == P21 * U);
        _layer = new ConvexLayer(Problem, [X, PSqrt, P21, Q], [U]);
    }

    /// <summary>The state (a parameter).</summary>
    public Parameter X { get; }

    /// <summary>P_sqrt (a parameter).</summary>
    public Parameter PSqrt { get; }

    /// <summary>P₂₁ (a parameter).</summary>
    public Parameter P21 { get; }

    /// <summary>q (a parameter).</summary>
    public Parameter Q { get; }

    /// <summary>The control.</summary>
    public Variable U { get; }

    /// <summary>The policy's problem.</summary>
    public Problem Problem { get; }

    /// <summary>The controls (B, m) for states (B, n); differentiable in every argument.</summary>
    public Tensor Act(Tensor x, PolicyParameters p)
    {
        var u = _layer.forward(x, p.PSqrt, p.P21, p.Q)[0];
        if (_layer.LastStatus.Any(s => !DiffOpt.SolverStatusExtensions.HasSolution(s)))
            throw new InvalidOperationException($"The policy's problem was not solved: {string.Join(", ", _layer.LastStatus.Distinct())}.");
        return u;
    }

    /// <inheritdoc/>
    public void Dispose() => _layer.Dispose();
}

/// <summary>The learned parameters of <see cref="AdpPolicy"/> (TorchSharp parameters, so an optimizer can update them).</summary>
public sealed record PolicyParameters(Tensor PSqrt, Tensor P21, Tensor Q)
{
    /// <summary>The LQR initialisation for <paramref name="system"/>.</summary>
    public static PolicyParameters Lqr(LinearSystem system)
    {
        var p = system.RiccatiSolution();
        var s = system;
        return new PolicyParameters(
            new TorchSharp.Modules.Parameter(LinearSystem.SquareRoot(s.R.Plus(s.B.t().matmul(p).matmul(s.B)))),
            new TorchSharp.Modules.Parameter(s.A.t().matmul(p).matmul(s.B)),
            new TorchSharp.Modules.Parameter(zeros(s.M, dtype: ScalarType.Float64)));
    }

    /// <summary>The tensors, for an optimizer.</summary>
    public Tensor[] All => [PSqrt, P21, Q];
}
