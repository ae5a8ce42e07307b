using DiffOpt.Samples;
using Microsoft.ML;
using Microsoft.ML.Data;
using SudokuStructuredPrediction.Data;

namespace SudokuStructuredPrediction.Model;

/// <summary>
/// The Sudoku model in the shape ML.NET Model Builder generates: <see cref="ModelInput"/> and
/// <see cref="ModelOutput"/> classes, a consumption part (this file: load a saved model, predict), a training
/// part (SudokuModel.training.cs) and an evaluation part (SudokuModel.evaluate.cs).
/// </summary>
public static partial class SudokuModel
{
    /// <summary>Name of the output column: 64 scores, one per (row, column, digit).</summary>
    public const string ScoreColumn = "Score";

    /// <summary>One row of input: a puzzle and, when known, its solution, both as text and one-hot.</summary>
    public sealed class ModelInput
    {
        /// <summary>The puzzle as 16 characters ('.' for a blank).</summary>
        public string Puzzle { get; set; } = "";

        /// <summary>The solution as 16 characters; empty when unknown (prediction).</summary>
        public string Solution { get; set; } = "";

        /// <summary>The puzzle one-hot encoded in OptNet's layout (64 entries; a blank cell is all zeros).</summary>
        [VectorType(SudokuEncoding.FeatureCount)]
        public float[] Features { get; set; } = new float[SudokuEncoding.FeatureCount];

        /// <summary>The solution one-hot encoded (all zeros when unknown).</summary>
        [VectorType(SudokuEncoding.FeatureCount)]
        public float[] Label { get; set; } = new float[SudokuEncoding.FeatureCount];

        /// <summary>Builds the input row of a puzzle and, optionally, its solution.</summary>
        public static ModelInput From(SudokuBoard puzzle, SudokuBoard? solution = null)
        {
            ArgumentNullException.ThrowIfNull(puzzle);
            return new ModelInput
            {
                Puzzle = puzzle.ToString(),
                Solution = solution?.ToString() ?? "",
                Features = SudokuEncoding.OneHot(puzzle),
                Label = solution is null ? new float[SudokuEncoding.FeatureCount] : SudokuEncoding.OneHot(solution),
            };
        }
    }

    /// <summary>One row of output: the model's 64 scores.</summary>
    public sealed class ModelOutput
    {
        /// <summary>Scores per (row, column, digit), OptNet's layout; the predicted digit of a cell is its arg-max.</summary>
        [ColumnName(ScoreColumn)]
        [VectorType(SudokuEncoding.FeatureCount)]
        public float[] Score { get; set; } = [];

        /// <summary>The predicted board: the arg-max digit of each cell.</summary>
        public SudokuBoard ToBoard() => SudokuEncoding.ArgMax(Score);
    }

    /// <summary>Predicts the board of one puzzle.</summary>
    public static ModelOutput Predict(MLContext mlContext, ITransformer model, SudokuBoard puzzle)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        // The engine must not dispose the model (ML.NET disposes a disposable transformer with its engine by default).
        using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model, new PredictionEngineOptions { OwnsTransformer = false });
        return engine.Predict(ModelInput.From(puzzle));
    }

    /// <summary>
    /// Loads a model saved with <c>mlContext.Model.Save</c> and checks that it maps <see cref="ModelInput"/>
    /// rows to a <see cref="ScoreColumn"/> of 64 floats.
    /// </summary>
    /// <exception cref="SampleException">The file is missing, unreadable, or not a Sudoku model.</exception>
    public static ITransformer Load(MLContext mlContext, string path) =>
        ModelFile.Load(mlContext, path, InputSchema(mlContext), ScoreColumn, SudokuEncoding.FeatureCount, "Sudoku model");

    /// <summary>The schema of <see cref="ModelInput"/> rows.</summary>
    public static DataViewSchema InputSchema(MLContext mlContext) => ModelFile.InputSchema<ModelInput>(mlContext);

    /// <summary>Turns examples into an ML.NET data view of <see cref="ModelInput"/> rows.</summary>
    public static IDataView ToDataView(MLContext mlContext, IEnumerable<SudokuExample> examples)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(examples.Select(e => ModelInput.From(e.Puzzle, e.Solution)).ToList());
    }
}
