using DiffOpt.Qp;
using DiffOpt.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;
using DiffOpt.Native;

namespace DiffOpt.Tests.TestSupportTests;

/// <summary>The suite runs on the path it was asked for (see <see cref="ComputePath"/>).</summary>
public class ComputePathTests(ITestOutputHelper output)
{
    [Fact]
    public void Kernels_ServeCpuTensors_ExactlyWhenTheKernelPathIsRequested()
    {
        output.WriteLine(ComputePath.TensorPathRequested ? "tensor path (as on CUDA)" : "CPU kernel path");
        Assert.True(NativeLapack.IsAvailable, "libtorch's LAPACK symbols were not found: the kernel path cannot be tested");
        Assert.Equal(!ComputePath.TensorPathRequested, NativeLapack.Serves(zeros(2, dtype: ScalarType.Float64)));
    }
}
