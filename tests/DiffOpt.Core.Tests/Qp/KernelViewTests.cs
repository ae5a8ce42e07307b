using DiffOpt.Qp;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Tests.Qp;

/// <summary>The CPU kernels read tensors through raw pointers; a tensor that does not fit the view is refused with an exception, never read.</summary>
public class KernelViewTests
{
    [Fact]
    public void Data_Refuses_ATensorOfAnotherElementType()
    {
        var ex = Assert.Throws<ArgumentException>(() => { unsafe { _ = NativeLapack.Data<double>(zeros(3, dtype: ScalarType.Float32)); } });
        Assert.Contains("Float32", ex.Message);
    }

    [Fact]
    public void Data_Refuses_ANonContiguousTensor()
    {
        var transposed = zeros(3, 4, dtype: ScalarType.Float64).T;
        var ex = Assert.Throws<ArgumentException>(() => { unsafe { _ = NativeLapack.Data<double>(transposed); } });
        Assert.Contains("non-contiguous", ex.Message);
    }

    [Fact]
    public void BatchMatrices_Refuses_ATensorThatIsNotABatchOfMatrices()
    {
        var ex = Assert.Throws<ArgumentException>(() => BatchMatrices<double>.Of(zeros(3, 4, dtype: ScalarType.Float64)));
        Assert.Contains("(3,4)", ex.Message);
    }

    [Fact]
    public void BatchPoint_Refuses_BlocksOfDifferentBatchSizes()
    {
        var point = new QpIterate(zeros(2, 3, dtype: ScalarType.Float64), zeros(2, 1, dtype: ScalarType.Float64),
            zeros(3, 4, dtype: ScalarType.Float64), zeros(3, 4, dtype: ScalarType.Float64));
        Assert.Throws<ArgumentException>(() => BatchPoint<double>.Of(point));
    }

    [Fact]
    public void BatchPoint_Refuses_ASlackBlockThatDoesNotMatchZ()
    {
        var point = new QpIterate(zeros(2, 3, dtype: ScalarType.Float64), zeros(2, 1, dtype: ScalarType.Float64),
            zeros(2, 4, dtype: ScalarType.Float64), zeros(2, 5, dtype: ScalarType.Float64));
        Assert.Throws<ArgumentException>(() => BatchPoint<double>.Of(point));
    }
}
