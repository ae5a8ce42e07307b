using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>The block-diagonal scaling Hs = diag(Hs₁, …, Hs_c) of a product cone (<see cref="CompositeInteriorPointCone"/>).</summary>
internal sealed class CompositeScaling : IConeScaling
{
    private readonly IConeScaling[] _parts;
    private readonly int[] _offsets;
    private readonly int _rows;
    private readonly Tensor _like;
    private readonly object _cone;

    /// <summary>The scaling of the cones <paramref name="parts"/> starting at the rows <paramref name="offsets"/>.</summary>
    public CompositeScaling(IConeScaling[] parts, int[] offsets, int rows, Tensor like, object cone)
    {
        _parts = parts;
        _offsets = offsets;
        _rows = rows;
        _like = like;
        _cone = cone;
    }

    /// <summary>The cones' scalings, in row order.</summary>
    public IReadOnlyList<IConeScaling> Parts => _parts;

    /// <summary>Each cone's Hs on its rows of u, joined.</summary>
    public Tensor MulHs(Tensor u)
    {
        ConeArguments.CheckBatch(u, _rows, nameof(u), _cone);
        InteriorPointArguments.CheckLike(_like, "the scaling", u, nameof(u));
        if (_parts.Length == 0) return u.clone();
        return cat(_parts.Select((part, i) => part.MulHs(u.narrow(1, _offsets[i], Rows(i)))).ToArray(), 1);
    }

    /// <summary>The (B, Rows, Rows) block-diagonal matrix of the cones' blocks.</summary>
    public Tensor DenseHs()
    {
        var dense = zeros(_like.shape[0], _rows, _rows, dtype: _like.dtype, device: _like.device);
        for (int i = 0; i < _parts.Length; i++)
            dense.narrow(1, _offsets[i], Rows(i)).narrow(2, _offsets[i], Rows(i)).copy_(_parts[i].DenseHs());
        return dense;
    }

    private int Rows(int i) => (i + 1 < _offsets.Length ? _offsets[i + 1] : _rows) - _offsets[i];
}
