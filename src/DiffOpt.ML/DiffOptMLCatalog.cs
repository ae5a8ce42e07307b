using DiffOpt.ML.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiffOpt.ML;

/// <summary>
/// DiffOpt's catalog on an <see cref="MLContext"/>, reached with <c>mlContext.DiffOpt()</c>: the QP-layer
/// trainer, whose Score is a vector (so it lives here rather than in <c>mlContext.Regression</c>, whose evaluators,
/// permutation feature importance and AutoML expect a scalar Score), and <see cref="Evaluate"/>, the evaluator of
/// vector outputs and decisions.
/// </summary>
public sealed class DiffOptMLCatalog
{
    private readonly IHostEnvironment _environment;

    internal DiffOptMLCatalog(IHostEnvironment environment)
    {
        _environment = environment;
        Trainers = new TrainerCatalog(environment);
    }

    /// <summary>The trainers: <c>mlContext.DiffOpt().Trainers.QpLayer(...)</c>.</summary>
    public TrainerCatalog Trainers { get; }

    /// <summary>
    /// Registers (or replaces) on this MLContext the factory of the user module named <paramref name="name"/>, for
    /// <see cref="RegisteredModuleModel"/>: training builds the module with it, and <c>mlContext.Model.Load</c> on this
    /// context rebuilds a saved model's module with it before loading the weights. Like the assemblies of ML.NET's
    /// component catalog, a registration belongs to the context (and to every host of it), not to the process.
    /// </summary>
    /// <param name="name">A non-empty name, stored in saved models.</param>
    /// <param name="factory">Builds a fresh, untrained module mapping (B, d) features to (B, n) outputs.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    public void RegisterModule(string name, Func<ModuleFactoryContext, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        ModuleFactories.Register(_environment, name, factory);
    }

    /// <summary>
    /// Evaluates a vector-valued prediction (the QP layer's Score, or the decisions of <c>SolveQp</c>) against a label
    /// vector of the same length, as <c>mlContext.Regression.Evaluate</c> does for scalars: mean squared and absolute
    /// errors per output and overall, the count of each status when a status column is named, and the mean of an
    /// optional task loss of your own.
    /// </summary>
    /// <param name="data">The scored data (the output of a fitted model's <c>Transform</c>).</param>
    /// <param name="labelColumnName">The label column, a known-size vector of Single or Double.</param>
    /// <param name="scoreColumnName">The prediction column, a known-size vector of Single or Double of the label's length.</param>
    /// <param name="statusColumnName">
    /// A status column to count (the status key every DiffOpt transformer writes, <see cref="SolverStatusColumn"/>, any key column with
    /// text KeyValues, or a text column), or null for none.
    /// </param>
    /// <param name="taskLoss">
    /// A loss of your own, called as <c>taskLoss(label, score)</c> on every row whose label and score are finite (for
    /// example the cost cᵀz of a decision z when the label holds c); its mean is <see cref="VectorRegressionMetrics.TaskLoss"/>.
    /// It must return a finite value.
    /// </param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or length; the message names it.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="taskLoss"/> returned a NaN or infinite value (the message gives the row).</exception>
    public VectorRegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string? statusColumnName = null, Func<double[], double[], double>? taskLoss = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        OptionChecks.ColumnName(labelColumnName, nameof(labelColumnName));
        OptionChecks.ColumnName(scoreColumnName, nameof(scoreColumnName));
        if (statusColumnName is not null)
            OptionChecks.ColumnName(statusColumnName, nameof(statusColumnName));
        var metrics = VectorRegressionEvaluator.Evaluate(data, labelColumnName, scoreColumnName, statusColumnName, taskLoss);
        using var channel = _environment.Register(nameof(DiffOptMLCatalog)).Start("Evaluate");
        channel.Info(MessageSensitivity.None, "{0}", metrics.ToString());
        return metrics;
    }

    /// <summary>The trainers of DiffOpt: <c>mlContext.DiffOpt().Trainers</c>.</summary>
    public sealed class TrainerCatalog
    {
        private readonly IHostEnvironment _environment;

        internal TrainerCatalog(IHostEnvironment environment) => _environment = environment;

        /// <summary>
        /// Creates a <see cref="ConvexLayerTrainer"/>: a network from the feature column to the parameters of
        /// <see cref="ConvexLayerTrainer.Options.Problem"/>, followed by the convex layer, trained end to end.
        /// </summary>
        /// <param name="options">The problem, decision variable, architecture, loss and training settings.</param>
        /// <returns>The trainer.</returns>
        /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
        public ConvexLayerTrainer ConvexLayer(ConvexLayerTrainer.Options options) => new(_environment, options);

        /// <summary>
        /// Creates a <see cref="QpLayerTrainer"/> that trains <paramref name="model"/> to map the feature vector column to
        /// the label vector column, writing its output to a vector column "Score".
        /// </summary>
        /// <param name="labelColumnName">The label column, a known-size vector of Single or Double.</param>
        /// <param name="featureColumnName">The feature column, a known-size vector of Single or Double.</param>
        /// <param name="model">The network to train; a <see cref="GenericQpModel"/> when null.</param>
        /// <param name="numberOfEpochs">Number of passes over the data.</param>
        /// <param name="batchSize">Rows per mini-batch.</param>
        /// <param name="learningRate">Learning rate of Adam.</param>
        /// <returns>The trainer.</returns>
        /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
        public QpLayerTrainer QpLayer(string labelColumnName = "Label", string featureColumnName = "Features", QpModel? model = null,
            int numberOfEpochs = 10, int batchSize = 32, double learningRate = 1e-3) =>
            new(_environment, new QpLayerTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = featureColumnName,
                Model = model ?? new GenericQpModel(),
                NumberOfEpochs = numberOfEpochs,
                BatchSize = batchSize,
                LearningRate = learningRate,
            });

        /// <summary>Creates a <see cref="QpLayerTrainer"/> with all of its options.</summary>
        /// <param name="options">The trainer's options.</param>
        /// <returns>The trainer.</returns>
        /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
        public QpLayerTrainer QpLayer(QpLayerTrainer.Options options) => new(_environment, options);
    }
}
