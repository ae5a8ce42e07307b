using System.CommandLine;
using System.Globalization;
using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Samples;

/// <summary>The entry point shared by the samples: invariant number formats, a root command (no arguments) and subcommands.</summary>
public static class SampleProgram
{
    /// <summary>
    /// The intra-op thread count the samples give libtorch unless <c>--threads</c> says otherwise: 1. The samples'
    /// tensors are small (batches of 150 problems of at most 100 variables), so a second thread gains little, and on
    /// a machine whose cores are busy with other work, threads waiting for each other at every operation made
    /// training several times slower (measured: see the samples' READMEs).
    /// </summary>
    public const int DefaultThreads = 1;

    /// <summary>
    /// Marks <paramref name="command"/> as one that trains a dense network and no optimization layer (e.g. the Sudoku
    /// convolutional baseline): unless <c>--threads</c> is given it runs one libtorch thread per logical processor,
    /// and it keeps glibc's allocator settings. Its time goes into large convolutions and matrix products, which use
    /// every core, and <see cref="NativeMemoryTuning"/> made its batches cost about 7 % more CPU (page faults on
    /// freshly mapped activations) in a side-by-side measurement with PyTorch (docs/benchmarks.md).
    /// </summary>
    /// <returns><paramref name="command"/>.</returns>
    public static Command DenseNetworkCommand(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        DenseNetworkCommands.Add(command);
        return command;
    }

    private static readonly HashSet<Command> DenseNetworkCommands = [];

    /// <summary>
    /// Adds <paramref name="commands"/> under <paramref name="root"/>, adds the <c>--threads</c> and
    /// <c>--glibc-malloc-defaults</c> options to every command, sets libtorch's thread count, opts in to
    /// <see cref="NativeMemoryTuning"/> (an application's choice, which the samples make; the flag keeps glibc's own
    /// setting, for measuring what it buys) and runs the command line.
    /// </summary>
    public static int Run(string[] args, RootCommand root, params Command[] commands)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(commands);
        // Results are read by scripts: the same digits whatever the machine's culture.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var threads = new Option<int>("--threads")
        {
            Description = $"Intra-op threads of libtorch (default {DefaultThreads}; 0 keeps libtorch's own choice, one per core)",
            DefaultValueFactory = _ => DefaultThreads,
            Recursive = true,
        };
        var mallocDefaults = new Option<bool>("--glibc-malloc-defaults")
        {
            Description = "Keep glibc's allocator settings (by default the samples call NativeMemoryTuning.Apply: faster solves, more resident memory)",
            Recursive = true,
        };
        root.Options.Add(threads);
        root.Options.Add(mallocDefaults);
        foreach (var command in commands) root.Subcommands.Add(command);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0)
        {
            int count = parsed.GetValue(threads);
            if (count < 0)
            {
                Console.Error.WriteLine($"error: --threads must be 0 or positive, got {count}");
                return 1;
            }
            bool denseNetwork = DenseNetworkCommands.Contains(parsed.CommandResult.Command);
            if (denseNetwork && parsed.GetResult(threads) is null or { Implicit: true }) count = Environment.ProcessorCount;
            if (count > 0) set_num_threads(count);
            if (!parsed.GetValue(mallocDefaults) && !denseNetwork) NativeMemoryTuning.Apply();
        }
        return parsed.Invoke();
    }
}
