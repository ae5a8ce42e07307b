using DiffOpt.ML.Persistence;
using Microsoft.ML;

namespace DiffOpt.ML;

/// <summary>
/// The ML.NET entry points of DiffOpt: <c>mlContext.DiffOpt()</c> holds the QP-layer trainer and the evaluator of
/// vector outputs (<see cref="DiffOptMLCatalog"/>); <c>mlContext.Transforms.SolveQp(...)</c> solves a QP per row
/// ("predict, then optimize").
/// </summary>
public static class DiffOptCatalog
{
    /// <summary>
    /// DiffOpt's own catalog on an <see cref="MLContext"/>: <c>mlContext.DiffOpt().Trainers.QpLayer(...)</c> trains a
    /// network with a differentiable QP layer (vector-valued output), <c>mlContext.DiffOpt().Evaluate(...)</c> scores
    /// vector outputs and decisions.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <returns>The catalog, bound to <paramref name="mlContext"/> (its seed, log and cancellation).</returns>
    public static DiffOptMLCatalog DiffOpt(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new DiffOptMLCatalog(MlNetInterop.GetEnvironment(mlContext));
    }

    /// <summary>Forwards to <see cref="DiffOptMLCatalog.TrainerCatalog.QpLayer(string, string, QpModel?, int, int, double)"/>.</summary>
    /// <param name="catalog">The regression trainer catalog.</param>
    /// <param name="labelColumnName">The label column, a known-size vector of Single or Double.</param>
    /// <param name="featureColumnName">The feature column, a known-size vector of Single or Double.</param>
    /// <param name="model">The network to train; a <see cref="GenericQpModel"/> when null.</param>
    /// <param name="numberOfEpochs">Number of passes over the data.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">Learning rate of Adam.</param>
    /// <returns>The trainer.</returns>
    [Obsolete("The QP layer writes a vector Score, which ML.NET's regression evaluators, permutation feature importance and AutoML cannot use. " +
        "Use mlContext.DiffOpt().Trainers.QpLayer(...) and mlContext.DiffOpt().Evaluate(...). This member will be removed in the next release.")]
    public static QpLayerTrainer QpLayer(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", QpModel? model = null,
        int numberOfEpochs = 10, int batchSize = 32, double learningRate = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new DiffOptMLCatalog(MlNetInterop.GetEnvironment(catalog)).Trainers.QpLayer(labelColumnName, featureColumnName, model,
            numberOfEpochs, batchSize, learningRate);
    }

    /// <summary>Forwards to <see cref="DiffOptMLCatalog.TrainerCatalog.QpLayer(QpLayerTrainer.Options)"/>.</summary>
    /// <param name="catalog">The regression trainer catalog.</param>
    /// <param name="options">The trainer's options.</param>
    /// <returns>The trainer.</returns>
    [Obsolete("The QP layer writes a vector Score, which ML.NET's regression evaluators, permutation feature importance and AutoML cannot use. " +
        "Use mlContext.DiffOpt().Trainers.QpLayer(...) and mlContext.DiffOpt().Evaluate(...). This member will be removed in the next release.")]
    public static QpLayerTrainer QpLayer(this RegressionCatalog.RegressionTrainers catalog, QpLayerTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new DiffOptMLCatalog(MlNetInterop.GetEnvironment(catalog)).Trainers.QpLayer(options);
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
