namespace DiffOpt.Cones;

/// <summary>
/// A cone of a cone program  minimize cᵀx (+ ½xᵀPx)  subject to  Ax + s = b,  s ∈ K, where K is the product of
/// the cones of a list, each covering the next <see cref="Rows"/> rows of A, b and s in the order given (SCS's
/// convention). The descriptions are immutable values; the solver builds its internal cone arithmetic from them.
/// </summary>
public abstract record Cone
{
    /// <summary>The number of rows of A, b and s that this cone covers.</summary>
    public abstract int Rows { get; }

    /// <summary>Returns <paramref name="size"/> if it is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is zero or negative; the message names the parameter.</exception>
    private protected static int Positive(int size, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, parameterName);
        return size;
    }
}
