using DiffOpt.Modeling;
using DiffOpt.Native;
using static DiffOpt.Modeling.Atoms;
using static TorchSharp.torch;

namespace ResourceAllocation.Model;

/// <summary>
/// The allocation: maximise expected return minus a risk penalty over a budget with capacity limits,
/// <code>
///   w*(μ) = argmin −μᵀw + γ Σⱼ σⱼ² wⱼ²   s.t.  Σ w ≤ 1,  0 ≤ w ≤ cap
/// </code>
/// (a QP; the penalty is a diagonal-covariance mean–variance risk). The cost of a decision under returns r is
/// −rᵀw + γ Σ σⱼ² wⱼ².
/// </summary>
public sealed class AllocationProblem
{
    /// <summary>Builds the problem for <paramref name="resources"/> resources.</summary>
    public AllocationProblem(int resources, double riskAversion = 1.0, double capacity = 0.4)
    {
        Sigma = Enumerable.Range(0, resources).Select(j => 0.5 + 0.5 * j / Math.Max(resources - 1, 1)).ToArray();
        RiskAversion = riskAversion;
        Mean = new Parameter(resources, "mu");
        Allocation = new Variable(resources, "w");
        var risk = riskAversion * SumSquares(Multiply(new Constant(Sigma), Allocation));
        Problem = Problem.Minimize(-(Mean * Allocation) + risk, Sum(Allocation) <= 1, Allocation >= 0, Allocation <= capacity);
        Capacity = capacity;
    }

    /// <summary>Per-resource risk σⱼ.</summary>
    public double[] Sigma { get; }

    /// <summary>γ.</summary>
    public double RiskAversion { get; }

    /// <summary>The capacity of each resource.</summary>
    public double Capacity { get; }

    /// <summary>The predicted (or true) mean returns.</summary>
    public Parameter Mean { get; }

    /// <summary>The allocation.</summary>
    public Variable Allocation { get; }

    /// <summary>The problem.</summary>
    public Problem Problem { get; }

    /// <summary>The cost −rᵀw + γ Σ σⱼ² wⱼ² of decisions (B, n) under returns (B, n), per row.</summary>
    public Tensor Cost(Tensor decisions, Tensor returns)
    {
        var sigma = tensor(Sigma, decisions.dtype);
        return (-(decisions * returns).sum(1)).Plus((decisions * sigma).pow(ScalarSafeOperations.Two).sum(1).Times(RiskAversion));
    }

    /// <summary>The same cost for one decision (doubles).</summary>
    public double CostOf(IReadOnlyList<float> w, IReadOnlyList<float> r) =>
        Enumerable.Range(0, w.Count).Sum(j => -(double)r[j] * w[j] + RiskAversion * Math.Pow(Sigma[j] * w[j], 2));
}
