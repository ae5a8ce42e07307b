using DiffOpt.Samples;
using System.CommandLine;
using Microsoft.ML;
using SudokuStructuredPrediction.Data;
using SudokuStructuredPrediction.Model;

namespace SudokuStructuredPrediction.Commands;

/// <summary><c>predict --model M.zip --puzzle ".3....1.4......2"</c>: prints the board a saved model predicts.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model saved by train (.zip)", Required = true };
        var puzzle = new Option<string>("--puzzle") { Description = "16 characters, row by row, digits 1-4 and '.' for a blank", Required = true };
        var command = new Command("predict", "Solve one puzzle with a saved model") { model, puzzle };
        command.SetAction(r => CommandRunner.Run(() =>
        {
            if (!SudokuBoard.TryParse(r.GetValue(puzzle), out var board, out var error))
                throw new SampleException($"--puzzle: {error}");
            var mlContext = new MLContext(seed: 0);
            var trained = SudokuModel.Load(mlContext, r.GetValue(model)!);
            var predicted = SudokuModel.Predict(mlContext, trained, board).ToBoard();
            Console.WriteLine(predicted.ToGrid());
            Console.WriteLine(Describe(board, predicted));
            return 0;
        }));
        return command;
    }

    /// <summary>Whether the predicted board is valid and keeps the puzzle's clues.</summary>
    internal static string Describe(SudokuBoard puzzle, SudokuBoard predicted) =>
        (SudokuRules.IsSolved(predicted), puzzle.CluesAgreeWith(predicted)) switch
        {
            (true, true) => "solved: every row, column and box holds 1-4, and the clues are kept",
            (true, false) => "a valid board, but it changes a clue of the puzzle",
            _ => "not solved: a row, column or box repeats a digit",
        };
}
