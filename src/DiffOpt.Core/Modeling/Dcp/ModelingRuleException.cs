namespace DiffOpt.Modeling;

/// <summary>
/// A problem breaks a rule of disciplined convex (DCP) or parametrized (DPP) programming. The message names the
/// offending sub-expression as written and the rule it breaks.
/// </summary>
public abstract class ModelingRuleException : ArgumentException
{
    /// <summary>An exception for <paramref name="subExpression"/> breaking <paramref name="rule"/>.</summary>
    private protected ModelingRuleException(string kind, string subExpression, string rule)
        : base($"Not {kind}: '{subExpression}': {rule}.")
    {
        SubExpression = subExpression;
        Rule = rule;
    }

    /// <summary>The offending sub-expression, printed as written.</summary>
    public string SubExpression { get; }

    /// <summary>The rule it breaks, in words.</summary>
    public string Rule { get; }
}

/// <summary>The problem is not DCP: some sub-expression's curvature cannot be certified where it is used.</summary>
public sealed class DcpException : ModelingRuleException
{
    /// <summary>An exception for <paramref name="subExpression"/> breaking <paramref name="rule"/>.</summary>
    public DcpException(string subExpression, string rule) : base("DCP", subExpression, rule) { }
}

/// <summary>
/// The problem is DCP but not DPP: its data would not be an affine function of the parameters (e.g. a product of
/// two parameters, or a parameter inside a non-affine position).
/// </summary>
public sealed class DppException : ModelingRuleException
{
    /// <summary>An exception for <paramref name="subExpression"/> breaking <paramref name="rule"/>.</summary>
    public DppException(string subExpression, string rule) : base("DPP", subExpression, rule) { }
}
