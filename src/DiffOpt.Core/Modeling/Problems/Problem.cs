using DiffOpt.Native;
using DiffOpt.Cones;
using DiffOpt.Qp;
using static TorchSharp.torch;

namespace DiffOpt.Modeling;

/// <summary>
/// A convex problem: minimize (or maximize) a scalar objective subject to constraints. Check it with
/// <see cref="IsDcp"/> / <see cref="IsDpp"/> (or <see cref="CheckDpp"/>, which throws with the offending
/// sub-expression), solve it with <see cref="Solve"/>, or make it a layer with <see cref="Layers.ConvexLayer"/>.
/// </summary>
public sealed class Problem
{
    private ParametricConeProgram? _compiled;

    private Problem(Expression objective, bool minimize, Constraint[] constraints)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(constraints);
        if (objective.Shape.Size != 1)
            throw new ArgumentException($"The objective '{objective}' must be a scalar; got shape {objective.Shape}.", nameof(objective));
        for (int i = 0; i < constraints.Length; i++)
            if (constraints[i] is null) throw new ArgumentNullException(nameof(constraints), $"Constraint {i} is null.");
        Objective = objective;
        IsMinimize = minimize;
        Constraints = constraints;
    }

    /// <summary>minimize <paramref name="objective"/> subject to <paramref name="constraints"/>.</summary>
    public static Problem Minimize(Expression objective, params Constraint[] constraints) => new(objective, true, constraints);

    /// <summary>maximize <paramref name="objective"/> subject to <paramref name="constraints"/>.</summary>
    public static Problem Maximize(Expression objective, params Constraint[] constraints) => new(objective, false, constraints);

    /// <summary>The objective.</summary>
    public Expression Objective { get; }

    /// <summary>True for a minimisation.</summary>
    public bool IsMinimize { get; }

    /// <summary>The constraints.</summary>
    public IReadOnlyList<Constraint> Constraints { get; }

    /// <summary>The distinct variables, in order of first occurrence (objective first).</summary>
    public IReadOnlyList<Variable> Variables => Leaves<Variable>();

    /// <summary>The distinct parameters, in order of first occurrence (objective first).</summary>
    public IReadOnlyList<Parameter> Parameters => Leaves<Parameter>();

    /// <summary>True when the problem follows the DCP rules (parameters count as constants).</summary>
    public bool IsDcp() => DisciplineChecker.FindViolation(this, DisciplineMode.Dcp) is null;

    /// <summary>True when the problem is DCP and its cone data are affine in the parameters (DPP).</summary>
    public bool IsDpp() => IsDcp() && DisciplineChecker.FindViolation(this, DisciplineMode.Dpp) is null;

    /// <summary>Throws unless the problem is DCP.</summary>
    /// <exception cref="DcpException">The message names the first offending sub-expression and the rule.</exception>
    public void CheckDcp()
    {
        if (DisciplineChecker.FindViolation(this, DisciplineMode.Dcp) is { } e) throw e;
    }

    /// <summary>Throws unless the problem is DCP and DPP.</summary>
    /// <exception cref="DcpException">Not DCP.</exception>
    /// <exception cref="DppException">DCP but not DPP; the message names the sub-expression and the rule.</exception>
    public void CheckDpp()
    {
        CheckDcp();
        if (DisciplineChecker.FindViolation(this, DisciplineMode.Dpp) is { } e) throw e;
    }

    /// <summary>
    /// Solves the problem for the given parameter values (each shaped as its parameter, or with a leading batch
    /// dimension B shared by the batched ones).
    /// </summary>
    /// <param name="parameterValues">A value for every parameter of the problem (none when it has none).</param>
    /// <param name="options">Solver settings (the defaults when null).</param>
    /// <returns>Statuses, optimal values and variable values.</returns>
    /// <exception cref="DcpException">The problem is not DCP.</exception>
    /// <exception cref="DppException">The problem is not DPP.</exception>
    /// <exception cref="ArgumentException">A parameter value is missing or malformed (the message names the parameter), or the problem has no variables.</exception>
    public ProblemSolution Solve(IReadOnlyDictionary<Parameter, Tensor>? parameterValues = null, ConvexLayerOptions? options = null)
    {
        var program = Compile();
        var values = program.Parameters.Select(p => parameterValues is not null && parameterValues.TryGetValue(p, out var v) ? v
            : throw new ArgumentException($"No value for parameter '{p.Name}'.", nameof(parameterValues))).ToArray();
        using var noGrad = no_grad();
        return TemporaryTensors.Hold(() =>
        {
            var theta = ParameterBatch.Create(program.Parameters, values);
            var result = ProgramSolve.Run(program, theta, options ?? ConvexLayerOptions.Default);
            return new ProblemSolution(program, theta, result);
        });
    }

    /// <summary>The parametric cone program (compiled once, after the DPP check).</summary>
    internal ParametricConeProgram Compile()
    {
        if (_compiled is not null) return _compiled;
        if (Variables.Count == 0) throw new ArgumentException($"The problem 'minimize {Objective}' has no variables.", "objective");
        CheckDpp();
        return _compiled = ParametricConeProgram.Compile(this);
    }

    /// <summary>The distinct leaves of type <typeparamref name="T"/>, in depth-first order of first occurrence (objective first).</summary>
    private List<T> Leaves<T>() where T : Leaf
    {
        // A walk that visits each node once (shared sub-expressions too), not LINQ over nested iterators.
        var found = new List<T>();
        var visited = new HashSet<Expression>(ReferenceEqualityComparer.Instance);
        void Visit(Expression e)
        {
            if (!visited.Add(e)) return;
            if (e is T leaf) found.Add(leaf);
            foreach (var a in e.Args) Visit(a);
        }
        Visit(Objective);
        foreach (var constraint in Constraints)
            foreach (var e in constraint.Expressions) Visit(e);
        return found;
    }
}
