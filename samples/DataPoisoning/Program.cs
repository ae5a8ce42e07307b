using DataPoisoning.Commands;
using DiffOpt.Samples;

namespace DataPoisoning;

/// <summary>
/// Robustness to adversarial data perturbations (cvxpylayers, Agrawal et al. 2019, sec. 6): the gradient of a
/// logistic-regression classifier's test loss with respect to every training point, through a convex layer, and a
/// poisoning attack that follows it. No arguments: the demo.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args) => SampleProgram.Run(args, DemoCommand.Create());
}
