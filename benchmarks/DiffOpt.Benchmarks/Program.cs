using DiffOpt.Benchmarks.ConeCase;
using DiffOpt.Benchmarks.ConvexLayerCase;
using System.CommandLine;
using DiffOpt.Benchmarks.LayerBuild;
using DiffOpt.Benchmarks.MarosMeszaros;
using DiffOpt.Benchmarks.QpCase;
using DiffOpt.Benchmarks.QpPhases;
using DiffOpt.Benchmarks.ScalarRace;
using DiffOpt.Benchmarks.Suites;
using DiffOpt.Benchmarks.WarmStart;
using DiffOpt.Native;

namespace DiffOpt.Benchmarks;

/// <summary>Entry point: <c>maros-meszaros</c>, <c>qp-case</c>, <c>qp-phases</c>, <c>denoising-phases</c>, <c>cone-case</c>, <c>convex-layer-case</c>, <c>layer-build</c>, <c>bdn</c>, <c>warm-start</c> and <c>scalar-race</c>.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        // The published numbers were measured with glibc's mmap threshold fixed (see NativeMemoryTuning); the library
        // leaves that choice to the application, and this application makes it, or not (--mmap-threshold 0).
        var mmapThreshold = new Option<int>("--mmap-threshold")
        {
            Description = "glibc mmap threshold in bytes set at start-up (NativeMemoryTuning.Apply); 0 keeps glibc's own dynamic threshold.",
            DefaultValueFactory = _ => NativeMemoryTuning.MmapThresholdBytes,
            Recursive = true,
        };
        var root = new RootCommand("DiffOpt.NET benchmarks: the Maros-Meszaros test set, qpth and diffcp peer cases and BenchmarkDotNet suites.")
        {
            MarosMeszarosCommand.Create(),
            QpCaseCommand.Create(),
            QpPhasesCommand.Create(),
            DenoisingPhasesCommand.Create(),
            ConeCaseCommand.Create(),
            ConvexLayerCaseCommand.Create(),
            LayerBuildCommand.Create(),
            BdnCommand.Create(),
            WarmStartCommand.Create(),
            ScalarRaceCommand.Create(),
        };
        root.Options.Add(mmapThreshold);
        var parsed = root.Parse(args);
        if (parsed.GetValue(mmapThreshold) is > 0 and var bytes) NativeMemoryTuning.Apply(bytes);
        return parsed.Invoke();
    }
}
