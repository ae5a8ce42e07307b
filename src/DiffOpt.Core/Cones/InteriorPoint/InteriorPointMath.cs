namespace DiffOpt.Cones;

/// <summary>Builds the interior-point arithmetic of a public cone description (as <see cref="ConeMath"/> does for projections).</summary>
internal static class InteriorPointMath
{
    /// <summary>The <see cref="IInteriorPointCone"/> for <paramref name="cone"/>.</summary>
    /// <exception cref="ArgumentException">A cone type this library does not know.</exception>
    public static IInteriorPointCone For(Cone cone) => cone switch
    {
        ZeroCone zero => new ZeroInteriorPoint(zero),
        NonnegativeCone nonnegative => new NonnegativeInteriorPoint(nonnegative),
        SecondOrderCone secondOrder => new SecondOrderInteriorPoint(secondOrder),
        PsdCone psd => new PsdInteriorPoint(psd),
        ExponentialCone exponential => new ExponentialInteriorPoint(exponential),
        _ => throw new ArgumentException($"Unsupported cone type {cone.GetType().Name}.", nameof(cone)),
    };
}
