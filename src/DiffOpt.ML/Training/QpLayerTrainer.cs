using System.Text.Json.Serialization;
using DiffOpt.ML.Data;
using DiffOpt.ML.Persistence;
using DiffOpt.ML.Training;
using DiffOpt.Qp;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace DiffOpt.ML;

/// <summary>
/// Trains, with TorchSharp, a network containing a differentiable QP layer that maps a feature vector column to
/// a label vector column, and returns a <see cref="QpLayerTransformer"/> writing the layer's output as a vector
/// Score column. Create it with <see cref="DiffOptCatalog.QpLayer(RegressionCatalog.RegressionTrainers, QpLayerTrainer.Options)"/>.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes |
/// | Input column data type | Known-size vector of Single or Double (features and label) |
/// | Output column data type | Known-size vector of Single (Score, the label's length) |
/// | Exportable to ONNX | No |
///
/// The model is one of <see cref="EqualityConstrainedQpModel"/>, <see cref="TotalVariationQpModel"/>,
/// <see cref="GenericQpModel"/> or <see cref="RegisteredModuleModel"/>. Training reads the rows into memory
/// once, then runs mini-batch epochs (shuffled, seeded from the MLContext unless <see cref="Options.Seed"/> is
/// set); rows with NaN or infinite values are skipped with a warning. After every epoch the training loss, the
/// validation loss (with validation data given to <see cref="Fit(IDataView, IDataView?, QpTrainingMonitor?)"/>) and the
/// epoch and elapsed times go to ML.NET's log (<c>mlContext.Log</c>) and to the <see cref="QpTrainingMonitor"/> given to
/// Fit, which also receives progress within long epochs and a snapshot of the model after each epoch. ML.NET's
/// cancellation of the MLContext (<c>mlContext.CancelExecution()</c>, as AutoML uses) or the monitor's token stops
/// training between batches with an <see cref="OperationCanceledException"/>. <see cref="Options"/> holds settings
/// only (it serialises with System.Text.Json).
/// QP items the solver cannot solve during training contribute zero gradient (see <see cref="QpFunction"/>).
/// ]]></format>
/// </remarks>
public sealed class QpLayerTrainer : IEstimator<QpLayerTransformer>
{
    /// <summary>Options of <see cref="QpLayerTrainer"/>. Immutable; derive variants with <c>with</c>.</summary>
    public sealed record Options
    {
        /// <summary>Name of the feature column, a known-size vector of Single or Double. Default "Features".</summary>
        public string FeatureColumnName { get; init; } = "Features";

        /// <summary>Name of the label column, a known-size vector of Single or Double. Default "Label".</summary>
        public string LabelColumnName { get; init; } = "Label";

        /// <summary>Name of the output column, a vector of Single of the label's length. Default "Score".</summary>
        public string ScoreColumnName { get; init; } = "Score";

        /// <summary>The network to train. Default a <see cref="GenericQpModel"/> with its defaults.</summary>
        public QpModel Model { get; init; } = new GenericQpModel();

        /// <summary>Number of passes over the training data. Default 10.</summary>
        public int NumberOfEpochs { get; init; } = 10;

        /// <summary>Rows per mini-batch (one batched QP solve). Default 32.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Learning rate of the optimizer. Default 1e-3.</summary>
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>The optimizer. Default <see cref="QpLayerOptimizer.Adam"/>.</summary>
        public QpLayerOptimizer Optimizer { get; init; } = QpLayerOptimizer.Adam;

        /// <summary>The training loss. Default <see cref="QpLayerLoss.MeanSquaredError"/>.</summary>
        public QpLayerLoss Loss { get; init; } = QpLayerLoss.MeanSquaredError;

        /// <summary>Weight of the L1 penalty Σ|entries| on the learned matrices (A, D, L, G, W). Default 0.</summary>
        public double L1Penalty { get; init; }

        /// <summary>Seed of parameter initialisation and shuffling; null (the default) takes one from the MLContext.</summary>
        public int? Seed { get; init; }

        /// <summary>Precision of training and prediction. Default <see cref="QpLayerPrecision.Float64"/>.</summary>
        public QpLayerPrecision Precision { get; init; } = QpLayerPrecision.Float64;

        /// <summary>Options of the QP solver inside the layer. Default <see cref="QpSolverOptions.Default"/>.</summary>
        public QpSolverOptions SolverOptions { get; init; } = QpSolverOptions.Default;

        /// <summary>Obsolete: pass the validation data to <see cref="Fit(IDataView, IDataView?, QpTrainingMonitor?)"/>.</summary>
        [Obsolete("Runtime objects do not belong in the options: pass validation data to Fit(trainData, validationData). Removed in the next release.")]
        [JsonIgnore]
        public IDataView? ValidationSet { get; init; }

        /// <summary>Obsolete: pass a <see cref="QpTrainingMonitor"/> to <see cref="Fit(IDataView, IDataView?, QpTrainingMonitor?)"/>.</summary>
        [Obsolete("Runtime objects do not belong in the options: pass a QpTrainingMonitor to Fit. Removed in the next release.")]
        [JsonIgnore]
        public IProgress<QpTrainingProgress>? Progress { get; init; }

        /// <summary>Obsolete: pass a <see cref="QpTrainingMonitor"/> to <see cref="Fit(IDataView, IDataView?, QpTrainingMonitor?)"/>.</summary>
        [Obsolete("Runtime objects do not belong in the options: pass a QpTrainingMonitor to Fit. Removed in the next release.")]
        [JsonIgnore]
        public Action<QpTrainingEpoch>? EpochCallback { get; init; }

        /// <summary>Obsolete: pass a <see cref="QpTrainingMonitor"/> to Fit, or cancel through <c>mlContext.CancelExecution()</c>.</summary>
        [Obsolete("Runtime objects do not belong in the options: pass a QpTrainingMonitor to Fit, or call mlContext.CancelExecution(). Removed in the next release.")]
        [JsonIgnore]
        public CancellationToken CancellationToken { get; init; }

        /// <summary>Checks every option that does not depend on the data.</summary>
        internal void Validate()
        {
            OptionChecks.ColumnName(FeatureColumnName, nameof(FeatureColumnName));
            OptionChecks.ColumnName(LabelColumnName, nameof(LabelColumnName));
            OptionChecks.ColumnName(ScoreColumnName, nameof(ScoreColumnName));
            if (Model is null)
                throw new ArgumentNullException(nameof(Model), "A model must be chosen.");
            OptionChecks.AtLeast(NumberOfEpochs, 1, nameof(NumberOfEpochs));
            OptionChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
            OptionChecks.PositiveFinite(LearningRate, nameof(LearningRate));
            OptionChecks.NonNegativeFinite(L1Penalty, nameof(L1Penalty));
            OptionChecks.Defined(Optimizer, nameof(Optimizer));
            OptionChecks.Defined(Loss, nameof(Loss));
            OptionChecks.Defined(Precision, nameof(Precision));
            if (SolverOptions is null)
                throw new ArgumentNullException(nameof(SolverOptions));
            SolverOptions.Validate();
        }
    }

    private const string FeatureRole = "feature";
    private const string LabelRole = "label";

    private readonly IHost _host;
    private readonly Options _options;

    internal QpLayerTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = environment.Register(nameof(QpLayerTrainer));
        _options = options;
    }

    /// <summary>The options this trainer was created with.</summary>
    public Options TrainerOptions => _options;

    /// <summary>
    /// Checks that the feature and label columns are known-size vectors of Single or Double and returns the input
    /// schema with the Score column (a known-size vector of Single) added. Vector lengths are checked by
    /// <see cref="Fit(IDataView)"/>, before any row is read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaCheck.NumericVector(inputSchema, FeatureRole, _options.FeatureColumnName);
        SchemaCheck.NumericVector(inputSchema, LabelRole, _options.LabelColumnName);
        return SchemaCheck.Append(inputSchema, MlNetInterop.VectorColumn(_options.ScoreColumnName, NumberDataViewType.Single));
    }

    /// <summary>Trains the network on <paramref name="input"/> and returns the transformer that applies it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or size.</exception>
    /// <exception cref="ArgumentException">The model does not fit the column sizes.</exception>
    /// <exception cref="OperationCanceledException">Training was canceled.</exception>
    public QpLayerTransformer Fit(IDataView input) => Fit(input, null, null);

    /// <summary>
    /// Trains the network on <paramref name="trainData"/>, computing the validation loss on
    /// <paramref name="validationData"/> after every epoch, and reporting to <paramref name="monitor"/>.
    /// </summary>
    /// <param name="trainData">The training rows.</param>
    /// <param name="validationData">Rows with the same feature and label columns, or null.</param>
    /// <param name="monitor">Progress, epoch callback and cancellation token, or null.</param>
    /// <returns>The transformer that applies the trained network.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or size.</exception>
    /// <exception cref="ArgumentException">The model does not fit the column sizes.</exception>
    /// <exception cref="OperationCanceledException">Training was canceled.</exception>
    public QpLayerTransformer Fit(IDataView trainData, IDataView? validationData, QpTrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var input = trainData;
        var run = TrainingRun.Create(_options, validationData, monitor);
        GetOutputSchema(MlNetInterop.ShapeOf(input.Schema));
        var featureSize = VectorSize(SchemaCheck.NumericVector(input.Schema, FeatureRole, _options.FeatureColumnName));
        var outputSize = VectorSize(SchemaCheck.NumericVector(input.Schema, LabelRole, _options.LabelColumnName));
        _options.Model.Validate(featureSize, outputSize);
        _options.Model.CheckAvailable(_host);
        if (run.Validation is { } validationSet)
        {
            SchemaCheck.NumericVector(validationSet.Schema, FeatureRole, _options.FeatureColumnName, featureSize);
            SchemaCheck.NumericVector(validationSet.Schema, LabelRole, _options.LabelColumnName, outputSize);
        }

        var seed = _options.Seed ?? _host.Rand.Next();
        var dtype = _options.Precision == QpLayerPrecision.Float32 ? ScalarType.Float32 : ScalarType.Float64;
        var info = new QpLayerModelInfo(_options.FeatureColumnName, _options.ScoreColumnName, featureSize, outputSize,
            _options.Model, _options.Precision, _options.SolverOptions);

        using var channel = _host.Start("Training");
        using var train = TrainingData.Read(input, _options.FeatureColumnName, _options.LabelColumnName, featureSize, outputSize, dtype, channel, "training");
        using var validation = run.Validation is null ? null
            : TrainingData.Read(run.Validation, _options.FeatureColumnName, _options.LabelColumnName, featureSize, outputSize, dtype, channel, "validation");
        var network = _options.Model.CreateNetwork(info.NetworkContext(seed, _host));
        try
        {
            new TrainingLoop(_options, run, _host, channel).Run(network, train, validation, seed, trained => Snapshot(trained, info));
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new QpLayerTransformer(_host, network, info);
    }

    /// <summary>An independent transformer holding a copy of <paramref name="network"/>'s current weights.</summary>
    private QpLayerTransformer Snapshot(QpNetwork network, QpLayerModelInfo info)
    {
        var copy = _options.Model.CreateNetwork(info.NetworkContext(seed: 0, _host));
        try
        {
            using var noGrad = no_grad();
            copy.load_state_dict(network.state_dict(), strict: true);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
        return new QpLayerTransformer(_host, copy, info);
    }

    private static int VectorSize(DataViewSchema.Column column) => ((VectorDataViewType)column.Type).Size;
}
