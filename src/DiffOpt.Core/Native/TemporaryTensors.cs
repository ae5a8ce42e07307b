using static TorchSharp.torch;

namespace DiffOpt.Native;

/// <summary>
/// Keeps every tensor a computation creates alive until the computation returns.
/// </summary>
/// <remarks>
/// Outside a dispose scope a temporary tensor (the <c>where(...)</c> in <c>lu_factor(where(...))</c>, the left side
/// of <c>a.T.matmul(b)</c>) is owned by the garbage collector, and TorchSharp hands only its native handle to libtorch:
/// a collection on another thread during the native call can finalise it and free the tensor libtorch is reading (a
/// stress run caught the test host crashing in <c>linalg.lu_factor</c> this way). <see cref="Hold{T}"/> runs the work
/// inside a dispose scope, so the scope references every temporary for the whole computation, and then hands all of
/// them on exactly as if no scope had been opened: to the caller's dispose scope when there is one, otherwise back to
/// the garbage collector. Nothing is disposed early, so objects that keep tensors in fields are built safely too.
/// </remarks>
internal static class TemporaryTensors
{
    /// <summary>Runs <paramref name="work"/> with its temporaries held until it returns (see the remarks).</summary>
    public static T Hold<T>(Func<T> work)
    {
        var scope = NewDisposeScope();
        try
        {
            return work();
        }
        finally
        {
            scope.MoveToOuter(scope.DisposablesView);
            scope.Dispose();
        }
    }
}
