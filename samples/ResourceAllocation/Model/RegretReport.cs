using DiffOpt;
using DiffOpt.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using ResourceAllocation.Data;

namespace ResourceAllocation.Model;

/// <summary>Held-out quality of an allocation model: mean regret against the oracle, realised cost, prediction MSE.</summary>
public sealed record RegretReport(double MeanRegret, double MeanRealisedCost, double OracleRealisedCost, double PredictionMse, int Unsolved)
{
    private sealed class Scored
    {
        [VectorType(AllocationRow.ResourceCount)] public float[] Score { get; set; } = [];
        public uint ScoreStatus { get; set; } // a SolverStatusColumn key
        [VectorType(AllocationRow.ResourceCount)] public float[] ScoreParameters { get; set; } = [];
        [VectorType(AllocationRow.ResourceCount)] public float[] Oracle { get; set; } = [];
        [VectorType(AllocationRow.ResourceCount)] public float[] TrueMean { get; set; } = [];
        [VectorType(AllocationRow.ResourceCount)] public float[] Label { get; set; } = [];
    }

    /// <summary>
    /// Regret of a decision w: cost(w; μ) − cost(w*(μ); μ) under the true expected returns μ (never negative, as
    /// w*(μ) minimises the expected cost); realised cost: cost under the realised returns.
    /// </summary>
    public static RegretReport Measure(MLContext ml, IDataView scored, AllocationProblem problem)
    {
        var rows = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
        var solved = rows.Where(r => SolverStatusColumn.StatusOf(r.ScoreStatus) == SolverStatus.Solved).ToList();
        return new RegretReport(
            solved.Average(r => problem.CostOf(r.Score, r.TrueMean) - problem.CostOf(r.Oracle, r.TrueMean)),
            solved.Average(r => problem.CostOf(r.Score, r.Label)),
            solved.Average(r => problem.CostOf(r.Oracle, r.Label)),
            rows.SelectMany(r => r.ScoreParameters.Zip(r.TrueMean, (p, t) => (double)(p - t) * (p - t))).Average(),
            rows.Count - solved.Count);
    }
}
