namespace DiffOpt.Modeling;

/// <summary>The curvature of an expression under the DCP rules (parameters count as constants).</summary>
public enum Curvature
{
    /// <summary>No variables.</summary>
    Constant,

    /// <summary>Affine in the variables.</summary>
    Affine,

    /// <summary>Convex in the variables.</summary>
    Convex,

    /// <summary>Concave in the variables.</summary>
    Concave,

    /// <summary>The DCP rules cannot certify convexity or concavity.</summary>
    Unknown,
}

/// <summary>The sign of an expression as far as the DCP rules can tell.</summary>
public enum Sign
{
    /// <summary>Identically zero.</summary>
    Zero,

    /// <summary>Every entry is ≥ 0.</summary>
    Nonnegative,

    /// <summary>Every entry is ≤ 0.</summary>
    Nonpositive,

    /// <summary>Unknown sign.</summary>
    Unknown,
}

/// <summary>Helpers over <see cref="Curvature"/> and <see cref="Sign"/>.</summary>
public static class CurvatureExtensions
{
    /// <summary>Constant or affine.</summary>
    public static bool IsAffine(this Curvature c) => c is Curvature.Constant or Curvature.Affine;

    /// <summary>Constant, affine or convex.</summary>
    public static bool IsConvex(this Curvature c) => c.IsAffine() || c == Curvature.Convex;

    /// <summary>Constant, affine or concave.</summary>
    public static bool IsConcave(this Curvature c) => c.IsAffine() || c == Curvature.Concave;

    /// <summary>Zero or nonnegative.</summary>
    public static bool IsNonnegative(this Sign s) => s is Sign.Zero or Sign.Nonnegative;

    /// <summary>Zero or nonpositive.</summary>
    public static bool IsNonpositive(this Sign s) => s is Sign.Zero or Sign.Nonpositive;

    /// <summary>The sign of −x.</summary>
    public static Sign Negate(this Sign s) => s switch { Sign.Nonnegative => Sign.Nonpositive, Sign.Nonpositive => Sign.Nonnegative, _ => s };

    /// <summary>The sign of x + y.</summary>
    public static Sign Add(this Sign a, Sign b) =>
        a == Sign.Zero ? b : b == Sign.Zero ? a : a == b ? a : Sign.Unknown;

    /// <summary>The sign of x·y.</summary>
    public static Sign Multiply(this Sign a, Sign b) =>
        a == Sign.Zero || b == Sign.Zero ? Sign.Zero
        : a == Sign.Unknown || b == Sign.Unknown ? Sign.Unknown
        : a == b ? Sign.Nonnegative : Sign.Nonpositive;

    /// <summary>The curvature of −x.</summary>
    public static Curvature Negate(this Curvature c) => c switch { Curvature.Convex => Curvature.Concave, Curvature.Concave => Curvature.Convex, _ => c };

    /// <summary>Lower-case name for messages.</summary>
    internal static string Describe(this Curvature c) => c.ToString().ToLowerInvariant();
}
