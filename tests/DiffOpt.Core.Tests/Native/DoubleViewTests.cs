using DiffOpt.Native;
using DiffOpt.Tests.TestSupport;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

/// <summary><see cref="TensorCopy.View"/>: in place for contiguous CPU float64 tensors, a row-major copy otherwise, bounds checked.</summary>
public class DoubleViewTests
{
    [Fact]
    public void ContiguousFloat64_IsReadInPlace()
    {
        var value = Ranges.Arange(6, ScalarType.Float64).view(2, 3);
        var view = TensorCopy.View(value);
        Assert.Equal(6, view.Length);
        value[1, 2] = 40.0;
        Assert.Equal(new[] { 3.0, 4.0, 40.0 }, view.Slice(3, 3).ToArray());
    }

    [Fact]
    public void TransposedOrFloat32_IsReadRowMajor_AndSlicesAreBoundsChecked()
    {
        var transposed = Ranges.Arange(6, ScalarType.Float64).view(2, 3).t();
        Assert.Equal(new[] { 0.0, 3.0, 1.0, 4.0, 2.0, 5.0 }, TensorCopy.View(transposed).Slice(0, 6).ToArray());
        var single = TensorCopy.View(Ranges.Arange(4, ScalarType.Float32));
        Assert.Equal(new[] { 2.0, 3.0 }, single.Slice(2, 2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => single.Slice(3, 2).ToArray());
        Assert.Equal(new[] { 1.0 }, DoubleView.Of([0.5, 1.0]).Slice(1, 1).ToArray());
    }
}
