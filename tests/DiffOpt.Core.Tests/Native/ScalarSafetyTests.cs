using System.Reflection;
using DiffOpt.Native;
using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

public class ScalarSafetyTests
{
    [Fact]
    public void Scan_FindsEachImplicitForm_AndPassesTheSafeOnes()
    {
        Assert.Single(ImplicitScalarScan.Scan(Method(nameof(SumWithHiddenAlpha))));
        Assert.Single(ImplicitScalarScan.Scan(Method(nameof(ProductWithLiteral))));
        Assert.Single(ImplicitScalarScan.Scan(Method(nameof(ClampWithLiteral))));
        Assert.Empty(ImplicitScalarScan.Scan(Method(nameof(SafeForms))));
    }

    [Fact]
    public void Library_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.Scan(typeof(QpSolver).Assembly);
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
    }

    [Fact]
    public void TestCode_PassesNoTemporaryScalarToTorch()
    {
        var findings = ImplicitScalarScan.ScanTestCode(typeof(ScalarSafetyTests));
        Assert.True(findings.Count == 0, ImplicitScalarScan.Report(findings));
        // Only this class's helpers are left out: the whole assembly's scan does find them.
        Assert.Contains(ImplicitScalarScan.Scan(typeof(ScalarSafetyTests).Assembly),
            f => f.Caller == $"{typeof(ScalarSafetyTests).FullName}.{nameof(SumWithHiddenAlpha)}");
    }

    [Fact]
    public void SafeOperations_MatchTheImplicitForms()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { -1.5, 0.0, 2.0, 4.0 });
        var b = tensor(new[] { 3.0, -2.0, 0.5, 1.0 });
        var index = tensor(new long[] { 1, 2, 3 });
        Assert.True(a.Plus(b).eq(a + b).all().item<bool>());
        Assert.True(a.PlusScaled(b, 3.0).eq(a + 3.0 * b).all().item<bool>());
        Assert.True(a.Plus(0.25).eq(a + 0.25).all().item<bool>());
        Assert.True(a.Minus(0.25).eq(a - 0.25).all().item<bool>());
        Assert.True(a.SubtractedFrom(1.0).eq(1.0 - a).all().item<bool>());
        Assert.True(a.Times(-2.0).eq(a * -2.0).all().item<bool>());
        Assert.True(b.DividedBy(4.0).eq(b / 4.0).all().item<bool>());
        Assert.True(b.Into(2.0).eq(2.0 / b).all().item<bool>());
        Assert.True(a.Power(2.0).eq(a.pow(2.0)).all().item<bool>());
        Assert.True(a.AtLeast(0.0).eq(a.clamp_min(0.0)).all().item<bool>());
        Assert.True(a.AtMost(1.0).eq(a.clamp_max(1.0)).all().item<bool>());
        Assert.True(a.FilledWhere(a.lt(0.0), 7.0).eq(a.masked_fill(a.lt(0.0), 7.0)).all().item<bool>());
        Assert.Equal(ScalarType.Int64, index.Plus(1L).dtype);
        Assert.True(index.Times(2L).eq(index * 2L).all().item<bool>());
        Assert.True(a.GreaterThan(0.0).eq(a > 0.0).all().item<bool>());
        Assert.True(a.Softplus().eq(nn.functional.softplus(a)).all().item<bool>());
        Assert.True(a.GreaterOrEqual(0.0).eq(a >= 0.0).all().item<bool>());
        Assert.True(a.LessThan(2.0).eq(a < 2.0).all().item<bool>());
        Assert.True(a.LessOrEqual(2.0).eq(a <= 2.0).all().item<bool>());
        Assert.True(a.EqualTo(2.0).eq(a == 2.0).all().item<bool>());
        Assert.True(a.NotEqualTo(2.0).eq(a != 2.0).all().item<bool>());
        Assert.True(index.GreaterThan(1L).eq(index > 1L).all().item<bool>());
        Assert.True(index.LessThan(3L).eq(index < 3L).all().item<bool>());
        Assert.True(index.EqualTo(2L).eq(index == 2L).all().item<bool>());
        Assert.True(index.NotEqualTo(2L).eq(index != 2L).all().item<bool>());
        Assert.True(a.Clamped(-1.0, 1.5).eq(a.clamp(-1.0, 1.5)).all().item<bool>());
        Assert.True(a.FullLike(2.5).eq(full_like(a, 2.5)).all().item<bool>());
        Assert.Equal(ScalarType.Int64, index.FullLike(4L).dtype);
        Assert.True(ScalarSafeOperations.Range(4).eq(arange(4)).all().item<bool>());
        Assert.Equal(ScalarType.Int64, ScalarSafeOperations.Range(4).dtype);
        Assert.Equal(ScalarType.Float32, ScalarSafeOperations.Range(3, ScalarType.Float32).dtype);
        var target = a.clone();
        target.PlusScaledInPlace(b, 0.5).PlusInPlace(b).TimesInPlace(2.0);
        Assert.True(target.eq((a + 0.5 * b + b) * 2.0).all().item<bool>());
    }

    private static MethodBase Method(string name) =>
        typeof(ScalarSafetyTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;

    private static Tensor SumWithHiddenAlpha(Tensor a, Tensor b) => a + b;

    private static Tensor ProductWithLiteral(Tensor a) => a * 2.0;

    private static Tensor ClampWithLiteral(Tensor a) => a.clamp_min(0.0);

    private static Tensor SafeForms(Tensor a, Tensor b) => a.Plus(b).Times(2.0).AtLeast(0.0).Plus(1L);
}
