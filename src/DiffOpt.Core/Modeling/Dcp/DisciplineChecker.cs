namespace DiffOpt.Modeling;

/// <summary>
/// Finds the first place where a problem breaks DCP (parameters constant) or DPP (parameters affine, products with
/// one parameter-free factor, QuadForm's parameter P only as a P block): sub-expressions are visited before their
/// parents, so the exception names the innermost offending sub-expression.
/// </summary>
internal static class DisciplineChecker
{
    /// <summary>The first violation under <paramref name="mode"/>, or null when the problem follows the rules.</summary>
    public static ModelingRuleException? FindViolation(Problem problem, DisciplineMode mode)
    {
        var quadratic = ObjectiveCanonicalizer.QuadraticTerms(problem.Objective, problem.IsMinimize ? 1 : -1);
        foreach (var e in problem.Constraints.SelectMany(c => c.Expressions).Prepend(problem.Objective))
            if (Find(e, mode, quadratic) is { } inner)
                return inner;
        var c = problem.Objective.CurvatureIn(mode);
        if (problem.IsMinimize ? !c.IsConvex() : !c.IsConcave())
            return Make(mode, $"{problem.Objective}",
                $"{(problem.IsMinimize ? "Minimize needs a convex" : "Maximize needs a concave")} objective, but it is {c.Describe()}");
        foreach (var constraint in problem.Constraints)
            if (constraint.Violation(mode) is { } v)
                return Make(mode, v.Where, v.Rule);
        return null;
    }

    private static ModelingRuleException? Find(Expression e, DisciplineMode mode, HashSet<Expression> quadratic)
    {
        foreach (var a in e.Args)
            if (Find(a, mode, quadratic) is { } inner)
                return inner;
        if (e is not Atom atom) return null;
        if (mode == DisciplineMode.Dpp && atom.DppViolation(quadratic.Contains(atom)) is { } rule)
            return new DppException(atom.ToString(), rule);
        return atom.CurvatureIn(mode) == Curvature.Unknown ? Make(mode, atom.ToString(), atom.ExplainUnknown(mode)) : null;
    }

    private static ModelingRuleException Make(DisciplineMode mode, string where, string rule) =>
        mode == DisciplineMode.Dcp ? new DcpException(where, rule) : new DppException(where, rule);
}
