namespace DiffOpt.Modeling;

/// <summary><c>Minimum(a, b, …)</c> elementwise (scalars broadcast); concave and increasing in each argument (see <see cref="ExtremumAtom"/>).</summary>
public sealed class MinimumAtom : ExtremumAtom
{
    internal MinimumAtom(Expression[] args) : base(args, maximum: false) { }

    /// <inheritdoc />
    public override string Name => "Minimum";
}
