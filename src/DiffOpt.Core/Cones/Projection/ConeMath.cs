namespace DiffOpt.Cones;

/// <summary>Builds the internal arithmetic of a public cone description (Clarabel's <c>supportedcone.rs</c> → cone types).</summary>
internal static class ConeMath
{
    /// <summary>The <see cref="ICone"/> for <paramref name="cone"/>.</summary>
    /// <exception cref="ArgumentException">A cone type this library does not know.</exception>
    public static ICone For(Cone cone) => cone switch
    {
        ZeroCone zero => new ZeroConeMath(zero),
        NonnegativeCone nonnegative => new NonnegativeConeMath(nonnegative),
        SecondOrderCone secondOrder => new SecondOrderConeMath(secondOrder),
        PsdCone psd => new PsdConeMath(psd),
        ExponentialCone exponential => new ExponentialConeMath(exponential),
        _ => throw new ArgumentException($"Unsupported cone type {cone.GetType().Name}.", nameof(cone)),
    };
}
