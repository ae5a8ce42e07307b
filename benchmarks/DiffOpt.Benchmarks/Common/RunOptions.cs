using System.CommandLine;
using TorchSharp;

namespace DiffOpt.Benchmarks.Common;

/// <summary>The <c>--threads</c>, <c>--reps</c> and <c>--warmup</c> options every timing command takes, and their check.</summary>
public static class RunOptions
{
    /// <summary>The three options with the given defaults and descriptions of the timed and untimed runs.</summary>
    public static (Option<int> Threads, Option<int> Reps, Option<int> Warmup) Create(int reps = 7, int warmup = 2,
        string repsDescription = "Timed runs (median reported).", string warmupDescription = "Untimed runs first.") => (
        new Option<int>("--threads") { Description = "torch intra-op threads.", DefaultValueFactory = _ => 1 },
        new Option<int>("--reps") { Description = repsDescription, DefaultValueFactory = _ => reps },
        new Option<int>("--warmup") { Description = warmupDescription, DefaultValueFactory = _ => warmup });

    /// <summary>
    /// Checks the values (threads and reps at least 1, warm-ups at least 0) and sets torch's thread count; on a bad
    /// value, writes why to standard error and returns false.
    /// </summary>
    public static bool CheckAndApply(int threads, int reps, int warmup)
    {
        if (threads < 1 || reps < 1 || warmup < 0)
        {
            Console.Error.WriteLine("--threads and --reps must be at least 1, --warmup at least 0.");
            return false;
        }
        torch.set_num_threads(threads);
        return true;
    }
}
