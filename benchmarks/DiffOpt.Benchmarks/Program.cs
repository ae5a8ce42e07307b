using DiffOpt.Benchmarks.ConeCase;
using DiffOpt.Benchmarks.ConvexLayerCase;
using System.CommandLine;
using DiffOpt.Benchmarks.MarosMeszaros;
using DiffOpt.Benchmarks.QpCase;
using DiffOpt.Benchmarks.Suites;
using DiffOpt.Benchmarks.WarmStart;

namespace DiffOpt.Benchmarks;

/// <summary>Entry point: <c>maros-meszaros</c>, <c>qp-case</c>, <c>cone-case</c>, <c>convex-layer-case</c>, <c>bdn</c> and <c>warm-start</c>.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("DiffOpt.NET benchmarks: the Maros-Meszaros test set, qpth and diffcp peer cases and BenchmarkDotNet suites.")
        {
            MarosMeszarosCommand.Create(),
            QpCaseCommand.Create(),
            ConeCaseCommand.Create(),
            ConvexLayerCaseCommand.Create(),
            BdnCommand.Create(),
            WarmStartCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
