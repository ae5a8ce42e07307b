using static TorchSharp.torch;

namespace DiffOpt.Cones;

/// <summary>
/// The product K = K₁ × … × K_c of a list of cones over the rows of A, b and s, in the order given (SCS's
/// convention; Clarabel's <c>compositecone.rs</c>): cone i covers the rows [Offsets[i], Offsets[i] + Rows_i).
/// Every operation splits (B, m) along the rows, applies each cone and joins the results: projections and
/// membership blockwise, derivatives block-diagonally, the step as the minimum over the cones.
/// </summary>
internal sealed class CompositeCone : ICone
{
    private readonly ICone[] _cones;

    /// <summary>The product of <paramref name="cones"/>.</summary>
    /// <exception cref="ArgumentException">The list or one of its cones is null (ParamName "cones").</exception>
    public CompositeCone(IReadOnlyList<Cone> cones)
    {
        CheckEntries(cones);
        Cones = cones.ToArray();
        _cones = Cones.Select(ConeMath.For).ToArray();
        var offsets = new int[_cones.Length];
        int rows = 0;
        for (int i = 0; i < _cones.Length; i++)
        {
            offsets[i] = rows;
            rows = checked(rows + _cones[i].Rows);
        }
        Offsets = offsets;
        Rows = rows;
    }

    /// <summary>The cone descriptions, in row order.</summary>
    public IReadOnlyList<Cone> Cones { get; }

    /// <summary>The first row of each cone.</summary>
    public IReadOnlyList<int> Offsets { get; }

    /// <summary>m, the total number of rows.</summary>
    public int Rows { get; }

    /// <summary>
    /// Checks that <paramref name="cones"/> has no null entry and that its cones cover exactly
    /// <paramref name="rows"/> rows (the rows of A).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// With ParamName "cones": an entry is null, or the sizes add up to another number of rows; the message lists
    /// the cones' sizes.
    /// </exception>
    public static void Validate(IReadOnlyList<Cone> cones, long rows)
    {
        CheckEntries(cones);
        long covered = cones.Sum(c => (long)c.Rows);
        if (covered != rows)
            throw new ArgumentException(
                $"The cones cover {covered} rows ({string.Join(" + ", cones.Select(c => $"{c.Rows} for {c}"))}) " +
                $"but A has {rows} rows; the cones' rows must add up to A's.", nameof(cones));
    }

    /// <inheritdoc />
    public Tensor Project(Tensor v) => Join(v, nameof(v), (cone, block) => cone.Project(block));

    /// <inheritdoc />
    public Tensor ProjectDual(Tensor v) => Join(v, nameof(v), (cone, block) => cone.ProjectDual(block));

    /// <inheritdoc />
    public IConeOperator ProjectDerivative(Tensor v) =>
        new BlockDiagonalOperator(Map(v, nameof(v), (cone, block) => cone.ProjectDerivative(block)));

    /// <inheritdoc />
    public IConeOperator ProjectDualDerivative(Tensor v) =>
        new BlockDiagonalOperator(Map(v, nameof(v), (cone, block) => cone.ProjectDualDerivative(block)));

    /// <summary>Whether every cone contains its block, per item (each cone's own tolerance rule).</summary>
    public Tensor Contains(Tensor s, double tolerance) =>
        Map(s, nameof(s), (cone, block) => cone.Contains(block, tolerance))
            .Aggregate(ones(s.shape[0], dtype: ScalarType.Bool, device: s.device), (all, one) => all & one);

    /// <summary>Whether every cone's dual contains its block of <paramref name="y"/>, per item.</summary>
    public Tensor ContainsDual(Tensor y, double tolerance) =>
        Map(y, nameof(y), (cone, block) => cone.ContainsDual(block, tolerance))
            .Aggregate(ones(y.shape[0], dtype: ScalarType.Bool, device: y.device), (all, one) => all & one);

    /// <summary>The smallest of the cones' steps, per item (+∞ when no cone limits it).</summary>
    public Tensor StepToBoundary(Tensor s, Tensor ds)
    {
        ConeArguments.CheckSameAs(s, ds, nameof(ds));
        var steps = Map(s, nameof(s), (cone, block) => cone.StepToBoundary(block, ds.narrow(1, block.Offset, cone.Rows)));
        return steps.Aggregate(ConeArguments.Unbounded(s), minimum);
    }

    /// <inheritdoc />
    public override string ToString() => $"CompositeCone [{string.Join(", ", Cones)}]";

    private static void CheckEntries(IReadOnlyList<Cone> cones)
    {
        ArgumentNullException.ThrowIfNull(cones);
        for (int i = 0; i < cones.Count; i++)
            if (cones[i] is null)
                throw new ArgumentException($"cones[{i}] is null; every entry must be a cone description.", nameof(cones));
    }

    /// <summary>A cone's rows of a batch: the view and its first row.</summary>
    private readonly record struct Block(Tensor View, int Offset)
    {
        public static implicit operator Tensor(Block block) => block.View;
    }

    private T[] Map<T>(Tensor v, string parameterName, Func<ICone, Block, T> apply)
    {
        ConeArguments.CheckBatch(v, Rows, parameterName, this);
        var results = new T[_cones.Length];
        for (int i = 0; i < _cones.Length; i++)
            results[i] = apply(_cones[i], new Block(v.narrow(1, Offsets[i], _cones[i].Rows), Offsets[i]));
        return results;
    }

    private Tensor Join(Tensor v, string parameterName, Func<ICone, Block, Tensor> apply)
    {
        var parts = Map(v, parameterName, apply);
        return parts.Length == 0 ? v.clone() : cat(parts, 1);
    }
}
