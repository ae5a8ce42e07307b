namespace DiffOpt.Modeling;

/// <summary><c>Maximum(a, b, …)</c> elementwise (scalars broadcast); convex and increasing in each argument.</summary>
public sealed class MaximumAtom : Atom
{
    internal MaximumAtom(Expression[] args) : base(args) => Shape = ExtremumShape.Of("Maximum", args);

    /// <inheritdoc />
    public override string Name => "Maximum";

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign => Args.Any(a => a.Sign.IsNonnegative()) ? Sign.Nonnegative
        : Args.All(a => a.Sign.IsNonpositive()) ? Sign.Nonpositive : Sign.Unknown;

    internal override bool IsAtomConvex => true;

    internal override bool IsAtomConcave => false;

    internal override bool IsIncreasing(int i) => true;

    internal override bool IsDecreasing(int i) => false;

    /// <summary>t with t ≥ each argument.</summary>
    internal static LinearForm Canonicalize(MaximumAtom atom, LinearForm[] x, CanonContext context)
    {
        var t = context.NewVariable(atom.Shape);
        foreach (var a in x) context.LessEqual(a, t);
        return t;
    }
}

/// <summary>The shape rule of <see cref="MaximumAtom"/> and <see cref="MinimumAtom"/>.</summary>
internal static class ExtremumShape
{
    /// <summary>The common shape of the arguments (scalars broadcast).</summary>
    public static Shape Of(string name, Expression[] args)
    {
        if (args.Length < 2) throw new ArgumentException($"{name} needs at least two arguments.", nameof(args));
        var big = args.Select(a => a.Shape).Where(s => s.Size > 1).Distinct().ToList();
        if (big.Count > 1) throw new ArgumentException($"{name}: argument shapes {string.Join(", ", args.Select(a => a.Shape))} differ.", nameof(args));
        return big.Count == 1 ? big[0] : args.Select(a => a.Shape).MaxBy(s => s.Rank);
    }
}
