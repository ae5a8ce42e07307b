using Denoising.Data;
using DiffOpt.Samples;

namespace Denoising.Commands;

/// <summary>Shared plumbing of the denoising commands: data loading and output lines.</summary>
internal static class Cli
{
    /// <summary>Reads an <c>x0..x99,y0..y99</c> file; a missing or malformed file becomes a <see cref="SampleException"/>.</summary>
    public static IReadOnlyList<SignalExample> ReadData(string path) => DataFile.Read(path, p => SignalCsv.Read(p));

    /// <summary>The exact last line of the commands that score on the test split.</summary>
    public static string TestMseLine(double mse) => CommandRunner.Invariant($"test mse: {mse:F4}");

    /// <summary>The line printed after each epoch.</summary>
    public static string EpochLine(string model, Baseline.DenoisingEpoch e) => e.Epoch == 0
        ? CommandRunner.Invariant($"{model} epoch 0: test mse {e.TestMse:F4}")
        : CommandRunner.Invariant($"{model} epoch {e.Epoch}: train mse {e.TrainLoss:F4}, test mse {e.TestMse:F4}, {e.Seconds:F2} s");
}
