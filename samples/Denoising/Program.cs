using DiffOpt.Samples;
using Denoising.Commands;

namespace Denoising;

/// <summary>
/// 1-D signal denoising (OptNet, Amos &amp; Kolter 2017, sec. 4.2): total variation through the QP solver, a
/// fully connected baseline, and the learned total-variation layer. No arguments: the demo.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => SampleProgram.Run(args, DemoCommand.Create(),
        GenerateCommand.Create(), TvBaselineCommand.Create(), FcBaselineCommand.Create(), TrainCommand.Create(), EvaluateCommand.Create());
}
