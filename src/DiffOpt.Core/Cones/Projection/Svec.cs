using static TorchSharp.torch;
using DiffOpt.Numerics;

namespace DiffOpt.Cones;

/// <summary>
/// The svec/smat conversions of one matrix order k (SCS's convention): svec(X) lists the lower triangle column by
/// column, off-diagonal entries times √2, so svec(X)·svec(Y) = tr(XY) and svec is an isometry from symmetric
/// matrices (Frobenius norm) to ℝ^{k(k+1)/2}. Batched: (B, k(k + 1)/2) ↔ (B, k, k), by index gathers only.
/// </summary>
internal sealed class Svec
{
    private readonly long[] _lower;      // row-major position i·k + j of svec entry p = (i, j), i ≥ j
    private readonly long[] _entryOf;    // svec entry of the matrix position i·k + j (either triangle)
    private readonly double[] _scale;    // 1 on the diagonal, √2 off it, per svec entry

    /// <summary>The conversions for k × k matrices.</summary>
    public Svec(int order)
    {
        Order = order;
        Length = order * (order + 1) / 2;
        _lower = new long[Length];
        _scale = new double[Length];
        _entryOf = new long[order * order];
        int p = 0;
        for (int j = 0; j < order; j++)
            for (int i = j; i < order; i++, p++)
            {
                _lower[p] = i * order + j;
                _scale[p] = i == j ? 1 : Math.Sqrt(2);
                _entryOf[i * order + j] = p;
                _entryOf[j * order + i] = p;
            }
    }

    /// <summary>k, the matrix order.</summary>
    public int Order { get; }

    /// <summary>k(k + 1)/2, the length of svec.</summary>
    public int Length { get; }

    /// <summary>The symmetric matrices X (B, k, k) with svec(X) = v for v (B, k(k + 1)/2).</summary>
    public Tensor ToMatrix(Tensor v)
    {
        var entries = (v / Scale(v)).index_select(1, Index(_entryOf, v));
        return entries.view(v.shape[0], Order, Order);
    }

    /// <summary>svec(X) (B, k(k + 1)/2) of the lower triangles of X (B, k, k) (X is taken to be symmetric).</summary>
    public Tensor ToVector(Tensor x) => x.reshape(x.shape[0], Order * Order).index_select(1, Index(_lower, x)) * Scale(x);

    /// <summary>
    /// The matrix form of the svec weights, W_ij = 1 if i = j else √2, (k, k) with <paramref name="like"/>'s
    /// dtype and device: svec of a matrix X equals the lower triangle of W ∘ X.
    /// </summary>
    public Tensor ScaleMatrix(Tensor like) => Scale(like).index_select(0, Index(_entryOf, like)).view(Order, Order);

    /// <summary>The svec position of each lower-triangle entry as a row-major index i·k + j, on <paramref name="like"/>'s device.</summary>
    public Tensor LowerIndex(Tensor like) => Index(_lower, like);

    /// <summary>The svec weights (1 on the diagonal, √2 off it) per svec entry, (k(k + 1)/2,) like <paramref name="like"/>.</summary>
    public Tensor Scale(Tensor like) => tensor(_scale, dtype: like.dtype, device: like.device);

    private static Tensor Index(long[] index, Tensor like) => tensor(index, device: like.device);
}
