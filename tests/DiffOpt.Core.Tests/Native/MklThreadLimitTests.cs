using DiffOpt.Native;
using static TorchSharp.torch;

namespace DiffOpt.Tests.Native;

/// <summary>
/// <see cref="NativeBlas.SetThreadsOfThisThread"/>, MKL's per-thread limit that the cone kernel's workers set
/// (<see cref="DiffOpt.Numerics.BatchParallel.ForEachLongItem"/>): libtorch exports MKL's Fortran entry, which takes the
/// count by reference; passing it by value crashed the process.
/// </summary>
public class MklThreadLimitTests
{
    [Fact]
    public void SetThreadsOfThisThread_ReturnsThePreviousLimit_AndRestoresIt()
    {
        _ = zeros(1);   // loads libtorch, whose MKL the binding resolves
        int original = NativeBlas.SetThreadsOfThisThread(1);
        try
        {
            Assert.Equal(1, NativeBlas.SetThreadsOfThisThread(3));
            Assert.Equal(3, NativeBlas.SetThreadsOfThisThread(1));
        }
        finally
        {
            NativeBlas.SetThreadsOfThisThread(original);
        }
    }
}
