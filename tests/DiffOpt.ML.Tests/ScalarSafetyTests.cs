using DiffOpt.ML.Evaluation;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.ML.Tests;

public class ScalarSafetyTests
{
    [Fact]
    public void MlAssembly_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.Scan(typeof(VectorRegressionEvaluator).Assembly);
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
    }

    [Fact]
    public void TestCode_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.ScanTestCode(typeof(ScalarSafetyTests));
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
    }
}
