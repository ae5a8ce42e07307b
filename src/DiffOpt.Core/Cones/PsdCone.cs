namespace DiffOpt.Cones;

/// <summary>
/// The cone of symmetric positive semidefinite k × k matrices in svec form (SCS's convention): the lower
/// triangle column by column, off-diagonal entries times √2,
/// svec(X) = (X₁₁, √2X₂₁, …, √2X_k1, X₂₂, √2X₃₂, …, X_kk), so that svec(X)·svec(Y) = tr(XY). Self-dual.
/// </summary>
/// <param name="Order">k, the matrix order (positive); the cone covers k(k + 1)/2 rows.</param>
public sealed record PsdCone(int Order) : Cone
{
    /// <summary>k, the matrix order.</summary>
    public int Order { get; } = Positive(Order, nameof(Order));

    /// <summary>k(k + 1)/2, the length of svec of a k × k matrix.</summary>
    public override int Rows => checked(Order * (Order + 1) / 2);
}
