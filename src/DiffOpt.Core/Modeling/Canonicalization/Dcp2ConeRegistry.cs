namespace DiffOpt.Modeling;

/// <summary>
/// The one table from atom types to their canonicalisers (each the static <c>Canonicalize</c> in the atom's own
/// file): given the canonical affine forms of the arguments, a canonicaliser adds cone constraints to the context
/// and returns the atom's value (an epigraph/hypograph variable, or an affine form).
/// </summary>
internal static class Dcp2ConeRegistry
{
    private delegate LinearForm Canonicalizer(Atom atom, LinearForm[] args, CanonContext context);

    private static readonly Dictionary<Type, Canonicalizer> Table = new()
    {
        [typeof(AddAtom)] = Of<AddAtom>(AddAtom.Canonicalize),
        [typeof(NegateAtom)] = Of<NegateAtom>(NegateAtom.Canonicalize),
        [typeof(MultiplyAtom)] = Of<MultiplyAtom>(MultiplyAtom.Canonicalize),
        [typeof(MatMulAtom)] = Of<MatMulAtom>(MatMulAtom.Canonicalize),
        [typeof(DivideAtom)] = Of<DivideAtom>(DivideAtom.Canonicalize),
        [typeof(IndexAtom)] = Of<IndexAtom>(IndexAtom.Canonicalize),
        [typeof(SumAtom)] = Of<SumAtom>(SumAtom.Canonicalize),
        [typeof(TraceAtom)] = Of<TraceAtom>(TraceAtom.Canonicalize),
        [typeof(DiagAtom)] = Of<DiagAtom>(DiagAtom.Canonicalize),
        [typeof(ReshapeAtom)] = Of<ReshapeAtom>(ReshapeAtom.Canonicalize),
        [typeof(TransposeAtom)] = Of<TransposeAtom>(TransposeAtom.Canonicalize),
        [typeof(StackAtom)] = Of<StackAtom>(StackAtom.Canonicalize),
        [typeof(SumSquaresAtom)] = Of<SumSquaresAtom>(SumSquaresAtom.Canonicalize),
        [typeof(SquareAtom)] = Of<SquareAtom>(SquareAtom.Canonicalize),
        [typeof(Norm1Atom)] = Of<Norm1Atom>(Norm1Atom.Canonicalize),
        [typeof(Norm2Atom)] = Of<Norm2Atom>(Norm2Atom.Canonicalize),
        [typeof(NormInfAtom)] = Of<NormInfAtom>(NormInfAtom.Canonicalize),
        [typeof(AbsAtom)] = Of<AbsAtom>(AbsAtom.Canonicalize),
        [typeof(PosAtom)] = Of<PosAtom>(PosAtom.Canonicalize),
        [typeof(NegAtom)] = Of<NegAtom>(NegAtom.Canonicalize),
        [typeof(MaximumAtom)] = Of<MaximumAtom>(ExtremumAtom.Canonicalize),
        [typeof(MinimumAtom)] = Of<MinimumAtom>(ExtremumAtom.Canonicalize),
        [typeof(QuadFormAtom)] = Of<QuadFormAtom>(QuadFormAtom.Canonicalize),
        [typeof(QuadOverLinAtom)] = Of<QuadOverLinAtom>(QuadOverLinAtom.Canonicalize),
        [typeof(PowerAtom)] = Of<PowerAtom>(PowerAtom.Canonicalize),
        [typeof(SqrtAtom)] = Of<SqrtAtom>(SqrtAtom.Canonicalize),
        [typeof(ExpAtom)] = Of<ExpAtom>(ExpAtom.Canonicalize),
        [typeof(LogAtom)] = Of<LogAtom>(LogAtom.Canonicalize),
        [typeof(EntropyAtom)] = Of<EntropyAtom>(EntropyAtom.Canonicalize),
        [typeof(LogSumExpAtom)] = Of<LogSumExpAtom>(LogSumExpAtom.Canonicalize),
        [typeof(LogisticAtom)] = Of<LogisticAtom>(LogisticAtom.Canonicalize),
        [typeof(HuberAtom)] = Of<HuberAtom>(HuberAtom.Canonicalize),
        [typeof(KlDivAtom)] = Of<KlDivAtom>(KlDivAtom.Canonicalize),
        [typeof(LambdaMaxAtom)] = Of<LambdaMaxAtom>(LambdaMaxAtom.Canonicalize),
        [typeof(LogDetAtom)] = Of<LogDetAtom>(LogDetAtom.Canonicalize),
    };

    /// <summary>
    /// The atoms whose bound f(x) ≤ t (convex) or g(x) ≥ t (concave) has a cone form without auxiliary variables (each
    /// the static <c>Bound</c> in the atom's own file), and the signs of t for which it holds (null: every t). An
    /// epigraph variable of such a bound would be left undetermined by an inactive constraint (a set of optimal
    /// points, a singular derivative and the slower least-squares path); the direct form has none.
    /// </summary>
    private static readonly Dictionary<Type, (BoundRows Rows, bool Upper, Func<Sign, bool>? Applies)> Bounds = new()
    {
        [typeof(AbsAtom)] = Upper<AbsAtom>(AbsAtom.Bound),
        [typeof(NormInfAtom)] = Upper<NormInfAtom>(NormInfAtom.Bound),
        [typeof(MaximumAtom)] = Upper<MaximumAtom>(ExtremumAtom.Bound),
        [typeof(MinimumAtom)] = Lower<MinimumAtom>(ExtremumAtom.Bound),
        [typeof(PosAtom)] = Upper<PosAtom>(PosAtom.Bound),
        [typeof(NegAtom)] = Upper<NegAtom>(NegAtom.Bound),
        [typeof(Norm2Atom)] = Upper<Norm2Atom>(Norm2Atom.Bound),
        [typeof(SquareAtom)] = Upper<SquareAtom>(SquareAtom.Bound),
        [typeof(SumSquaresAtom)] = Upper<SumSquaresAtom>(SumSquaresAtom.Bound),
        [typeof(QuadOverLinAtom)] = Upper<QuadOverLinAtom>(QuadOverLinAtom.Bound),
        [typeof(ExpAtom)] = Upper<ExpAtom>(ExpAtom.Bound),
        [typeof(KlDivAtom)] = Upper<KlDivAtom>(KlDivAtom.Bound),
        [typeof(LogAtom)] = Lower<LogAtom>(LogAtom.Bound),
        [typeof(EntropyAtom)] = Lower<EntropyAtom>(EntropyAtom.Bound),
        [typeof(SqrtAtom)] = Lower<SqrtAtom>(SqrtAtom.Bound, SqrtAtom.BoundHolds),
    };

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

    private static (BoundRows, bool, Func<Sign, bool>?) Upper<T>(Action<T, LinearForm[], LinearForm, CanonContext> f) where T : Atom =>
        ((atom, args, t, context) => f((T)atom, args, t, context), true, null);

    private static (BoundRows, bool, Func<Sign, bool>?) Lower<T>(Action<T, LinearForm[], LinearForm, CanonContext> f, Func<Sign, bool>? applies = null)
        where T : Atom =>
        ((atom, args, t, context) => f((T)atom, args, t, context), false, applies);

    /// <summary>Canonicalises <paramref name="atom"/> whose arguments have the forms <paramref name="args"/>.</summary>
    public static LinearForm Canonicalize(Atom atom, LinearForm[] args, CanonContext context) =>
        Table.TryGetValue(atom.GetType(), out var f)
            ? f(atom, args, context)
            : throw new NotSupportedException($"No canonicaliser for {atom.GetType().Name} ('{atom}').");

    private static Canonicalizer Of<T>(Func<T, LinearForm[], CanonContext, LinearForm> f) where T : Atom =>
        (atom, args, context) => f((T)atom, args, context);
}
