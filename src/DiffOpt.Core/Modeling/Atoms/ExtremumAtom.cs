namespace DiffOpt.Modeling;

/// <summary>
/// The elementwise maximum (convex) or minimum (concave) of two or more expressions, scalars broadcast; increasing
/// in each argument. Canonicalised as t ≥ each argument (t ≤ each for the minimum).
/// </summary>
public abstract class ExtremumAtom : Atom
{
    private readonly bool _maximum;

    /// <summary>The maximum (or minimum) of <paramref name="args"/>.</summary>
    private protected ExtremumAtom(Expression[] args, bool maximum) : base(args)
    {
        _maximum = maximum;
        string name = maximum ? "Maximum" : "Minimum";
        if (args.Length < 2) throw new ArgumentException($"{name} needs at least two arguments.", nameof(args));
        var big = args.Select(a => a.Shape).Where(s => s.Size > 1).Distinct().ToList();
        if (big.Count > 1) throw new ArgumentException($"{name}: argument shapes {string.Join(", ", args.Select(a => a.Shape))} differ.", nameof(args));
        Shape = big.Count == 1 ? big[0] : args.Select(a => a.Shape).MaxBy(s => s.Rank);
    }

    /// <inheritdoc />
    public override Shape Shape { get; }

    /// <inheritdoc />
    public override Sign Sign
    {
        get
        {
            // max is ≥ 0 when one argument is, ≤ 0 when all are (mirrored for min).
            Func<Sign, bool> one = _maximum ? s => s.IsNonnegative() : s => s.IsNonpositive();
            Func<Sign, bool> all = _maximum ? s => s.IsNonpositive() : s => s.IsNonnegative();
            var (oneSign, allSign) = _maximum ? (Sign.Nonnegative, Sign.Nonpositive) : (Sign.Nonpositive, Sign.Nonnegative);
            return Args.Any(a => one(a.Sign)) ? oneSign : Args.All(a => all(a.Sign)) ? allSign : Sign.Unknown;
        }
    }

    internal override bool IsAtomConvex => _maximum;

    internal override bool IsAtomConcave => !_maximum;

    internal override bool IsIncreasing(int i) => true;

    internal override bool IsDecreasing(int i) => false;

    /// <summary>An epigraph (hypograph) variable t with <see cref="Bound"/>.</summary>
    internal static LinearForm Canonicalize(ExtremumAtom atom, LinearForm[] x, CanonContext context) =>
        context.NewVariable(atom.Shape, t => Bound(atom, x, t, context));

    /// <summary>max(a, b, …) ≤ t: t ≥ each argument; min(a, b, …) ≥ t: t ≤ each argument.</summary>
    internal static void Bound(ExtremumAtom atom, LinearForm[] x, LinearForm t, CanonContext context)
    {
        foreach (var a in x)
            if (atom._maximum) context.LessEqual(a, t);
            else context.LessEqual(t, a);
    }
}
