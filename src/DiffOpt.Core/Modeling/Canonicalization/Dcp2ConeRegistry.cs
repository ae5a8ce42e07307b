namespace DiffOpt.Modeling;

/// <summary>
/// The one table from atom types to their canonicalisers (each the static <c>Canonicalize</c> in the atom's own
/// file): given the canonical affine forms of the arguments, a canonicaliser adds cone constraints to the context
/// and returns the atom's value (an epigraph/hypograph variable, or an affine form).
/// </summary>
internal static class Dcp2ConeRegistry
{
    private delegate LinearForm Canonicalizer(Atom atom, LinearForm[] args, CanonContext context);

    // Plain lambdas, no generic adapters: building the tables loads no generic instantiation per atom (part of the first build's cost).
    private static readonly Dictionary<Type, Canonicalizer> Table = new()
    {
        [typeof(AddAtom)] = (a, x, c) => AddAtom.Canonicalize((AddAtom)a, x, c),
        [typeof(NegateAtom)] = (a, x, c) => NegateAtom.Canonicalize((NegateAtom)a, x, c),
        [typeof(MultiplyAtom)] = (a, x, c) => MultiplyAtom.Canonicalize((MultiplyAtom)a, x, c),
        [typeof(MatMulAtom)] = (a, x, c) => MatMulAtom.Canonicalize((MatMulAtom)a, x, c),
        [typeof(DivideAtom)] = (a, x, c) => DivideAtom.Canonicalize((DivideAtom)a, x, c),
        [typeof(IndexAtom)] = (a, x, c) => IndexAtom.Canonicalize((IndexAtom)a, x, c),
        [typeof(SumAtom)] = (a, x, c) => SumAtom.Canonicalize((SumAtom)a, x, c),
        [typeof(TraceAtom)] = (a, x, c) => TraceAtom.Canonicalize((TraceAtom)a, x, c),
        [typeof(DiagAtom)] = (a, x, c) => DiagAtom.Canonicalize((DiagAtom)a, x, c),
        [typeof(ReshapeAtom)] = (a, x, c) => ReshapeAtom.Canonicalize((ReshapeAtom)a, x, c),
        [typeof(TransposeAtom)] = (a, x, c) => TransposeAtom.Canonicalize((TransposeAtom)a, x, c),
        [typeof(StackAtom)] = (a, x, c) => StackAtom.Canonicalize((StackAtom)a, x, c),
        [typeof(SumSquaresAtom)] = (a, x, c) => SumSquaresAtom.Canonicalize((SumSquaresAtom)a, x, c),
        [typeof(SquareAtom)] = (a, x, c) => SquareAtom.Canonicalize((SquareAtom)a, x, c),
        [typeof(Norm1Atom)] = (a, x, c) => Norm1Atom.Canonicalize((Norm1Atom)a, x, c),
        [typeof(Norm2Atom)] = (a, x, c) => Norm2Atom.Canonicalize((Norm2Atom)a, x, c),
        [typeof(NormInfAtom)] = (a, x, c) => NormInfAtom.Canonicalize((NormInfAtom)a, x, c),
        [typeof(AbsAtom)] = (a, x, c) => AbsAtom.Canonicalize((AbsAtom)a, x, c),
        [typeof(PosAtom)] = (a, x, c) => PosAtom.Canonicalize((PosAtom)a, x, c),
        [typeof(NegAtom)] = (a, x, c) => NegAtom.Canonicalize((NegAtom)a, x, c),
        [typeof(MaximumAtom)] = (a, x, c) => ExtremumAtom.Canonicalize((MaximumAtom)a, x, c),
        [typeof(MinimumAtom)] = (a, x, c) => ExtremumAtom.Canonicalize((MinimumAtom)a, x, c),
        [typeof(QuadFormAtom)] = (a, x, c) => QuadFormAtom.Canonicalize((QuadFormAtom)a, x, c),
        [typeof(QuadOverLinAtom)] = (a, x, c) => QuadOverLinAtom.Canonicalize((QuadOverLinAtom)a, x, c),
        [typeof(PowerAtom)] = (a, x, c) => PowerAtom.Canonicalize((PowerAtom)a, x, c),
        [typeof(SqrtAtom)] = (a, x, c) => SqrtAtom.Canonicalize((SqrtAtom)a, x, c),
        [typeof(ExpAtom)] = (a, x, c) => ExpAtom.Canonicalize((ExpAtom)a, x, c),
        [typeof(LogAtom)] = (a, x, c) => LogAtom.Canonicalize((LogAtom)a, x, c),
        [typeof(EntropyAtom)] = (a, x, c) => EntropyAtom.Canonicalize((EntropyAtom)a, x, c),
        [typeof(LogSumExpAtom)] = (a, x, c) => LogSumExpAtom.Canonicalize((LogSumExpAtom)a, x, c),
        [typeof(LogisticAtom)] = (a, x, c) => LogisticAtom.Canonicalize((LogisticAtom)a, x, c),
        [typeof(HuberAtom)] = (a, x, c) => HuberAtom.Canonicalize((HuberAtom)a, x, c),
        [typeof(KlDivAtom)] = (a, x, c) => KlDivAtom.Canonicalize((KlDivAtom)a, x, c),
        [typeof(LambdaMaxAtom)] = (a, x, c) => LambdaMaxAtom.Canonicalize((LambdaMaxAtom)a, x, c),
        [typeof(LogDetAtom)] = (a, x, c) => LogDetAtom.Canonicalize((LogDetAtom)a, x, c),
    };

    /// <summary>
    /// The atoms whose bound f(x) ≤ t (convex) or g(x) ≥ t (concave) has a cone form without auxiliary variables (each
    /// the static <c>Bound</c> in the atom's own file), and the signs of t for which it holds (null: every t). An
    /// epigraph variable of such a bound would be left undetermined by an inactive constraint (a set of optimal
    /// points, a singular derivative and the slower least-squares path); the direct form has none.
    /// </summary>
    private static Dictionary<Type, (BoundRows Rows, bool Upper, Func<Sign, bool>? Applies)> Bounds => DirectBounds.Table;

    /// <summary>The direct bounds' table, in a class of its own so that it is built on first use (problems without inequalities never use it).</summary>
    private static class DirectBounds
    {
        public static readonly Dictionary<Type, (BoundRows Rows, bool Upper, Func<Sign, bool>? Applies)> Table = new()
        {
            [typeof(AbsAtom)] = ((a, x, t, c) => AbsAtom.Bound((AbsAtom)a, x, t, c), true, null),
            [typeof(NormInfAtom)] = ((a, x, t, c) => NormInfAtom.Bound((NormInfAtom)a, x, t, c), true, null),
            [typeof(MaximumAtom)] = ((a, x, t, c) => ExtremumAtom.Bound((MaximumAtom)a, x, t, c), true, null),
            [typeof(MinimumAtom)] = ((a, x, t, c) => ExtremumAtom.Bound((MinimumAtom)a, x, t, c), false, null),
            [typeof(PosAtom)] = ((a, x, t, c) => PosAtom.Bound((PosAtom)a, x, t, c), true, null),
            [typeof(NegAtom)] = ((a, x, t, c) => NegAtom.Bound((NegAtom)a, x, t, c), true, null),
            [typeof(Norm2Atom)] = ((a, x, t, c) => Norm2Atom.Bound((Norm2Atom)a, x, t, c), true, null),
            [typeof(SquareAtom)] = ((a, x, t, c) => SquareAtom.Bound((SquareAtom)a, x, t, c), true, null),
            [typeof(SumSquaresAtom)] = ((a, x, t, c) => SumSquaresAtom.Bound((SumSquaresAtom)a, x, t, c), true, null),
            [typeof(QuadOverLinAtom)] = ((a, x, t, c) => QuadOverLinAtom.Bound((QuadOverLinAtom)a, x, t, c), true, null),
            [typeof(ExpAtom)] = ((a, x, t, c) => ExpAtom.Bound((ExpAtom)a, x, t, c), true, null),
            [typeof(KlDivAtom)] = ((a, x, t, c) => KlDivAtom.Bound((KlDivAtom)a, x, t, c), true, null),
            [typeof(LogAtom)] = ((a, x, t, c) => LogAtom.Bound((LogAtom)a, x, t, c), false, null),
            [typeof(EntropyAtom)] = ((a, x, t, c) => EntropyAtom.Bound((EntropyAtom)a, x, t, c), false, null),
            [typeof(SqrtAtom)] = ((a, x, t, c) => SqrtAtom.Bound((SqrtAtom)a, x, t, c), false, SqrtAtom.BoundHolds),
        };
    }

    private delegate void BoundRows(Atom atom, LinearForm[] args, LinearForm t, CanonContext context);

    /// <summary>The atom types with a canonicaliser.</summary>
    public static IReadOnlyCollection<Type> AtomTypes => Table.Keys;

    /// <summary>The atom types whose bound has a cone form without auxiliary variables.</summary>
    public static IReadOnlyCollection<Type> BoundTypes => Bounds.Keys;

    /// <summary>
    /// Adds <paramref name="small"/> ≤ <paramref name="large"/> (of <paramref name="shape"/>, DCP-checked) through an
    /// atom's direct bound when one side is, or negates, an atom of that shape with one in the matching direction:
    /// f(x) ≤ large, small ≤ g(x), small ≤ −f(x) ⇔ f(x) ≤ −small, −g(x) ≤ large ⇔ g(x) ≥ −large. False (nothing
    /// added) otherwise.
    /// </summary>
    public static bool TryBound(Expression small, Expression large, Shape shape, CanonContext context) =>
        (Direct(small, upper: true, shape) is { } f && Add(f, large, negated: false, upper: true, shape, context))
        || (Direct(large, upper: false, shape) is { } g && Add(g, small, negated: false, upper: false, shape, context))
        || (large is NegateAtom && Direct(large.Args[0], upper: true, shape) is { } negatedF && Add(negatedF, small, negated: true, upper: true, shape, context))
        || (small is NegateAtom && Direct(small.Args[0], upper: false, shape) is { } negatedG && Add(negatedG, large, negated: true, upper: false, shape, context));

    /// <summary>The atom <paramref name="e"/> when it has a direct bound in the given direction for the shape, else null.</summary>
    private static Atom? Direct(Expression e, bool upper, Shape shape) =>
        e is Atom a && a.Shape.Size == shape.Size && Bounds.TryGetValue(a.GetType(), out var entry) && entry.Upper == upper ? a : null;

    /// <summary>Adds the atom's bound on t = ±<paramref name="other"/> (false, adding nothing, when t's sign rules it out).</summary>
    private static bool Add(Atom atom, Expression other, bool negated, bool upper, Shape shape, CanonContext context)
    {
        var entry = Bounds[atom.GetType()];
        if (entry.Applies is { } applies && !applies(negated ? other.Sign.Negate() : other.Sign)) return false;
        var args = atom.Args.Select(context.Canon).ToArray();
        var t = context.Canon(other);
        context.Bound(negated ? t.Scale(-1) : t, shape, upper, standIn => entry.Rows(atom, args, standIn, context));
        return true;
    }

    /// <summary>Canonicalises <paramref name="atom"/> whose arguments have the forms <paramref name="args"/>.</summary>
    public static LinearForm Canonicalize(Atom atom, LinearForm[] args, CanonContext context) =>
        Table.TryGetValue(atom.GetType(), out var f)
            ? f(atom, args, context)
            : throw new NotSupportedException($"No canonicaliser for {atom.GetType().Name} ('{atom}').");
}
