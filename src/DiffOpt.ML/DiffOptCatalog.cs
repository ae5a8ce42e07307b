using DiffOpt.ML.Persistence;
using Microsoft.ML;

namespace DiffOpt.ML;

/// <summary>
/// The ML.NET entry points of DiffOpt: <c>mlContext.Regression.Trainers.QpLayer(...)</c> trains a network with a
/// differentiable QP layer; <c>mlContext.Transforms.SolveQp(...)</c> solves a QP per row ("predict, then
/// optimize").
/// </summary>
public static class DiffOptCatalog
{
    /// <summary>
    /// Creates a <see cref="QpLayerTrainer"/> that trains <paramref name="model"/> to map the feature vector column to the
    /// label vector column, writing its output to a vector column "Score".
    /// </summary>
    /// <param name="catalog">The regression trainer catalog.</param>
    /// <param name="labelColumnName">The label column, a known-size vector of Single or Double.</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single or Double.</param>
    /// <param name="model">The network to train; a <see cref="GenericQpModel"/> when null.</param>
    /// <param name="numberOfEpochs">Number of passes over the data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">Learning rate of Adam.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    public static QpLayerTrainer QpLayer(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", QpModel? model = null,
        int numberOfEpochs = 10, int batchSize = 32, double learningRate = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QpLayerTrainer(MlNetInterop.GetEnvironment(catalog), new QpLayerTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Model = model ?? new GenericQpModel(),
            NumberOfEpochs = numberOfEpochs,
            BatchSize = batchSize,
            LearningRate = learningRate,
        });
    }

    /// <summary>Creates a <see cref="QpLayerTrainer"/> with all of its options.</summary>
    /// <param name="catalog">The regression trainer catalog.</param>
    /// <param name="options">The trainer's options.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public static QpLayerTrainer QpLayer(this RegressionCatalog.RegressionTrainers catalog, QpLayerTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QpLayerTrainer(MlNetInterop.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// Creates a <see cref="QpSolvingEstimator"/> that solves, per row, minimize ½zᵀQz + pᵀz subject to Gz ≤ h, Az = b
    /// with p read from <paramref name="inputColumnName"/> and Q, G, h, A, b fixed, writing z* to
    /// <paramref name="outputColumnName"/> and the status to <paramref name="outputColumnName"/> + "Status".
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The solution column (vector of p's item type, length n).</param>
    /// <param name="inputColumnName">The column holding p, a known-size vector of Single or Double of length n.</param>
    /// <param name="quadraticTerm">Q, n × n, symmetric positive semidefinite.</param>
    /// <param name="inequalityMatrix">G, m × n, or null.</param>
    /// <param name="inequalityBound">h, length m; required with G.</param>
    /// <param name="equalityMatrix">A, k × n, or null.</param>
    /// <param name="equalityBound">b, length k; required with A.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">An argument has the wrong shape or is not finite; the message names it.</exception>
    public static QpSolvingEstimator SolveQp(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        double[,] quadraticTerm, double[,]? inequalityMatrix = null, double[]? inequalityBound = null,
        double[,]? equalityMatrix = null, double[]? equalityBound = null) =>
        catalog.SolveQp(outputColumnName, quadraticTerm, inequalityMatrix, inequalityBound, equalityMatrix, equalityBound, inputColumnName);

    /// <summary>
    /// Creates a <see cref="QpSolvingEstimator"/> that solves, per row, minimize ½zᵀQz + pᵀz subject to Gz ≤ h, Az = b
    /// with p read from <paramref name="inputColumnName"/> (by ML.NET's convention, <paramref name="outputColumnName"/>
    /// when null: the solution replaces p) and Q, G, h, A, b fixed, writing z* to <paramref name="outputColumnName"/> and
    /// the status to <paramref name="outputColumnName"/> + "Status".
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The solution column (vector of p's item type, length n).</param>
    /// <param name="quadraticTerm">Q, n × n, symmetric positive semidefinite.</param>
    /// <param name="inequalityMatrix">G, m × n, or null.</param>
    /// <param name="inequalityBound">h, length m; required with G.</param>
    /// <param name="equalityMatrix">A, k × n, or null.</param>
    /// <param name="equalityBound">b, length k; required with A.</param>
    /// <param name="inputColumnName">The column holding p, a known-size vector of Single or Double of length n; null
    /// means <paramref name="outputColumnName"/>.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">An argument has the wrong shape or is not finite; the message names it.</exception>
    public static QpSolvingEstimator SolveQp(this TransformsCatalog catalog, string outputColumnName,
        double[,] quadraticTerm, double[,]? inequalityMatrix = null, double[]? inequalityBound = null,
        double[,]? equalityMatrix = null, double[]? equalityBound = null, string? inputColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QpSolvingEstimator(MlNetInterop.GetEnvironment(catalog), new QpSolvingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            LinearTermColumnName = inputColumnName,
            QuadraticTerm = quadraticTerm,
            InequalityMatrix = inequalityMatrix,
            InequalityBound = inequalityBound,
            EqualityMatrix = equalityMatrix,
            EqualityBound = equalityBound,
        });
    }

    /// <summary>Creates a <see cref="QpSolvingEstimator"/> with all of its options (bounds from columns, solver options, status column).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The estimator's options.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">An option has the wrong shape or is not finite; the message names it.</exception>
    public static QpSolvingEstimator SolveQp(this TransformsCatalog catalog, QpSolvingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QpSolvingEstimator(MlNetInterop.GetEnvironment(catalog), options);
    }
}
