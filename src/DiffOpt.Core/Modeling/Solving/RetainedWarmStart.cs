using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// The last QP solution of a layer, kept as the next call's warm start: detached copies outside every dispose scope
/// (a caller's training loop disposes the tensors of each step), with non-finite entries of failed items set to 0.
/// </summary>
internal sealed class RetainedWarmStart : IDisposable
{
    private QpWarmStart? _start;

    /// <summary>Replaces the retained start with copies of <paramref name="solution"/>'s primal and dual points.</summary>
    public void Keep(QpSolution solution)
    {
        var next = new QpWarmStart(Copy(solution.X)!, Copy(solution.InequalityDuals), Copy(solution.EqualityDuals));
        Dispose();
        _start = next;
    }

    /// <summary>The retained start when it was taken from a batch of <paramref name="batchSize"/> items of the same dtype and device; else null.</summary>
    public QpWarmStart? For(long batchSize, ScalarType dtype, Device device) =>
        _start is { } start && start.X.shape[0] == batchSize && start.X.dtype == dtype
        && start.X.device_type == device.type && start.X.device_index == device.index ? start : null;

    /// <summary>Frees the retained tensors.</summary>
    public void Dispose()
    {
        _start?.X.Dispose();
        _start?.InequalityDuals?.Dispose();
        _start?.EqualityDuals?.Dispose();
        _start = null;
    }

    private static Tensor? Copy(Tensor? value)
    {
        if (value is null) return null;
        using var scope = NewDisposeScope();
        return value.detach().nan_to_num(0, 0, 0).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }
}
