namespace DiffOpt.Modeling;

/// <summary><c>Maximum(a, b, …)</c> elementwise (scalars broadcast); convex and increasing in each argument (see <see cref="ExtremumAtom"/>).</summary>
public sealed class MaximumAtom : ExtremumAtom
{
    internal MaximumAtom(Expression[] args) : base(args, maximum: true) { }

    /// <inheritdoc />
    public override string Name => "Maximum";
}
