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

    /// <summary>The atom types with a canonicaliser.</summary>
    public static IReadOnlyCollection<Type> AtomTypes => Table.Keys;

    /// <summary>Canonicalises <paramref name="atom"/> whose arguments have the forms <paramref name="args"/>.</summary>
    public static LinearForm Canonicalize(Atom atom, LinearForm[] args, CanonContext context) =>
        Table.TryGetValue(atom.GetType(), out var f)
            ? f(atom, args, context)
            : throw new NotSupportedException($"No canonicaliser for {atom.GetType().Name} ('{atom}').");

    private static Canonicalizer Of<T>(Func<T, LinearForm[], CanonContext, LinearForm> f) where T : Atom =>
        (atom, args, context) => f((T)atom, args, context);
}
