using DataPoisoning.Data;
using DiffOpt;
using DiffOpt.ML;
using DiffOpt.Samples;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace DataPoisoning.Model;

/// <summary>
/// The ML.NET face of the sample: each row of a data view is one training set (its features flattened row-major);
/// <c>SolveConvex</c> fits the logistic regression per row and writes θ and β. The fitted pipeline is saved to a
/// model file and loaded back (the problem travels inside it), so the classifiers can be refitted elsewhere.
/// </summary>
public static class ClassifierPipeline
{
    /// <summary>One training set.</summary>
    public sealed class TrainingSetRow
    {
        /// <summary>The features, row-major (N·n values).</summary>
        public double[] X { get; set; } = [];
    }

    private sealed class ClassifierRow
    {
        public double[] Theta { get; set; } = [];
        public double[] Beta { get; set; } = [];
        public uint Status { get; set; } // a SolverStatusColumn key
    }

    /// <summary>
    /// Fits one classifier per training set through a saved-and-reloaded ML.NET pipeline; returns (θ, β) per set.
    /// </summary>
    /// <exception cref="SampleException">A set was not solved.</exception>
    public static List<(double[] Theta, double Beta)> FitAll(LogisticLayer layer, IReadOnlyList<Tensor> trainingSets, string modelPath)
    {
        var ml = new MLContext(seed: 0);
        var schema = SchemaDefinition.Create(typeof(TrainingSetRow));
        schema["X"].ColumnType = new VectorDataViewType(NumberDataViewType.Double, layer.X.Shape.Size);
        var rows = trainingSets.Select(t => new TrainingSetRow { X = t.to(ScalarType.Float64).cpu().data<double>().ToArray() }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var model = ml.Transforms.SolveConvex(new ConvexSolvingEstimator.Options
        {
            Problem = layer.Problem,
            Inputs = [new ParameterColumn("X", layer.X)],
            Outputs = [new VariableColumn("Theta", layer.Theta), new VariableColumn("Beta", layer.Beta)],
        }).Fit(data);
        OutputFolder.EnsureFor(modelPath);
        ml.Model.Save(model, data.Schema, modelPath);
        var loaded = ml.Model.Load(modelPath, out _);
        var results = ml.Data.CreateEnumerable<ClassifierRow>(loaded.Transform(data), reuseRowObject: false).ToList();
        if (results.FirstOrDefault(r => SolverStatusColumn.StatusOf(r.Status) != SolverStatus.Solved) is { } failed)
            throw new SampleException($"a logistic regression was not solved ({SolverStatusColumn.NameOf(failed.Status)})");
        return results.Select(r => (r.Theta, r.Beta[0])).ToList();
    }

    /// <summary>The mean logistic loss of (θ, β) on <paramref name="set"/>.</summary>
    public static double TestLoss((double[] Theta, double Beta) classifier, LabelledSet set)
    {
        using var scope = NewDisposeScope();
        return LogisticLayer.Loss(tensor(classifier.Theta, ScalarType.Float64), tensor(classifier.Beta, ScalarType.Float64), set).item<double>();
    }
}
