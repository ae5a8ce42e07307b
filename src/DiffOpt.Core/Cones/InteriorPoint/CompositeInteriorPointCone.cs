using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The interior-point arithmetic of a product K = K₁ × … × K_c over the rows in the order given (as
/// <see cref="CompositeCone"/> does for projections; Clarabel's <c>compositecone.rs</c>): the degrees add up, the
/// unit elements and scalings are joined blockwise (<see cref="CompositeScaling"/>).
/// </summary>
internal sealed class CompositeInteriorPointCone : IInteriorPointCone
{
    private readonly IInteriorPointCone[] _cones;
    private readonly int[] _offsets;

    /// <summary>The product of <paramref name="cones"/>.</summary>
    /// <exception cref="ArgumentException">An entry is null (ParamName "cones").</exception>
    public CompositeInteriorPointCone(IReadOnlyList<Cone> cones)
    {
        ArgumentNullException.ThrowIfNull(cones);
        if (cones.Any(c => c is null))
            throw new ArgumentException("Every entry of cones must be a cone description; one is null.", nameof(cones));
        _cones = cones.Select(InteriorPointMath.For).ToArray();
        _offsets = new int[_cones.Length];
        for (int i = 0; i < _cones.Length; i++)
        {
            _offsets[i] = Rows;
            Rows = checked(Rows + _cones[i].Rows);
            Degree = checked(Degree + _cones[i].Degree);
        }
    }

    /// <summary>The cones' arithmetic, in row order.</summary>
    public IReadOnlyList<IInteriorPointCone> Cones => _cones;

    /// <summary>The first row of each cone.</summary>
    public IReadOnlyList<int> Offsets => _offsets;

    /// <inheritdoc />
    public int Rows { get; }

    /// <summary>The sum of the cones' degrees.</summary>
    public int Degree { get; }

    /// <summary>The cones' unit elements, joined.</summary>
    public Tensor UnitElement(ScalarType dtype, Device device) =>
        _cones.Length == 0 ? zeros(0, dtype: dtype, device: device) : cat(_cones.Select(c => c.UnitElement(dtype, device)).ToArray(), 0);

    /// <summary>Each cone's scaling on its rows of s and z (B, Rows).</summary>
    public IConeScaling Scale(Tensor s, Tensor z)
    {
        InteriorPointArguments.CheckPair(s, nameof(s), z, nameof(z), Rows, this);
        var parts = _cones.Select((cone, i) => cone.Scale(s.narrow(1, _offsets[i], cone.Rows), z.narrow(1, _offsets[i], cone.Rows))).ToArray();
        return new CompositeScaling(parts, _offsets, Rows, s, this);
    }

    /// <inheritdoc />
    public override string ToString() => $"CompositeInteriorPointCone [{string.Join(", ", _cones.Select(c => c.ToString()))}]";
}
