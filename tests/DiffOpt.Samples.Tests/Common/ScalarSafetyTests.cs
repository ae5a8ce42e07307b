using System.Reflection;
using DiffOpt.Tests.TestSupport;

namespace DiffOpt.Samples.Tests.Common;

public class ScalarSafetyTests
{
    public static TheoryData<string> SampleAssemblies => new()
    {
        typeof(global::Denoising.TotalVariation.LambdaSweep).Assembly.FullName!,
        typeof(global::SudokuStructuredPrediction.Program).Assembly.FullName!,
        typeof(global::ConvexControl.Program).Assembly.FullName!,
        typeof(global::ResourceAllocation.Program).Assembly.FullName!,
        typeof(global::DataPoisoning.Program).Assembly.FullName!,
        typeof(DiffOpt.Samples.OutputFolder).Assembly.FullName!,
    };

    [Theory]
    [MemberData(nameof(SampleAssemblies))]
    public void Sample_PassesNoTemporaryScalarToTorch(string assemblyName)
    {
        var findings = ImplicitScalarScan.Scan(Assembly.Load(assemblyName));
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
    }

    [Fact]
    public void TestCode_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.ScanTestCode(typeof(ScalarSafetyTests));
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
    }
}
