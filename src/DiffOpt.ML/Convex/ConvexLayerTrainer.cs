using DiffOpt.ML.Convex;
using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using DiffOpt.ML.Training;
using DiffOpt.Modeling;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Trains a network whose last stage is a convex optimisation layer: features → linear layers (ReLU between) →
/// the values of the problem's parameters (all of them, or those not read from input columns, see
/// <see cref="Options.ParameterColumns"/>) → <see cref="Layers.ConvexLayer"/> → the decision variable. The loss is
/// the mean squared error between decision and label, or a task loss of the decision, or a loss of the predicted
/// parameters (two-stage "predict, then optimize"). Create it with
/// <see cref="DiffOptMLCatalog.TrainerCatalog.ConvexLayer(ConvexLayerTrainer.Options)"/> (<c>mlContext.DiffOpt().Trainers.ConvexLayer</c>).
/// </summary>
/// <remarks>
/// Writes the decision to the score column (a Single vector of the decision's size), its status to
/// <c>{score}Status</c> and the predicted parameters (concatenated, row-major) to <c>{score}Parameters</c>.
/// Items whose problem has no solution are left out of the batch's loss (their gradient is zero).
/// </remarks>
public sealed class ConvexLayerTrainer : IEstimator<ConvexLayerTransformer>
{
    /// <summary>Options of <see cref="ConvexLayerTrainer"/>. Immutable; derive variants with <c>with</c>.</summary>
    public sealed record Options
    {
        /// <summary>The problem (DPP). Required.</summary>
        public Problem? Problem { get; init; }

        /// <summary>The decision variable written to the score column. Required.</summary>
        public Variable? Decision { get; init; }

        /// <summary>
        /// Parameters whose values come straight from input columns (known-size Single or Double vectors, matrices
        /// row-major) instead of from the network; the network predicts the others (at least one). Empty (the default):
        /// the network predicts every parameter. The model reads the same columns when it predicts.
        /// </summary>
        public IReadOnlyList<ParameterColumn> ParameterColumns { get; init; } = [];

        /// <summary>Widths of the hidden layers (ReLU after each); empty (the default) means one linear map.</summary>
        public IReadOnlyList<int> HiddenLayerSizes { get; init; } = [];

        /// <summary>Name of the feature column (known-size Single or Double vector). Default "Features".</summary>
        public string FeatureColumnName { get; init; } = "Features";

        /// <summary>Name of the label column (known-size Single or Double vector). Default "Label".</summary>
        public string LabelColumnName { get; init; } = "Label";

        /// <summary>Name of the decision column. Default "Score".</summary>
        public string ScoreColumnName { get; init; } = "Score";

        /// <summary>
        /// A task loss (decision (B, n), label (B, k)) → scalar, e.g. a decision's cost under the realised data
        /// ("decision-focused learning"). Not saved with the model. Null: see <see cref="ParameterLoss"/>.
        /// </summary>
        public Func<Tensor, Tensor, Tensor>? TaskLoss { get; init; }

        /// <summary>
        /// A loss of the predicted parameters (B, Σ sizes) and the label, e.g. MSE against the true parameters (two-stage
        /// training). Used only when <see cref="TaskLoss"/> is null; when both are null the loss is the mean squared
        /// error between decision and label.
        /// </summary>
        public Func<Tensor, Tensor, Tensor>? ParameterLoss { get; init; }

        /// <summary>Passes over the training data. Default 10.</summary>
        public int NumberOfEpochs { get; init; } = 10;

        /// <summary>Rows per mini-batch. Default 32.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Step size. Default 1e-2.</summary>
        public double LearningRate { get; init; } = 1e-2;

        /// <summary>The optimizer. Default Adam.</summary>
        public QpLayerOptimizer Optimizer { get; init; } = QpLayerOptimizer.Adam;

        /// <summary>Seed of initialisation and shuffling; null takes one from the MLContext.</summary>
        public int? Seed { get; init; }

        /// <summary>Solver settings. Default <see cref="ConvexLayerOptions.Default"/>.</summary>
        public ConvexLayerOptions SolverOptions { get; init; } = ConvexLayerOptions.Default;

        /// <summary>Receives the progress after every epoch.</summary>
        public IProgress<QpTrainingProgress>? Progress { get; init; }

        /// <summary>Stops training between mini-batches.</summary>
        public CancellationToken CancellationToken { get; init; }
    }

    private const string FeatureRole = "feature";
    private const string LabelRole = "label";
    private readonly IHost _host;
    private readonly Options _options;

    internal ConvexLayerTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        var problem = options.Problem ?? throw new ArgumentException("Options.Problem is required.", nameof(options));
        problem.CheckDpp();
        if (options.Decision is null || !problem.Variables.Contains(options.Decision))
            throw new ArgumentException($"Options.Decision must be a variable of the problem; got '{options.Decision?.Name}'.", nameof(options));
        var fed = CheckParameterColumns(problem, options.ParameterColumns);
        if (problem.Parameters.Count == fed.Count)
            throw new ArgumentException(problem.Parameters.Count == 0
                ? "The problem has no parameters for the network to predict."
                : "Options.ParameterColumns binds every parameter of the problem to a column: leave at least one for the network to predict.", nameof(options));
        if (problem.Parameters.FirstOrDefault(p => p.Psd) is { } psd)
            throw new ArgumentException($"Parameter '{psd.Name}' is declared PSD; PSD parameters can be neither predicted nor read from a column yet.", nameof(options));
        if (options.HiddenLayerSizes is null || options.HiddenLayerSizes.Any(h => h < 1))
            throw new ArgumentException("Options.HiddenLayerSizes must hold positive widths.", nameof(options));
        OptionChecks.AtLeast(options.NumberOfEpochs, 1, nameof(Options.NumberOfEpochs));
        OptionChecks.AtLeast(options.BatchSize, 1, nameof(Options.BatchSize));
        OptionChecks.PositiveFinite(options.LearningRate, nameof(Options.LearningRate));
        OptionChecks.ColumnName(options.FeatureColumnName, nameof(Options.FeatureColumnName));
        OptionChecks.ColumnName(options.LabelColumnName, nameof(Options.LabelColumnName));
        OptionChecks.ColumnName(options.ScoreColumnName, nameof(Options.ScoreColumnName));
        _options = options;
        _host = environment.Register(nameof(ConvexLayerTrainer));
    }

    /// <summary>Checks the feature and label columns; returns the schema with the score, status and parameter columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaCheck.NumericVector(inputSchema, FeatureRole, _options.FeatureColumnName);
        foreach (var input in _options.ParameterColumns)
            SchemaCheck.NumericVector(inputSchema, ParameterRole(input), input.ColumnName);
        return SchemaCheck.Append(inputSchema,
            MlNetInterop.VectorColumn(_options.ScoreColumnName, NumberDataViewType.Single),
            MlNetInterop.KeyColumnWithNames(_options.ScoreColumnName + "Status", NumberDataViewType.UInt32),
            MlNetInterop.VectorColumn(_options.ScoreColumnName + "Parameters", NumberDataViewType.Single));
    }

    /// <summary>Reads the training rows once, trains the network and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or size.</exception>
    public ConvexLayerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var feature = SchemaCheck.NumericVector(input.Schema, FeatureRole, _options.FeatureColumnName);
        var label = SchemaCheck.NumericVector(input.Schema, LabelRole, _options.LabelColumnName);
        int featureSize = ((VectorDataViewType)feature.Type).Size, labelSize = ((VectorDataViewType)label.Type).Size;
        int decisionSize = _options.Decision!.Shape.Size;
        if (_options.TaskLoss is null && _options.ParameterLoss is null && labelSize != decisionSize)
            SchemaCheck.NumericVector(input.Schema, LabelRole + " (mean squared error against the decision)", _options.LabelColumnName, decisionSize);
        var fed = _options.ParameterColumns.ToArray();
        foreach (var f in fed)
            SchemaCheck.NumericVector(input.Schema, ParameterRole(f), f.ColumnName, f.Parameter.Shape.Size);
        var problem = _options.Problem!;
        var predicted = problem.Parameters.Where(p => !fed.Any(f => ReferenceEquals(f.Parameter, p))).ToArray();
        var shape = new ConvexNetworkShape(problem, predicted, _options.Decision, featureSize, [.. _options.HiddenLayerSizes], _options.SolverOptions, fed);
        var seed = _options.Seed ?? _host.Rand.Next();
        using var channel = _host.Start(nameof(ConvexLayerTrainer));
        using var data = TrainingData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, featureSize, labelSize,
            ScalarType.Float64, channel, "training", [.. fed.Select(f => new ExtraColumn(f.ColumnName, f.Parameter.Shape.Size, f.Parameter.Nonnegative))]);
        var network = new ConvexNetwork(shape, seed);
        new ConvexTrainingLoop(_options, _host, channel).Run(network, data, seed);
        return new ConvexLayerTransformer(_host, network, _options.FeatureColumnName, _options.ScoreColumnName);
    }

    /// <summary>The role a parameter column plays in schema errors: "parameter 'name'".</summary>
    internal static string ParameterRole(ParameterColumn input) => $"parameter '{input.Parameter.Name}'";

    /// <summary>Checks that each entry names a column and a distinct, non-PSD parameter of <paramref name="problem"/>.</summary>
    private static IReadOnlyList<ParameterColumn> CheckParameterColumns(Problem problem, IReadOnlyList<ParameterColumn>? columns)
    {
        var fed = (columns ?? throw new ArgumentException("Options.ParameterColumns must not be null.", "options")).ToArray();
        foreach (var input in fed)
        {
            if (input is null || input.Parameter is null)
                throw new ArgumentException("Options.ParameterColumns holds an entry without a parameter.", "options");
            OptionChecks.ColumnName(input.ColumnName, nameof(Options.ParameterColumns));
            if (!problem.Parameters.Contains(input.Parameter))
                throw new ArgumentException($"Options.ParameterColumns: parameter '{input.Parameter.Name}' (column '{input.ColumnName}') does not occur in the problem.", "options");
            if (fed.Count(f => ReferenceEquals(f?.Parameter, input.Parameter)) > 1)
                throw new ArgumentException($"Options.ParameterColumns binds parameter '{input.Parameter.Name}' to more than one column.", "options");
        }
        return fed;
    }
}
