using DiffOpt.Samples;
using ResourceAllocation.Commands;

namespace ResourceAllocation;

/// <summary>
/// Predict, then optimize: features → predicted returns → a risk-aware budget allocation with capacity limits.
/// Compares two-stage training (fit the returns by MSE) with decision-focused training through the convex layer
/// (fit the allocation's realised cost), by regret on held-out data. No arguments: the demo.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => SampleProgram.Run(args, DemoCommand.Create());
}
