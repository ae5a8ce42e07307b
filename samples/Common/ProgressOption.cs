using System.CommandLine;

namespace DiffOpt.Samples;

/// <summary>The <c>--progress-seconds</c> option of the training commands: least time between two progress lines within an epoch.</summary>
public static class ProgressOption
{
    /// <summary>Creates the option (default 5 s; 0 prints a line after every mini-batch).</summary>
    public static Option<double> Create() =>
        new("--progress-seconds") { Description = "Least seconds between two progress lines within an epoch (0: after every mini-batch)", DefaultValueFactory = _ => 5 };

    /// <summary>The interval the option's value stands for; a negative or non-finite value becomes a <see cref="SampleException"/>.</summary>
    public static TimeSpan Interval(double seconds) => seconds >= 0 && double.IsFinite(seconds)
        ? TimeSpan.FromSeconds(seconds)
        : throw new SampleException($"--progress-seconds must be a non-negative number, got {seconds}");
}
