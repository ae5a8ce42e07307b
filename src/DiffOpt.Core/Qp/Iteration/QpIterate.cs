using TorchSharp;
using static TorchSharp.torch;
using DiffOpt.Numerics;

namespace DiffOpt.Qp;

/// <summary>
/// Primal-dual point of the scaled problem: x (B,n), equality duals y (B,k), inequality duals z (B,m) and
/// slacks s (B,m) with Gx + s = h at optimality, s, z &gt; 0 throughout.
/// </summary>
internal sealed record QpIterate(Tensor X, Tensor Y, Tensor Z, Tensor S)
{
    /// <summary>Per item: keep this iterate where <paramref name="keep"/> (B,) is true, take <paramref name="other"/> elsewhere.</summary>
    public QpIterate Where(Tensor keep, QpIterate other)
    {
        // A host mask that is all true or all false (always at B = 1) picks a whole iterate.
        if (HostMask.OnHost(keep)) { if (HostMask.All(keep)) return this; if (!HostMask.Any(keep)) return other; }
        var k = keep.unsqueeze(-1);
        return new(where(k, X, other.X), where(k, Y, other.Y), where(k, Z, other.Z), where(k, S, other.S));
    }

    /// <summary>The items at <paramref name="index"/> (1-D int64 batch positions).</summary>
    public QpIterate Select(Tensor index) => new(
        X.index_select(0, index), Y.index_select(0, index), Z.index_select(0, index), S.index_select(0, index));

    /// <summary>Writes this (working-set) iterate into <paramref name="full"/> at batch positions <paramref name="index"/>.</summary>
    public QpIterate ScatterInto(QpIterate full, Tensor index) => new(
        full.X.index_copy(0, index, X), full.Y.index_copy(0, index, Y), full.Z.index_copy(0, index, Z), full.S.index_copy(0, index, S));

    /// <summary>True per item when every entry is finite.</summary>
    public Tensor IsFinite() => isfinite(cat(new[] { X, Y, Z, S }, -1)).all(-1);
}
