namespace DiffOpt.Native;

/// <summary>
/// Test switch of the CPU implementation. When <see cref="TensorPathOnly"/> is set, <see cref="NativeLapack.Serves"/>
/// answers false for every tensor, so the CPU runs the batched tensor forms that other devices (CUDA) run; the test
/// suite runs once each way to hold the two paths to the same answers and statuses. A class of its own, so that
/// setting it early (a module initializer) does not load <see cref="NativeLapack"/> before libtorch is loaded.
/// </summary>
internal static class KernelSwitch
{
    /// <summary>When true, no tensor is served by the native routines or the managed CPU kernels.</summary>
    public static bool TensorPathOnly { get; set; }
}
