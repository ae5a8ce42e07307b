using DiffOpt;
using DiffOpt.ML;
using DiffOpt.Samples;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace ConvexControl.Control;

/// <summary>
/// The trained policy as an ML.NET transform: rows hold a state and the learned (P_sqrt, P₂₁, q), and
/// <c>SolveConvex</c> writes the control. Saved to a model file and loaded back, it serves the policy anywhere.
/// </summary>
public static class PolicyPipeline
{
    private sealed class StateRow
    {
        public double[] X { get; set; } = [];
        public double[] PSqrt { get; set; } = [];
        public double[] P21 { get; set; } = [];
        public double[] Q { get; set; } = [];
    }

    private sealed class ControlRow
    {
        public double[] U { get; set; } = [];
        public uint Status { get; set; } // a SolverStatusColumn key
    }

    /// <summary>The controls for <paramref name="states"/> (B, n) through a saved-and-reloaded pipeline, (B, m).</summary>
    public static double[][] Controls(AdpPolicy policy, PolicyParameters parameters, Tensor states, string modelPath)
    {
        var ml = new MLContext(seed: 0);
        double[] Flat(Tensor t) => t.detach().cpu().contiguous().data<double>().ToArray();
        var schema = SchemaDefinition.Create(typeof(StateRow));
        foreach (var (name, p) in new[] { ("X", policy.X), ("PSqrt", policy.PSqrt), ("P21", policy.P21), ("Q", policy.Q) })
            schema[name].ColumnType = new VectorDataViewType(NumberDataViewType.Double, p.Shape.Size);
        var rows = Enumerable.Range(0, (int)states.shape[0]).Select(i => new StateRow
        {
            X = Flat(states[i]), PSqrt = Flat(parameters.PSqrt), P21 = Flat(parameters.P21), Q = Flat(parameters.Q),
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var model = ml.Transforms.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = policy.Problem,
            Inputs = [new("X", policy.X), new("PSqrt", policy.PSqrt), new("P21", policy.P21), new("Q", policy.Q)],
            Outputs = [new("U", policy.U)],
        }).Fit(data);
        OutputFolder.EnsureFor(modelPath);
        ml.Model.Save(model, data.Schema, modelPath);
        var controls = ml.Data.CreateEnumerable<ControlRow>(ml.Model.Load(modelPath, out _).Transform(data), reuseRowObject: false).ToList();
        if (controls.FirstOrDefault(c => SolverStatusColumn.StatusOf(c.Status) != SolverStatus.Solved) is { } failed)
            throw new SampleException($"the policy's problem was not solved for a state ({SolverStatusColumn.NameOf(failed.Status)})");
        return controls.Select(c => c.U).ToArray();
    }
}
