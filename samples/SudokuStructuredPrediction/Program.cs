using DiffOpt.Samples;
using SudokuStructuredPrediction.Commands;

namespace SudokuStructuredPrediction;

/// <summary>
/// 4x4 Sudoku as structured prediction (OptNet, Amos &amp; Kolter 2017, sec. 4.4). With no arguments: generate
/// data, train, evaluate, save, load, predict and plot (see <see cref="DemoCommand"/>); otherwise one of the
/// commands below.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => SampleProgram.Run(args, DemoCommand.Create(),
        GenerateCommand.Create(), TrainCommand.Create(), EvaluateCommand.Create(), PredictCommand.Create(),
        SampleProgram.DenseNetworkCommand(BaselineCommand.Create()));
}
