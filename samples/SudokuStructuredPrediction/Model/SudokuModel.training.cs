using DiffOpt.Samples;
using Microsoft.ML;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;

namespace SudokuStructuredPrediction.Model;

public static partial class SudokuModel
{
    /// <summary>Message of the placeholder below, until the DiffOpt.ML trainer exists.</summary>
    public const string TrainerMissing = "waiting for DiffOpt.ML trainer";

    /// <summary>
    /// Trains the OptNet Sudoku model on <paramref name="train"/> and reports, after each epoch, the mean
    /// training loss and the error on <paramref name="test"/> (see <see cref="SudokuEvaluation"/>).
    /// </summary>
    /// <remarks>
    /// PLACEHOLDER: this is where the DiffOpt.ML trainer ("equality-constrained OptNet" model kind) plugs in:
    /// build the pipeline from <see cref="ToDataView"/> rows (Features → Score, Label as target) with
    /// <paramref name="options"/>, fit it, and call <paramref name="onEpoch"/> with
    /// <see cref="Evaluate(MLContext, ITransformer, IReadOnlyList{SudokuExample})"/> on the test boards after
    /// each epoch. Until then it throws; nothing pretends to train.
    /// </remarks>
    /// <exception cref="NotImplementedException">Always, for now.</exception>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<SudokuExample> train,
        IReadOnlyList<SudokuExample> test, SudokuTrainingOptions options, Action<EpochResult>? onEpoch = null) =>
        throw new NotImplementedException(TrainerMissing);

    /// <summary>Saves a trained model with <c>mlContext.Model.Save</c>, with the schema of <see cref="ModelInput"/>.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path) =>
        ModelFile.Save(mlContext, model, InputSchema(mlContext), path);
}
