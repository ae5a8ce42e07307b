using System.Runtime.CompilerServices;

namespace DiffOpt.Tests.TestSupport;

/// <summary>
/// When the environment variable DIFFOPT_TEST_GC_STRESS is 1, a background thread forces garbage collections and runs
/// the pending finalisers without pause for the whole test run. Any TorchSharp object that the code hands to libtorch
/// without keeping it alive (a temporary scalar, a temporary tensor outside a dispose scope) is then freed under a
/// native call within seconds instead of once in many runs (docs/guides/concepts.md, TorchSharp's temporary scalars).
/// </summary>
internal static class CollectorStress
{
    /// <summary>The environment variable that starts the collecting thread.</summary>
    public const string Variable = "DIFFOPT_TEST_GC_STRESS";

    [ModuleInitializer]
    internal static void Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") return;
        var thread = new Thread(() =>
        {
            while (true)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true, Name = "DiffOpt GC stress" };
        thread.Start();
    }
}
