using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

/// <summary><see cref="FreshPages.Empty"/>: a contiguous tensor of the asked shape and dtype whose memory holds what is written.</summary>
public class FreshPagesTests
{
    [Theory]
    [InlineData(3, 700, 200)]     // 3.4 MB: mapped in beforehand
    [InlineData(2, 3, 4)]         // below FreshPages.MinimumBytes: left to the allocator
    public void Empty_IsAContiguousTensor_ThatKeepsWhatIsWritten(long b, long m, long n)
    {
        var result = FreshPages.Empty([b, m, n], ScalarType.Float64, CPU);
        Assert.Equal(new[] { b, m, n }, result.shape);
        Assert.Equal(ScalarType.Float64, result.dtype);
        Assert.True(result.is_contiguous());
        var values = Ranges.Arange(b * m * n, ScalarType.Float64).view(b, m, n);
        result.copy_(values);
        Assert.True(result.eq(values).all().item<bool>());
    }
}
