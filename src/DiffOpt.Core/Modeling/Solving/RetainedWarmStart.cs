using DiffOpt.Cones;
using DiffOpt.Qp;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// The last solution of a layer, kept as the next call's warm start on whichever route solved it (the QP solver's
/// primal and dual point, or the cone solver's (x, y, s)): detached copies outside every dispose scope (a caller's
/// training loop disposes the tensors of each step), with non-finite entries of failed items set to 0. A start is
/// offered only to a batch of the same size, dtype and device.
/// </summary>
internal sealed class RetainedWarmStart : IDisposable
{
    private Tensor[] _tensors = [];
    private QpWarmStart? _qp;
    private ConeWarmStart? _cone;

    /// <summary>Replaces the retained start with copies of a QP solution's points.</summary>
    public void Keep(QpSolution solution)
    {
        var x = Copy(solution.X)!;
        var z = Copy(solution.InequalityDuals);
        var y = Copy(solution.EqualityDuals);
        Replace([x, .. new[] { z, y }.OfType<Tensor>()]);
        _qp = new QpWarmStart(x, z, y);
    }

    /// <summary>Replaces the retained start with copies of a cone-program solution's (x, y, s).</summary>
    public void Keep(ConeProgramSolution solution)
    {
        var (x, y, s) = (Copy(solution.X)!, Copy(solution.Y)!, Copy(solution.S)!);
        Replace([x, y, s]);
        _cone = new ConeWarmStart(x, y, s);
    }

    /// <summary>The retained QP start, when it fits a batch of <paramref name="batch"/>'s size, dtype and device.</summary>
    public QpWarmStart? ForQp(ParameterBatch batch) => _qp is { } start && Fits(start.X, batch) ? start : null;

    /// <summary>The retained cone start, when it fits a batch of <paramref name="batch"/>'s size, dtype and device.</summary>
    public ConeWarmStart? ForCone(ParameterBatch batch) => _cone is { } start && Fits(start.X, batch) ? start : null;

    /// <summary>Frees the retained tensors.</summary>
    public void Dispose() => Replace([]);

    private void Replace(Tensor[] tensors)
    {
        foreach (var t in _tensors) t.Dispose();
        _tensors = tensors;
        _qp = null;
        _cone = null;
    }

    private static bool Fits(Tensor x, ParameterBatch batch) =>
        x.shape[0] == batch.BatchSize && x.dtype == batch.Theta1.dtype
        && x.device_type == batch.Theta1.device_type && x.device_index == batch.Theta1.device_index;

    private static Tensor? Copy(Tensor? value)
    {
        if (value is null) return null;
        using var scope = NewDisposeScope();
        return value.detach().nan_to_num(0, 0, 0).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }
}
