using System.Runtime.CompilerServices;

namespace DiffOpt.Modeling;

/// <summary>
/// A function applied to expressions. Each atom declares only local facts (its curvature, its monotonicity in each
/// argument, its sign and shape); the DCP composition rule is applied here once (Grant, Boyd and Ye, "Disciplined
/// convex programming"; cvxpy's <c>Atom.is_convex</c>): f(g₁, …, g_k) is convex when f is convex and each g_i is
/// affine, or convex with f increasing in argument i, or concave with f decreasing in it (concave: the mirror).
/// Each atom's cone form is the static <c>Canonicalize</c> of its own file, listed in <see cref="Dcp2ConeRegistry"/>,
/// and, where a bound f(x) ≤ t (g(x) ≥ t) has a cone form without auxiliary variables, the static <c>Bound</c> there.
/// </summary>
public abstract class Atom : Expression
{
    private readonly Expression[] _args;
    private Curvature? _dcpCurvature;
    private Curvature? _dppCurvature;

    /// <summary>An atom of the given arguments (none null).</summary>
    private protected Atom(params Expression[] args)
    {
        for (int i = 0; i < args.Length; i++)
            if (args[i] is null) throw new ArgumentNullException(nameof(args), $"Argument {i} of an atom is null.");
        _args = args;
    }

    /// <inheritdoc />
    public override IReadOnlyList<Expression> Args => _args;

    /// <summary>The atom's name as the user writes it (e.g. "Norm2").</summary>
    public abstract string Name { get; }

    /// <summary>The function is convex in its arguments.</summary>
    internal abstract bool IsAtomConvex { get; }

    /// <summary>The function is concave in its arguments.</summary>
    internal abstract bool IsAtomConcave { get; }

    /// <summary>The function is nondecreasing in argument <paramref name="i"/> (may depend on the arguments' signs).</summary>
    internal abstract bool IsIncreasing(int i);

    /// <summary>The function is nonincreasing in argument <paramref name="i"/>.</summary>
    internal abstract bool IsDecreasing(int i);

    /// <summary>Prints as <c>Name(arg, …)</c>.</summary>
    public override string ToString() => $"{Name}({string.Join(", ", _args.Select(a => a.ToString()))})";

    internal sealed override Curvature CurvatureIn(DisciplineMode mode) => mode == DisciplineMode.Dcp
        ? _dcpCurvature ??= ComputeCurvature(mode)
        : _dppCurvature ??= ComputeCurvature(mode);

    /// <summary>The DCP composition rule over the arguments' curvatures.</summary>
    internal virtual Curvature ComputeCurvature(DisciplineMode mode)
    {
        bool constant = true;
        foreach (var a in _args) constant &= a.CurvatureIn(mode) == Curvature.Constant;
        if (constant) return Curvature.Constant;
        bool convex = IsAtomConvex, concave = IsAtomConcave;
        for (int i = 0; i < _args.Length; i++)
        {
            convex = convex && ArgumentKeeps(i, mode, convex: true);
            concave = concave && ArgumentKeeps(i, mode, convex: false);
        }
        return convex && concave ? Curvature.Affine : convex ? Curvature.Convex : concave ? Curvature.Concave : Curvature.Unknown;
    }

    /// <summary>Whether argument i's curvature keeps this atom convex (or concave) under the composition rule.</summary>
    private protected bool ArgumentKeeps(int i, DisciplineMode mode, bool convex)
    {
        var c = _args[i].CurvatureIn(mode);
        if (c.IsAffine()) return true;
        if (c == Curvature.Convex) return convex ? IsIncreasing(i) : IsDecreasing(i);
        if (c == Curvature.Concave) return convex ? IsDecreasing(i) : IsIncreasing(i);
        return false;
    }

    /// <summary>
    /// Why this atom's curvature is unknown although every argument's is known: the composition rule it breaks, in
    /// words (used in <see cref="DcpException"/> messages).
    /// </summary>
    internal virtual string ExplainUnknown(DisciplineMode mode)
    {
        string kind = IsAtomConvex && IsAtomConcave ? "affine" : IsAtomConvex ? "convex" : IsAtomConcave ? "concave" : "neither convex nor concave";
        if (!IsAtomConvex && !IsAtomConcave) return $"{Name} is {kind}";
        bool asConvex = IsAtomConvex;
        for (int i = 0; i < _args.Length; i++)
        {
            if (ArgumentKeeps(i, mode, asConvex)) continue;
            var c = _args[i].CurvatureIn(mode);
            string mono = IsIncreasing(i) ? "increasing" : IsDecreasing(i) ? "decreasing" : "not monotone";
            string needed = IsIncreasing(i) ? (asConvex ? "affine or convex" : "affine or concave")
                : IsDecreasing(i) ? (asConvex ? "affine or concave" : "affine or convex") : "affine";
            return $"{Name} is {kind} and {mono} in argument {i + 1} (given its sign), so that argument must be {needed}, but '{_args[i]}' is {c.Describe()}";
        }
        return $"{Name} is {kind} but its arguments do not compose";
    }

    /// <summary>A DPP rule (beyond curvature) this node breaks, or null.</summary>
    internal virtual string? DppViolation(bool inQuadraticObjective) => null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming this atom unless <paramref name="ok"/>.</summary>
    private protected static void Require(bool ok, string message, string argName)
    {
        if (!ok) throw new ArgumentException(message, argName);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming this atom unless <paramref name="ok"/> (the message formatted only then).</summary>
    private protected static void Require(bool ok, [InterpolatedStringHandlerArgument(nameof(ok))] ref RequireMessage message, string argName)
    {
        if (!ok) throw new ArgumentException(message.ToStringAndClear(), argName);
    }
}
