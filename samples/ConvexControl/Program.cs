using ConvexControl.Commands;
using DiffOpt.Samples;

namespace ConvexControl;

/// <summary>
/// Learning a convex optimization control policy (Agrawal, Barratt, Boyd and Stellato, "Learning convex optimization
/// control policies", L4DC 2020): an approximate-dynamic-programming policy whose quadratic value function is tuned
/// by differentiating simulated rollouts through the policy's convex problem. No arguments: the demo.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => SampleProgram.Run(args, DemoCommand.Create());
}
