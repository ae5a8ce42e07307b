using DiffOpt.Samples;
using Microsoft.ML;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Evaluation;

namespace SudokuStructuredPrediction.Model;

public static partial class SudokuModel
{
    /// <summary>Scores a model on examples by the paper's rule (see <see cref="SudokuEvaluation"/>).</summary>
    public static SudokuEvaluation Evaluate(MLContext mlContext, ITransformer model, IReadOnlyList<SudokuExample> examples)
    {
        var predictions = ModelFile.Scores(model, ToDataView(mlContext, examples), ScoreColumn);
        return SudokuEvaluation.Score(predictions, examples);
    }
}
