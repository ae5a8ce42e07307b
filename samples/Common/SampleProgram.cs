using System.CommandLine;
using System.Globalization;

namespace DiffOpt.Samples;

/// <summary>The entry point shared by the samples: invariant number formats, a root command (no arguments) and subcommands.</summary>
public static class SampleProgram
{
    /// <summary>Adds <paramref name="commands"/> under <paramref name="root"/> and runs the command line.</summary>
    public static int Run(string[] args, RootCommand root, params Command[] commands)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(commands);
        // Results are read by scripts: the same digits whatever the machine's culture.
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        foreach (var command in commands) root.Subcommands.Add(command);
        return root.Parse(args).Invoke();
    }
}
