using DiffOpt.ML.Evaluation;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.ML.Tests;

public class ScalarSafetyTests
{
    [Fact]
    public void MlAssembly_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.Scan(typeof(VectorRegressionEvaluator).Assembly);
        Assert.True(findings.Count == 0,
            $"{findings.Count} TorchSharp calls with a temporary scalar (use DiffOpt.Native.ScalarSafeOperations):\n" +
            string.Join("\n", findings.Take(40)));
    }

    [Fact]
    public void TestCode_PassesNoTemporaryScalarToTorch()
    {
        // This class's own helpers use the implicit forms on purpose (to show the scan finds them and that the safe
        // forms match them); every other test runs in parallel with the rest and must be as safe as library code.
        string self = typeof(ScalarSafetyTests).FullName!;
        var findings = ImplicitScalarScan.Scan(typeof(ScalarSafetyTests).Assembly)
            .Where(f => !f.Caller.StartsWith(self, StringComparison.Ordinal))
            .ToList();
        Assert.True(findings.Count == 0,
            $"{findings.Count} TorchSharp calls with a temporary scalar in test code (use ScalarSafeOperations):\n" +
            string.Join("\n", findings.Take(40)));
    }
}
